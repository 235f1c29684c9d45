// The `notify-insales` job (docs/protocols/insales.md §2 «Result notice»): POSTs the signed
// paid/amount/key/transaction_id/shop_id to the shop's server_url and reads the JSON answer.
// - {"status":"ok"} → DELIVERED.
// - {"status":"error","errors":[…]} → FAILED for good: a configuration problem; retrying blindly would
//   not help (§2), so the merchant gets a Problem (and the kind-4 letter if enabled).
// - Network error, 429, 503, other 5xx (and any answer we cannot read) → retried: after Retry-After when
//   given, else with a doubling back-off, until ~24 h after the notice was created; then FAILED + Problem.
// - A redirect (301/302/307/308) to the same URL on https, same host (§2 «http vs https»: the vendor's URLs
//   are http, InSales redirects to https) → the same body is POSTed to the https URL at once, within the
//   same attempt, and the stored server_url becomes that URL. Any other redirect (another host, another
//   path, a second hop) → FAILED for good + Problem: a signed notice is never handed to another host.
// - A payment link's payment for an order without a checkout transaction of our method (Payment.insalesNoticeChannel
//   «order_api»): the order's financial_status is set to «paid» through the API instead (deliverThroughOrderApi).
// Idempotent: only a PENDING notice is sent; a DELIVERED or FAILED one never again. The follow-up job is
// sent in the same transaction that records the attempt, so a crash loses neither.
import { decryptSecret } from "../crypto";
import { inTransaction } from "../db";
import { retryDbWrite } from "../db-retry";
import { parseRetryAfter } from "../insales/api-client";
import { markOrderPaid } from "../insales/orders";
import { sameHostHttpsUpgrade } from "../insales/secure-url";
import { workEach } from "../jobs/work-each";
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { queuePaymentMails } from "../mail/queue-mail";
import { noticePassword, noticeServerUrl, signedNoticeFields } from "./notify-insales-fields";
import { recordEvent } from "../payments/event-store";
import { openProblem } from "../payments/problem-store";
import { moveGatewayServerUrl } from "../shops/gateway-store";
import { countNoticeAttempt, endPendingNotice, loadNoticeForDelivery, markNoticeDelivered, recordNoticeError, type NoticeContext } from "./notice-store";
import { enqueueNotice, NOTIFY_INSALES_QUEUE, type NotifyInsalesJob } from "./notify-insales-queue";

/** Keep trying this long after the notice was created (InSales outages are hours, not days). */
export const NOTICE_DEADLINE_MS = 24 * 60 * 60 * 1000;
const FIRST_BACKOFF_SECONDS = 15;
const MAX_BACKOFF_SECONDS = 30 * 60;
/** A Retry-After beyond this is capped: we would rather ask again than sleep for a day on one header. */
const MAX_RETRY_AFTER_SECONDS = 60 * 60;
const REQUEST_TIMEOUT_MS = 20_000;

export type NotifyOutcome =
  | { ok: true; result: "delivered" | "not_pending" | "missing" | "superseded" }
  | { ok: false; reason: "rejected" | "gave_up" | "no_password" | "redirect_refused"; error: string }
  | { ok: false; reason: "retry"; error: string; retryInSeconds: number };

type Attempt =
  | { kind: "ok" }
  | { kind: "rejected"; errors: string[] }
  | { kind: "redirect_refused"; error: string; target: string }
  | { kind: "retry"; error: string; retryAfterSeconds: number | null };

type PostAnswer = Attempt | { kind: "redirect"; status: number; location: string };

/** Redirects that may be followed by re-posting the body (303 asks for a GET: not a place to deliver to). */
const FOLLOWABLE_REDIRECTS = new Set([301, 302, 307, 308]);

/** InSales's messages (§2) in words a merchant can act on. */
const ERROR_TEXT: Record<string, string> = {
  "transaction not found": "транзакция не найдена в магазине",
  "signature is not valid": "подпись не принята — проверьте «Пароль» способа оплаты в InSales",
  "amount is not valid": "сумма не совпадает с суммой заказа",
  "shop id is not valid": "неверный «Идентификатор магазина» способа оплаты",
  "paid params is not valid": "неверный параметр paid",
};

