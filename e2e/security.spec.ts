// Security, proven against the production build (issue 5 part 4; docs/PRODUCT.md «Non-negotiables»: one
// shop never sees or changes another shop's data):
// - tenant isolation: shop A's merchant session against shop B's ids on every merchant page, the CSV export
//   and the «Отметить решённой» server action → 404 / nothing of B's shown / nothing of B's changed;
// - server actions refuse a foreign Origin (Next's CSRF check) — and the same request from our own origin
//   works, so the refusal is not an accident of the request's shape;
// - security headers: a CSP with a fresh nonce on pages, frame-ancestors 'none', Referrer-Policy, HSTS,
//   nosniff, X-Frame-Options; machine routes carry the static ones.
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { withDb } from "./support/db";
import { e2eEnv } from "./support/e2e-env";
import { installAndLogin } from "./support/login";

type Seeded = { shopId: string; paymentId: string; problemId: string; orderNumber: string; mailSubject: string };

/** A payment with a timeline event, an open «Проблема» and a letter, in this shop. */
async function seed(insalesId: string, orderNumber: string): Promise<Seeded> {
  return withDb(async (c) => {
    const { rows } = await c.query<{ id: string }>(`SELECT id FROM "Shop" WHERE "insalesId" = $1`, [insalesId]);
    const shopId = rows[0].id;
    const paymentId = randomUUID();
    await c.query(
      `INSERT INTO "Payment" (id, "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber",
         description, "verifiedBy", "legalForm", "imOrderId", "eshopId", currency, "amountKopecks", status, "paidKopecks", "noticeState", "createdAt", "updatedAt")
       VALUES ($1, $2, $3, '1', '1234.00', $4, $5, $6, $7, 'signature', 'ORGANIZATION', $8, '450000', 'RUB', 123400, 'PAID', 123400, 'FAILED', now(), now())`,
      [paymentId, shopId, `tx-${paymentId}`, `key-${paymentId}`, `ord-${paymentId.slice(0, 8)}`, orderNumber, `Заказ ${orderNumber}`, `im-${orderNumber}-${paymentId.slice(0, 6)}`],
    );
    await c.query(`INSERT INTO "PaymentEvent" (id, "shopId", "paymentId", type, message) VALUES ($1, $2, $3, 'result_applied', $4)`, [randomUUID(), shopId, paymentId, `Статус заказа ${orderNumber}: оплачен`]);
    const problemId = randomUUID();
    await c.query(`INSERT INTO "Problem" (id, "shopId", "paymentId", kind, message) VALUES ($1, $2, $3, 'notice_failed', $4)`, [problemId, shopId, paymentId, `Не удалось сообщить InSales о заказе ${orderNumber}`]);
    const mailSubject = `Заказ №${orderNumber} оплачен`;
    await c.query(
      `INSERT INTO "Mail" (id, "shopId", "paymentId", kind, "dedupeKey", "to", subject, text, html, state) VALUES ($1, $2, $3, 3, $4, 'owner@example.ru', $5, 't', '<p>t</p>', 'STORED')`,
      [randomUUID(), shopId, paymentId, `sec:${paymentId}`, mailSubject],
    );
    return { shopId, paymentId, problemId, orderNumber, mailSubject };
  });
}

async function problemResolved(problemId: string): Promise<boolean> {
  return withDb(async (c) => (await c.query<{ r: Date | null }>(`SELECT "resolvedAt" r FROM "Problem" WHERE id = $1`, [problemId])).rows[0].r !== null);
}

/**
 * The no-JS form of a server action in a page: its hidden `$ACTION_ID_…` field names the action. The
 * page has other action forms (the header's «Выйти»), so pick the form that carries `field`.
 */
function actionIdIn(html: string, field: string): string | null {
  const form = html.split("<form").find((f) => f.slice(0, f.indexOf("</form>")).includes(`name="${field}"`));
  return form ? (/name="\$ACTION_ID_([0-9a-f]+)"/.exec(form)?.[1] ?? null) : null;
}

async function postAction(request: APIRequestContext, path: string, actionId: string, fields: Record<string, string>, origin: string) {
  return request.post(`${e2eEnv().appUrl}${path}`, {
    multipart: { [`$ACTION_ID_${actionId}`]: "", ...fields },
    headers: { Origin: origin },
    maxRedirects: 0,
  });
}

