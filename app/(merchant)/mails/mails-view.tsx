// The «Письма» table, separate from the page so it renders in tests without a request.
import type { MailState } from "@/lib/generated/prisma/enums";
import { moscowTime } from "@/lib/html/moscow-time";
import { mailKindLabel } from "@/lib/mail/kind-label";
import type { MailList, MailListItem } from "@/lib/mail/mail-query";

const STATE_LABELS: Record<MailState, string> = {
  STORED: "Сохранено — SMTP не настроен",
  PENDING: "В очереди",
  SENT: "Отправлено",
  FAILED: "Ошибка",
};

const STATE_COLORS: Record<MailState, string> = {
  STORED: "var(--muted)",
  PENDING: "var(--warn)",
  SENT: "var(--ok)",
  FAILED: "var(--danger)",
};

function MailStateCell({ mail }: { mail: MailListItem }) {
  return (
    <div data-testid="mail-state" style={{ color: STATE_COLORS[mail.state] }}>
      {STATE_LABELS[mail.state]}
      {mail.state === "PENDING" && mail.attempts > 0 ? ` (попыток: ${mail.attempts})` : ""}
      {(mail.state === "FAILED" || mail.state === "PENDING") && mail.lastError ? (
        <div style={{ fontSize: 13 }}>{mail.lastError}</div>
      ) : null}
    </div>
  );
}

export function MailsView({ host, list, smtpConfigured }: { host: string; list: MailList; smtpConfigured: boolean }) {
  return (
    <main style={{ maxWidth: 1100, margin: "32px auto", padding: "0 24px" }}>
      <h1>Письма</h1>
      <p style={{ color: "var(--muted)" }}>
        Уведомления магазина {host}: какие письма включены, задаётся в <a href="/settings">настройках</a>,
        раздел «Почтовые уведомления».
      </p>
      {smtpConfigured ? null : (
        <p role="note" data-testid="smtp-note" style={{ padding: 12, border: "1px solid var(--border)", background: "var(--card)" }}>
          SMTP не настроен: письма сохраняются здесь и не отправляются.
        </p>
      )}
      {list.items.length === 0 ? (
        <p>Писем пока нет.</p>
      ) : (
        <table style={{ width: "100%", borderCollapse: "collapse", background: "var(--card)" }}>
          <thead>
            <tr style={{ textAlign: "left", borderBottom: "1px solid var(--border)" }}>
              <th style={{ padding: 8 }}>Дата (МСК)</th>
              <th style={{ padding: 8 }}>Уведомление</th>
              <th style={{ padding: 8 }}>Кому</th>
              <th style={{ padding: 8 }}>Тема и текст</th>
              <th style={{ padding: 8 }}>Состояние</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((mail) => (
              <tr key={mail.id} data-testid="mail-row" style={{ borderBottom: "1px solid var(--border)", verticalAlign: "top" }}>
                <td style={{ padding: 8, whiteSpace: "nowrap" }}>{moscowTime(mail.createdAt)}</td>
                <td style={{ padding: 8 }}>{mailKindLabel(mail.kind)}</td>
                <td style={{ padding: 8 }}>{mail.to}</td>
                <td style={{ padding: 8 }}>
                  <details>
                    <summary>{mail.subject}</summary>
                    <pre style={{ whiteSpace: "pre-wrap", fontFamily: "inherit", margin: "8px 0 0" }}>{mail.text}</pre>
                  </details>
                </td>
                <td style={{ padding: 8 }}>
                  <MailStateCell mail={mail} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.pages > 1 ? (
        <nav aria-label="Страницы" style={{ marginTop: 16, display: "flex", gap: 16 }}>
          {list.page > 1 ? <a href={`/mails?page=${list.page - 1}`}>← Новее</a> : null}
          <span>
            Страница {list.page} из {list.pages}
          </span>
          {list.page < list.pages ? <a href={`/mails?page=${list.page + 1}`}>Старее →</a> : null}
        </nav>
      ) : null}
    </main>
  );
}