export function describeInsalesErrors(errors: string[]): string {
  const list = errors.length ? errors : ["без пояснений"];
  return list.map((e) => ERROR_TEXT[e.trim().toLowerCase()] ?? e).join("; ");
}

function oneLine(s: string, max = 300): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

async function post(url: string, fields: Array<[string, string]>): Promise<PostAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(fields).toString(),
      // Never followed by fetch: a redirected POST may lose its body or turn into a GET (§4 pitfall 1), and
      // where it leads must be checked first (deliverTo).
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: "retry", error: oneLine(`нет ответа от InSales (${cause ?? (error as Error).name})`), retryAfterSeconds: null };
  }
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location) {
    await response.body?.cancel().catch(() => {});
    return { kind: "redirect", status: response.status, location };
  }
  const text = await response.text().catch(() => "");
  type Answer = { status?: unknown; errors?: unknown } | null;
  let json: Answer;
  try {
    json = JSON.parse(text) as Answer;
  } catch {
    json = null;
  }
  if (response.ok && json?.status === "ok") return { kind: "ok" };
  // An explicit error list is InSales's verdict on the notice itself, whatever the HTTP status (not 429/5xx).
  if (json?.status === "error" && response.status < 500 && response.status !== 429) {
    const errors = Array.isArray(json.errors) ? json.errors.map((e) => oneLine(String(e), 200)).slice(0, 10) : [];
    return { kind: "rejected", errors };
  }
  const retryAfterSeconds = response.status === 429 || response.status === 503 || response.status >= 500 ? parseRetryAfter(response.headers.get("retry-after")) : null;
  return { kind: "retry", error: oneLine(`InSales ответил ${response.status}${text ? `: ${text.slice(0, 120)}` : ""}`), retryAfterSeconds };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).toString();
  } catch {
    return location;
  }
}

/**
 * One attempt: POST to `url`; a same-host http→https redirect is followed once by POSTing the same body to
 * the https URL (docs/protocols/insales.md §2 «http vs https»). `deliveredTo` is the URL that answered.
 */
async function deliverTo(url: string, fields: Array<[string, string]>): Promise<{ attempt: Attempt; deliveredTo: string }> {
  const first = await post(url, fields);
  if (first.kind !== "redirect") return { attempt: first, deliveredTo: url };
  const target = resolveLocation(first.location, url);
  if (!FOLLOWABLE_REDIRECTS.has(first.status) || !sameHostHttpsUpgrade(url, target)) {
    const error = oneLine(`InSales перенаправил уведомление (${first.status}) на другой адрес: ${hostOf(target)}`);
    return { attempt: { kind: "redirect_refused", error, target }, deliveredTo: url };
  }
  const second = await post(target, fields);
  if (second.kind === "redirect") {
    const error = oneLine(`InSales перенаправил уведомление дважды (${first.status}, затем ${second.status} на ${hostOf(resolveLocation(second.location, target))})`);
    return { attempt: { kind: "redirect_refused", error, target }, deliveredTo: target };
  }
  return { attempt: second, deliveredTo: target };
}

/** Exponential back-off from 15 s, doubling, capped at 30 min. */
export function backoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, attempts - 1));
}

/** FAILED for good: the notice, the payment summary, the timeline, a Problem and the kind-4 letter. */
export async function failNotice(noticeId: string, input: { kind: "notice_rejected" | "notice_failed"; error: string; problem: string }): Promise<boolean> {
  return inTransaction(async (tx) => {
    const notice = await endPendingNotice(tx, noticeId, "FAILED", input.error);
    if (!notice) return false;
    await recordEvent({ shopId: notice.shopId, paymentId: notice.paymentId, type: input.kind, message: input.problem, data: { noticeId, paid: notice.paid, attempts: notice.attempts } }, tx);
    await openProblem({ shopId: notice.shopId, paymentId: notice.paymentId, kind: input.kind, message: input.problem }, tx);
    await queuePaymentMails(tx, { trigger: "notice_failed", shopId: notice.shopId, paymentId: notice.paymentId, eventKey: `notice:${noticeId}`, facts: { reason: input.problem } });
    return true;
  });
}