test("shop A's session cannot see or change shop B's data on any merchant page, export or action", async ({ browser }) => {
  const { appUrl } = e2eEnv();
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const pageA = await ctxA.newPage();
  const pageB = await ctxB.newPage();
  const shopA = await installAndLogin(pageA, "seca");
  const shopB = await installAndLogin(pageB, "secb");
  const a = await seed(shopA.insalesId, `51${shopA.insalesId.slice(-4)}`);
  const b = await seed(shopB.insalesId, `52${shopB.insalesId.slice(-4)}`);

  // Pages: A's own data is there (the checks below are not vacuous), B's is not.
  const settings = await pageA.request.get(`${appUrl}/settings`);
  expect(settings.status()).toBe(200);
  const settingsHtml = await settings.text();
  expect(settingsHtml).toContain(shopA.host);
  expect(settingsHtml).not.toContain(shopB.host);

  const list = await (await pageA.request.get(`${appUrl}/payments`)).text();
  expect(list).toContain(a.orderNumber);
  expect(list).not.toContain(b.orderNumber);

  const own = await pageA.request.get(`${appUrl}/payments/${a.paymentId}`);
  expect(own.status()).toBe(200);
  const foreign = await pageA.request.get(`${appUrl}/payments/${b.paymentId}`);
  expect(foreign.status()).toBe(404);
  expect(await foreign.text()).not.toContain(b.orderNumber);

  const csv = await pageA.request.get(`${appUrl}/payments/export`);
  expect(csv.status()).toBe(200);
  const csvText = await csv.text();
  expect(csvText).toContain(a.orderNumber);
  expect(csvText).not.toContain(b.orderNumber);
  // Nothing in the URL can name another shop.
  for (const q of [`shop=${shopB.insalesId}`, `shopId=${b.shopId}`, `q=${b.orderNumber}`]) {
    expect(await (await pageA.request.get(`${appUrl}/payments/export?${q}`)).text()).not.toContain(b.orderNumber);
  }

  const mails = await (await pageA.request.get(`${appUrl}/mails`)).text();
  expect(mails).toContain(a.mailSubject);
  expect(mails).not.toContain(b.mailSubject);

  // The «Отметить решённой» action, from A's session, with B's problem id: B's problem stays open.
  const card = await (await pageA.request.get(`${appUrl}/payments/${a.paymentId}`)).text();
  const actionId = actionIdIn(card, "problemId");
  expect(actionId, "no server-action form («Отметить решённой») on A's payment card").not.toBeNull();
  await postAction(pageA.request, `/payments/${a.paymentId}`, actionId!, { problemId: b.problemId }, appUrl);
  expect(await problemResolved(b.problemId)).toBe(false);

  // A foreign Origin is refused even for A's own problem …
  const evil = await postAction(pageA.request, `/payments/${a.paymentId}`, actionId!, { problemId: a.problemId }, "http://evil.example");
  expect(evil.status()).toBeGreaterThanOrEqual(400);
  expect(await problemResolved(a.problemId)).toBe(false);
  // … while the same request from our own origin works.
  await postAction(pageA.request, `/payments/${a.paymentId}`, actionId!, { problemId: a.problemId }, appUrl);
  expect(await problemResolved(a.problemId)).toBe(true);

  // Without a session nothing is served.
  const anonymous = await browser.newContext();
  for (const path of ["/settings", "/payments", `/payments/${b.paymentId}`, "/payments/export", "/mails"]) {
    const r = await anonymous.request.get(`${appUrl}${path}`, { maxRedirects: 0 });
    expect([303, 307, 401, 403, 404], path).toContain(r.status());
    expect(await r.text(), path).not.toContain(b.orderNumber);
  }
  await Promise.all([ctxA.close(), ctxB.close(), anonymous.close()]);
});

test("pages carry a CSP with a fresh nonce and the security headers; machine routes the static ones", async ({ request }) => {
  const { appUrl } = e2eEnv();
  const nonces: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await request.get(`${appUrl}/login-required`);
    const h = r.headers();
    const csp = h["content-security-policy"] ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce, "CSP without a nonce").toBeTruthy();
    nonces.push(nonce!);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toMatch(/script-src [^;]*'strict-dynamic'/);
    // Next puts the nonce on its own inline scripts.
    expect(await r.text()).toContain(`nonce="${nonce}"`);
    expect(h["referrer-policy"]).toBeTruthy();
    expect(h["strict-transport-security"]).toMatch(/max-age=\d{7,}/);
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-powered-by"]).toBeUndefined();
  }
  expect(nonces[0]).not.toBe(nonces[1]);

  const health = await request.get(`${appUrl}/api/health`);
  expect(health.headers()["x-content-type-options"]).toBe("nosniff");
  expect(health.headers()["strict-transport-security"]).toBeTruthy();
  expect(health.headers()["referrer-policy"]).toBeTruthy();
});
