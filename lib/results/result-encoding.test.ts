// Issue 13 item 2: result notifications in windows-1251 (docs/protocols/intellectmoney.md §3 «Encoding»),
// sent by the IntellectMoney stand-in to our route the way the vendor's library says they may come: the form's
// bytes in windows-1251 with or without a declared charset, the hash over the windows-1251 bytes or over the
// UTF-8 text. Before the fix every one of them was refused with `bad_hash`.
import { describe, expect, it } from "vitest";
import { POST } from "../../app/api/intellectmoney/result/route";
import type { NotificationEncoding } from "../../e2e/stand-ins/intellectmoney-stand-in";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { resultNotificationHash } from "../intellectmoney/signatures";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { eventsOf, newPayment, paymentRow, useResultWorld } from "../../tests/support/result-test-support";
import { addInstalledShop } from "../../tests/support/checkout-test-support";

useTestDatabase();

const world = useResultWorld();

const MODES: Array<[string, NotificationEncoding]> = [
  ["windows-1251 bytes, no charset, hash over windows-1251", { body: "windows-1251", declareCharset: false, hashOver: "windows-1251" }],
  ["windows-1251 bytes, no charset, hash over UTF-8", { body: "windows-1251", declareCharset: false, hashOver: "utf-8" }],
  ["windows-1251 bytes, charset declared, hash over windows-1251", { body: "windows-1251", declareCharset: true, hashOver: "windows-1251" }],
  ["windows-1251 bytes, charset declared, hash over UTF-8", { body: "windows-1251", declareCharset: true, hashOver: "utf-8" }],
  ["UTF-8 bytes, hash over windows-1251", { body: "utf-8", declareCharset: false, hashOver: "windows-1251" }],
];