export function paidText(paid: number): string {
  return paid === 1 ? "«оплачен»" : "«не оплачен»";
}

/**
 * A paid=0 of a cancelled attempt whose transaction InSales has reused for a newer attempt: that attempt now
 * speaks for the order, and a late «не оплачен» arriving after its «оплачен» could undo it in InSales (which
 * accepts paid=0 followed by paid=1 for one transaction, insales.md §2; the reverse order is not documented).
 * So it is not sent: SUPERSEDED, a timeline line, no problem and no letter (nothing is wrong).
 */
async function supersedeNotice(noticeId: string): Promise<boolean> {
  return inTransaction(async (tx) => {
    const notice = await endPendingNotice(tx, noticeId, "SUPERSEDED", null);
    if (!notice) return false;
    await recordEvent(
      {
        shopId: notice.shopId,
        paymentId: notice.paymentId,
        type: "notice_superseded",
        message: "Уведомление «не оплачен» не отправлено: покупатель начал новую попытку оплаты этого заказа, о ней InSales узнает отдельно",
        data: { noticeId, paid: notice.paid, attempts: notice.attempts },
      },
      tx,
    );
    return true;
  });
}

/** One attempt at one notice (exported for tests; the worker below calls it). */
export async function deliverNotice(noticeId: string, now: Date = new Date()): Promise<NotifyOutcome> {
  const loaded = await loadNoticeForDelivery(noticeId);
  if (!loaded) return { ok: true, result: "missing" };
  const { notice, newerAttempt } = loaded;
  if (notice.state !== "PENDING") return { ok: true, result: "not_pending" };
  const { payment } = notice;
  const { shop } = payment;
  const order = payment.orderNumber ?? payment.insalesOrderId;
  if (notice.paid === 0 && newerAttempt) {
    await supersedeNotice(noticeId);
    log.info({ shopId: shop.id, paymentId: payment.id, transactionId: payment.transactionId, noticeId }, "notify-insales: paid=0 superseded by a newer attempt");
    return { ok: true, result: "superseded" };
  }

  if (payment.insalesNoticeChannel === "order_api") return deliverThroughOrderApi(notice, now);

  const password = noticePassword(payment, shop.gateway, shop.settings);
  if (!password) {
    const error = "нет пароля для подписи уведомления (приложение удалено или способ оплаты не настроен)";
    await failNotice(noticeId, { kind: "notice_failed", error, problem: `Не удалось сообщить InSales, что заказ ${order} ${paidText(notice.paid)}: ${error}.` });
    return { ok: false, reason: "no_password", error };
  }
  let url: string;
  try {
    url = noticeServerUrl(shop.host, shop.gateway);
  } catch {
    const error = "неверный адрес магазина";
    await failNotice(noticeId, { kind: "notice_failed", error, problem: `Не удалось сообщить InSales, что заказ ${order} ${paidText(notice.paid)}: ${error}.` });
    return { ok: false, reason: "gave_up", error };
  }

  // Counted before sending: a crash mid-request still shows as an attempt.
  await countNoticeAttempt(noticeId);
  const attempts = notice.attempts + 1;
  const { attempt, deliveredTo } = await deliverTo(url, signedNoticeFields(payment, notice.paid === 1 ? 1 : 0, password));
  const logCtx = { shopId: shop.id, paymentId: payment.id, transactionId: payment.transactionId, noticeId, paid: notice.paid, attempts };
  if (deliveredTo !== url && attempt.kind !== "redirect_refused") {
    // The https URL answered: keep it, so the next notice goes there directly (only if the stored one is
    // still the URL we were redirected from).
    await moveGatewayServerUrl(shop.id, url, deliveredTo);
    log.info({ ...logCtx, from: hostOf(url), to: hostOf(deliveredTo) }, "notify-insales: followed a same-host https redirect");
  }

  if (attempt.kind === "ok") {
    // InSales has the notice now: recording it must survive a short database outage, or the job's retry
    // would send it again.
    await retryDbWrite("notice delivered", () =>
      markNoticeDelivered({ noticeId, paymentId: payment.id, message: `InSales принял уведомление: заказ ${paidText(notice.paid)}`, data: { noticeId, paid: notice.paid, attempts } }),
    );
    log.info(logCtx, "notify-insales: delivered");
    return { ok: true, result: "delivered" };
  }

  if (attempt.kind === "redirect_refused") {
    await failNotice(noticeId, {
      kind: "notice_failed",
      error: attempt.error,
      problem: `Не удалось сообщить InSales, что заказ ${order} ${paidText(notice.paid)}: ${attempt.error}. Подписанные уведомления на другие адреса приложение не отправляет. Проверьте адрес магазина в InSales и отметьте оплату заказа вручную.`,
    });
    log.warn({ ...logCtx, err: attempt.error, to: hostOf(attempt.target) }, "notify-insales: refused to follow a redirect");
    return { ok: false, reason: "redirect_refused", error: attempt.error };
  }

  if (attempt.kind === "rejected") {
    const error = attempt.errors.join("; ") || "error";
    await failNotice(noticeId, {
      kind: "notice_rejected",
      error,
      problem: `InSales отклонил уведомление о том, что заказ ${order} ${paidText(notice.paid)}: ${describeInsalesErrors(attempt.errors)}. Проверьте настройки способа оплаты и отметьте оплату заказа вручную.`,
    });
    log.warn({ ...logCtx, errors: attempt.errors }, "notify-insales: rejected by InSales");
    return { ok: false, reason: "rejected", error };
  }

  return retryLater(notice, { error: attempt.error, retryAfterSeconds: attempt.retryAfterSeconds, attempts, now, logCtx });
}

/**
 * InSales did not process it (no answer, 429/503, 5xx): the next attempt after Retry-After or the back-off, in
 * the transaction that records this one — or, past the 24 hours a notice is tried for, FAILED with a problem.
 */
async function retryLater(
  notice: NoticeContext,
  r: { error: string; retryAfterSeconds: number | null; attempts: number; now: Date; logCtx: Record<string, unknown> },
): Promise<NotifyOutcome> {
  const { payment } = notice;
  const noticeId = notice.id;
  const order = payment.orderNumber ?? payment.insalesOrderId;
  const delay = r.retryAfterSeconds !== null ? Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, r.retryAfterSeconds)) : backoffSeconds(r.attempts);
  if (r.now.getTime() + delay * 1000 > notice.createdAt.getTime() + NOTICE_DEADLINE_MS) {
    await recordNoticeError(noticeId, r.error);
    await failNotice(noticeId, {
      kind: "notice_failed",
      error: r.error,
      problem: `Не удалось сообщить InSales, что заказ ${order} ${paidText(notice.paid)}: попытки в течение суток не удались (${r.error}). Отметьте оплату заказа вручную.`,
    });
    log.error({ ...r.logCtx, err: r.error }, "notify-insales: gave up");
    return { ok: false, reason: "gave_up", error: r.error };
  }
  await inTransaction(async (tx) => {
    await recordNoticeError(noticeId, r.error, tx);
    await recordEvent(
      { shopId: payment.shopId, paymentId: payment.id, type: "notice_retry", message: `Уведомление InSales не доставлено (${r.error}); повтор через ${delay} с`, data: { noticeId, attempts: r.attempts, retryInSeconds: delay } },
      tx,
    );
    await enqueueNotice(noticeId, { tx, startAfter: delay });
  });
  log.warn({ ...r.logCtx, err: r.error, retryInSeconds: delay }, "notify-insales: will retry");
  return { ok: false, reason: "retry", error: r.error, retryInSeconds: delay };
}