describe("the windows-1251 vector (docs/protocols/test-vectors.md), as bytes on the wire", () => {
  // The Cyrillic notification of the vectors, its values percent-encoded from windows-1251 (Python's
  // urllib.parse.quote_plus(…, encoding="cp1251") gives the same), hashed over the windows-1251 bytes, then over
  // the UTF-8 ones: both must be answered `OK` (§3 «Encoding»).
  const SERVICE = "%C7%E0%EA%E0%E7+%B99999+%ED%E0+%F1%E0%E9%F2%E5+test.myinsales.ru";
  const body = (hash: string, status: string) =>
    `eshopId=12345&paymentId=3000000042&orderId=9999-2197421&eshopAccount=ACC&serviceName=${SERVICE}&recipientAmount=1200.00&recipientOriginalAmount=1200.00` +
    `&recipientCurrency=RUB&paymentStatus=${status}&userName=%C8%E2%E0%ED&userEmail=buyer%40example.com&paymentData=2025-01-01+12%3A00%3A00&secretKey=&hash=${hash}`;

  it("is applied whichever bytes the hash was taken over, with the text stored as Cyrillic", async () => {
    const shop = await addInstalledShop(world.insales.insales);
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { eshopId: "12345", secretKeyEnc: encryptSecret("testsecretkey") } });
    const payment = await db().payment.create({
      data: {
        shopId: shop.id, transactionId: "2197421", insalesShopIdRaw: shop.insalesId, amountRaw: "1200.00", orderKey: "201c02c69db32b95ecf878b3172121c4", insalesOrderId: "4020290",
        description: "Заказ №9999 на сайте test.myinsales.ru", verifiedBy: "signature", legalForm: "ORGANIZATION", imOrderId: "9999-2197421", eshopId: "12345", currency: "RUB", amountKopecks: 120000n,
      },
    });
    const post = (b: string) =>
      POST(new Request(`https://app.test.local/api/intellectmoney/result?shop=${shop.insalesId}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: b }));
    const paid = await post(body("cc86daa7be62d9312a1682d96c5ad704", "5"));
    expect([paid.status, await paid.text()]).toEqual([200, "OK"]);
    expect(await paymentRow(payment.id)).toMatchObject({ status: "PAID", imPaymentId: "3000000042" });
    const applied = (await eventsOf(payment.id)).find((e) => e.type === "result_applied")!;
    expect(applied.data).toMatchObject({ serviceName: "Заказ №9999 на сайте test.myinsales.ru", userName: "Иван", bodyCharset: "windows-1251", hashEncoding: "windows-1251" });
    // The same notification hashed over the UTF-8 bytes: a repeat, acknowledged.
    const again = await post(body("b8505ab7ba04db4a6ad07e246d3ff387", "5"));
    expect([again.status, await again.text()]).toEqual([200, "OK"]);
  });
});

describe("windows-1251 result notifications", () => {
  for (const [name, encoding] of MODES) {
    it(`${name}: OK, PAID, the Cyrillic stored as text`, async () => {
      const p = await newPayment(world);
      expect(p.payment.description).toMatch(/^Заказ №\d+ на сайте /);
      p.invoice.userName = "Иван Покупатель"; // as the buyer typed it at IntellectMoney: a second Cyrillic hashed field
      const sent = await world.im.notify(p.invoice.paymentId, "5", { encoding });
      expect([sent.httpStatus, sent.body]).toEqual([200, "OK"]);
      const row = await paymentRow(p.payment.id);
      expect(row.status).toBe("PAID");
      expect(row.noticeState).toBe("PENDING");
      const applied = (await eventsOf(p.payment.id)).find((e) => e.type === "result_applied")!;
      expect(applied.data).toMatchObject({ serviceName: p.payment.description, userName: "Иван Покупатель" });
      if (encoding.body === "windows-1251") expect(applied.data).toMatchObject({ bodyCharset: "windows-1251" });
      if (encoding.hashOver === "windows-1251") expect(applied.data).toMatchObject({ hashEncoding: "windows-1251" });
    });
  }

  it("still refuses a windows-1251 notification signed with another key (bad_hash), and changes nothing", async () => {
    const p = await newPayment(world);
    const sent = await world.im.notify(p.invoice.paymentId, "5", { encoding: MODES[0][1], signWith: "someone-else" });
    expect([sent.httpStatus, sent.body]).toEqual([403, "bad_hash"]);
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });

  it("refuses a tampered amount in windows-1251 as it does in UTF-8", async () => {
    const p = await newPayment(world);
    const sent = await world.im.notify(p.invoice.paymentId, "5", { encoding: MODES[0][1], tamper: { recipientAmount: "1.00", recipientOriginalAmount: "1.00" } });
    expect(sent.httpStatus).toBe(403);
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });

  it("answers 415 to a charset it does not read (IntellectMoney sends it again), changing nothing", async () => {
    const p = await newPayment(world);
    const response = await POST(
      new Request(`https://app.test.local/api/intellectmoney/result?shop=${p.shop.insalesId}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=koi8-r" },
        body: `orderId=${p.payment.imOrderId}&paymentStatus=5`,
      }),
    );
    expect(response.status).toBe(415);
    expect(await response.text()).toBe("unsupported_charset");
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });

  it("keeps the multipart path: a multipart notification with a Cyrillic serviceName is applied", async () => {
    const p = await newPayment(world);
    const f = {
      eshopId: p.eshopId, orderId: p.payment.imOrderId, serviceName: p.invoice.serviceName, eshopAccount: "ACC", recipientAmount: p.invoice.recipientAmount,
      recipientCurrency: p.invoice.recipientCurrency, paymentStatus: "6", userName: p.invoice.userName, userEmail: p.invoice.userEmail, paymentData: "2026-01-01 10:00:00",
    };
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...f, paymentId: p.invoice.paymentId, recipientOriginalAmount: p.invoice.recipientAmount, hash: resultNotificationHash(f, p.secretKey) })) form.append(k, v);
    const answer = await POST(new Request(`https://app.test.local/api/intellectmoney/result?shop=${p.shop.insalesId}`, { method: "POST", body: form }));
    expect([answer.status, await answer.text()]).toEqual([200, "OK"]);
    expect((await paymentRow(p.payment.id)).status).toBe("HELD");
  });
});