/** Why marking the order paid through the API failed for good, for the merchant (Russian, no secrets). */
const ORDER_API_FAILURES: Record<"forbidden" | "unauthorized" | "not_found", { kind: "notice_rejected" | "notice_failed"; text: (order: string) => string }> = {
  forbidden: {
    kind: "notice_rejected",
    text: (order) =>
      `Заказ ${order} оплачен по ссылке на оплату, но у приложения нет права изменять заказы в InSales, поэтому заказ не отмечен оплаченным. ` +
      "Отметьте оплату заказа вручную в бэк-офисе InSales и разрешите приложению изменять заказы (переустановите приложение).",
  },
  unauthorized: {
    kind: "notice_failed",
    text: (order) => `Заказ ${order} оплачен по ссылке на оплату, но у приложения нет доступа к API магазина (приложение удалено или переустановлено). Отметьте оплату заказа вручную.`,
  },
  not_found: {
    kind: "notice_failed",
    text: (order) => `Заказ ${order} оплачен по ссылке на оплату, но InSales его не нашёл (заказ удалён?). Проверьте заказ в бэк-офисе InSales.`,
  },
};

/**
 * A payment link's payment for an order with no checkout transaction of our payment method
 * (Payment.insalesNoticeChannel «order_api»): there is nothing to post a signed notice about, so the order is
 * marked paid through the API — PUT /admin/orders/<id>.json `financial_status` «paid» (docs/protocols/insales.md
 * §3 «Orders»). Setting it twice is harmless, so an unclear answer is simply tried again. A 403 (the app may
 * not change orders) is a problem the merchant can act on, with the kind-4 letter.
 */
async function deliverThroughOrderApi(notice: NoticeContext, now: Date): Promise<NotifyOutcome> {
  const { payment } = notice;
  const { shop } = payment;
  const noticeId = notice.id;
  const order = payment.orderNumber ?? payment.insalesOrderId;
  const logCtx = { shopId: shop.id, paymentId: payment.id, transactionId: payment.transactionId, noticeId, paid: notice.paid, channel: "order_api" };
  if (notice.paid !== 1 || shop.status !== "ACTIVE" || !shop.apiPasswordEnc) {
    // Never written for paid=0 (lib/payments/state.ts insalesNoticeFor); an uninstalled shop has no API access.
    const failure = ORDER_API_FAILURES.unauthorized;
    await failNotice(noticeId, { kind: failure.kind, error: "no API access", problem: failure.text(order) });
    return { ok: false, reason: "no_password", error: "no API access" };
  }
  await countNoticeAttempt(noticeId);
  const attempts = notice.attempts + 1;
  const answer = await markOrderPaid({ host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) }, payment.insalesOrderId);
  if (answer.ok) {
    await retryDbWrite("notice delivered", () =>
      markNoticeDelivered({ noticeId, paymentId: payment.id, message: "InSales отметил заказ оплаченным (через API InSales)", data: { noticeId, paid: 1, attempts, channel: "order_api" } }),
    );
    log.info({ ...logCtx, attempts }, "notify-insales: order marked paid through the API");
    return { ok: true, result: "delivered" };
  }
  if (answer.reason === "retry") return retryLater(notice, { error: answer.error, retryAfterSeconds: answer.retryAfterSeconds, attempts, now, logCtx });
  const failure =
    answer.reason === "invalid"
      ? { kind: "notice_rejected" as const, text: () => `InSales не принял отметку об оплате заказа ${order} по ссылке на оплату: ${answer.messages.join("; ") || "без пояснений"}. Отметьте оплату заказа вручную.` }
      : ORDER_API_FAILURES[answer.reason];
  await failNotice(noticeId, { kind: failure.kind, error: answer.reason, problem: failure.text(order) });
  log.warn({ ...logCtx, reason: answer.reason }, "notify-insales: marking the order paid through the API failed");
  return { ok: false, reason: "rejected", error: answer.reason };
}

registerWorker({
  name: NOTIFY_INSALES_QUEUE,
  start: (boss) =>
    // Up to 20 notices in flight per instance, each on its own: a sale's burst drains in seconds, not
    // minutes, and a shop whose server hangs (20 s timeout) takes one slot, not the whole worker.
    workEach<NotifyInsalesJob>(boss, NOTIFY_INSALES_QUEUE, { concurrency: 20, pollingIntervalSeconds: 0.5 }, async (job) => {
      await deliverNotice(job.data.noticeId);
    }),
});
