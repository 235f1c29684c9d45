// Issue 12 item 2, as a property over the real code: no invoice our code can produce joins to the same
// `::`-string as a result notification our verifier would accept — so the invoice hash a buyer sees is
// never a «paid» hash — and an accepted notification's string splits back into its fields one way only.
// Every attacker-controlled value is hostile: the checkout's description, e-mail and name going into the
// invoice, and every hashed field of the notification (userName, userEmail, paymentData, …).
//
// «Our verifier accepts» is what lib/results/apply-result.ts does with these same functions: the parser,
// the §3 hash with our key (step 5), and the shift check (step 5a). The search for colliding tuples is
// exhaustive: `splits` lists every way a joined string can be cut back into fields.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { md5Hex } from "../crypto";
import { checkoutSignatureInput, checkoutSignatureLayouts, resultNoticeSignatureInput, type CheckoutFields } from "../insales/signatures";
import { parseCheckoutRequest } from "../insales/checkout-request";
import { decodeWindows1251 } from "../http/windows-1251";
import { parseKopecks } from "../money";
import { firstShiftingField } from "./hash-segments";
import { buildInvoiceForm, deriveImOrderId, type InvoiceFormInput } from "./invoice-form";
import { parseResultNotification } from "./result-notification";
import { invoiceHashInput, RESULT_HASH_FIELDS, resultHashInput, verifyResultNotificationHash, type InvoiceHashFields, type ResultHashFields } from "./signatures";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** Every way to write `s` as `parts` strings joined by "::" (overlapping "::" in ":::" included). */
function splits(s: string, parts: number): string[][] {
  const out: string[][] = [];
  const walk = (start: number, acc: string[]) => {
    if (acc.length === parts - 1) {
      out.push([...acc, s.slice(start)]);
      return;
    }
    for (let i = s.indexOf("::", start); i !== -1; i = s.indexOf("::", i + 1)) walk(i + 2, [...acc, s.slice(start, i)]);
  };
  walk(0, []);
  return out;
}

/** The tuples of `parts` fields that, with `key` last, join to exactly `joined`. */
function tuplesJoiningTo(joined: string, key: string, parts: number): string[][] {
  const suffix = `::${key}`;
  if (!joined.endsWith(suffix)) return [];
  return splits(joined.slice(0, joined.length - suffix.length), parts);
}

/** What apply-result.ts steps 1–5a make of a notification body: accepted, or why not. */
function verifierAccepts(fields: Record<string, string>, key: string): boolean {
  const parsed = parseResultNotification(new URLSearchParams(fields));
  if (!parsed.ok) return false;
  const n = parsed.notification;
  return verifyResultNotificationHash(n, key, n.hash) && firstShiftingField(n, RESULT_HASH_FIELDS) === null;
}

function asResultFields(values: string[]): ResultHashFields {
  return Object.fromEntries(RESULT_HASH_FIELDS.map((name, i) => [name, values[i]])) as unknown as ResultHashFields;
}

/** A notification body for `fields` with the hash taken over `joined` (what a forger would reuse). */
function notificationBody(fields: ResultHashFields, hash: string): Record<string, string> {
  return { ...fields, paymentId: "3000000001", recipientOriginalAmount: "", secretKey: "", hash };
}

// ---- hostile values -------------------------------------------------------------------------------------

/** Text an attacker would try: colons of every run length, at the edges, the attack itself, Cyrillic, `;`. */
const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(":", "::", ":::", " ", "x", "5", "RUB", "TST", "1500.00", "acc", "un", "я", "@", ";", "№", ""), { maxLength: 12 }).map((p) => p.join("")) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom("x::acc::1500.00::RUB::5::un", ":", "::", "a:", ":a", "Заказ №9999 на сайте test.myinsales.ru", "") },
);
/** A value the verifier may well accept: single colons inside, empties, no runs of colons. */
const plausible = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom("a", "5", "RUB", "1500.00", " ", "я", "@", ":", "12:00"), { maxLength: 6 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: hostile },
);
const secret = fc.oneof(fc.constantFrom("test", "k:", ":k", "a::b", "::"), fc.string({ minLength: 1, maxLength: 12 }));
const kopecks = fc.bigInt({ min: 100n, max: 10_000_000_00n });

/** Everything the checkout hands buildInvoiceForm, with every buyer-controlled value hostile. */
const invoiceInput = fc.record({
  eshopId: fc.stringMatching(/^\d{1,6}$/), // settings-schema.ts admits only this
  orderNumber: hostile,
  transactionId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), // checkout-request.ts admits only this
  description: hostile,
  buyerEmail: fc.option(hostile),
  buyerName: fc.option(hostile),
  amountKopecks: kopecks,
  testMode: fc.boolean(),
  secretKey: secret,
});

type InvoiceCase = {
  eshopId: string;
  orderNumber: string;
  transactionId: string;
  description: string;
  buyerEmail: string | null;
  buyerName: string | null;
  amountKopecks: bigint;
  testMode: boolean;
  secretKey: string;
};

function buildFor(i: InvoiceCase) {
  const input: InvoiceFormInput = {
    merchantUrl: "https://merchant.intellectmoney.ru/ru/",
    settings: { legalForm: "ORGANIZATION", eshopId: i.eshopId, secretKey: i.secretKey, testMode: i.testMode, preference: [], holdMode: "NO_HOLD", invoiceLifetimeDays: null, holdHours: null },
    imOrderId: deriveImOrderId(i.orderNumber, i.transactionId),
    description: i.description,
    amountKopecks: i.amountKopecks,
    buyerEmail: i.buyerEmail,
    buyerName: i.buyerName,
    successUrl: "https://app/s",
    failUrl: "https://app/f",
    resultUrl: "https://app/r?shop=1",
    now: new Date("2026-12-01T00:00:00Z"),
  };
  const form = Object.fromEntries(buildInvoiceForm(input).fields);
  const hashed: InvoiceHashFields = { eshopId: form.eshopId, orderId: form.orderId, serviceName: form.serviceName, recipientAmount: form.recipientAmount, recipientCurrency: form.recipientCurrency };
  return { form, hashed };
}

// ---- the properties ---------------------------------------------------------------------------------------

describe("no invoice hash is ever a result hash (issue 12 item 2)", () => {
  it("finds the demonstrated collision when serviceName is taken raw, as before the fix (the search works)", () => {
    const raw: InvoiceHashFields = { eshopId: "17354", orderId: "1001-2197421", serviceName: "x::acc::1500.00::RUB::5::un", recipientAmount: "1500.00", recipientCurrency: "RUB" };
    const joined = invoiceHashInput(raw, "test");
    const accepted = tuplesJoiningTo(joined, "test", 10)
      .map(asResultFields)
      .filter((r) => verifierAccepts(notificationBody(r, md5Hex(joined)), "test"));
    expect(accepted).toEqual([
      { eshopId: "17354", orderId: "1001-2197421", serviceName: "x", eshopAccount: "acc", recipientAmount: "1500.00", recipientCurrency: "RUB", paymentStatus: "5", userName: "un", userEmail: "1500.00", paymentData: "RUB" },
    ]);
  });

  it("no invoice our code builds, from any hostile checkout, joins to a result tuple the verifier accepts", () => {
    fc.assert(
      fc.property(invoiceInput, (i) => {
        const { form, hashed } = buildFor(i);
        const joined = invoiceHashInput(hashed, i.secretKey);
        // The form carries the hash of exactly the string we search.
        expect(form.hash).toBe(md5Hex(joined));
        // No hashed value we send can shift, and the buyer's e-mail and name (echoed into the result's
        // hashed userEmail/userName) cannot either.
        expect(firstShiftingField(hashed, ["eshopId", "orderId", "serviceName", "recipientAmount", "recipientCurrency"])).toBeNull();
        for (const echoed of [form.user_email, form.userName]) if (echoed !== undefined) expect(firstShiftingField({ v: echoed }, ["v"])).toBeNull();
        for (const candidate of tuplesJoiningTo(joined, i.secretKey, 10)) {
          const r = asResultFields(candidate);
          expect(verifierAccepts(notificationBody(r, form.hash), i.secretKey), JSON.stringify(r)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("nor does it when its UTF-8 bytes are read as windows-1251 (the verifier also accepts windows-1251 hashes, §3 «Encoding»)", () => {
    // The invoice hash is MD5 over the UTF-8 bytes of its string; the verifier accepts a notification whose
    // joined string, encoded as windows-1251, has that MD5. windows-1251 is one byte per character, so the only
    // such string is those same bytes decoded as windows-1251: search it like the UTF-8 one.
    fc.assert(
      fc.property(invoiceInput, (i) => {
        const { form, hashed } = buildFor(i);
        const asCp1251 = decodeWindows1251(new TextEncoder().encode(invoiceHashInput(hashed, i.secretKey)));
        for (const candidate of tuplesJoiningTo(asCp1251, i.secretKey, 10)) {
          const r = asResultFields(candidate);
          expect(verifierAccepts(notificationBody(r, form.hash), i.secretKey), JSON.stringify(r)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  /** A §3 notification IntellectMoney could send, every hashed field hostile, hashed with the shop's key. */
  const notification = fc.record({
    eshopId: fc.oneof(fc.stringMatching(/^\d{1,6}$/), plausible),
    orderId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), plausible),
    serviceName: plausible,
    eshopAccount: plausible,
    recipientAmount: fc.oneof(kopecks.map((k) => `${k / 100n}.${String(k % 100n).padStart(2, "0")}`), plausible),
    recipientCurrency: fc.oneof(fc.constantFrom("RUB", "TST"), plausible),
    paymentStatus: fc.constantFrom("3", "4", "5", "6", "7", "8"),
    userName: plausible,
    userEmail: plausible,
    paymentData: fc.oneof(fc.constant("2026-12-01 12:00:00"), plausible),
  });

  it("no notification the verifier accepts joins to an invoice our code could build", () => {
    fc.assert(
      fc.property(notification, secret, (r, key) => {
        const joined = resultHashInput(r, key);
        fc.pre(verifierAccepts(notificationBody(r, md5Hex(joined)), key));
        for (const candidate of tuplesJoiningTo(joined, key, 5)) {
          const [eshopId, orderId, serviceName, recipientAmount, recipientCurrency] = candidate;
          // The builder is the oracle of what our code can produce: ask it for this very tuple (an amount it
          // cannot even read it could never print, so 1.00 stands in) and compare what it makes.
          let built: InvoiceHashFields;
          try {
            const form = Object.fromEntries(
              buildInvoiceForm({
                merchantUrl: "https://m/", successUrl: "s", failUrl: "f", resultUrl: "r", now: new Date(0), imOrderId: orderId, description: serviceName,
                amountKopecks: parseKopecks(recipientAmount) ?? 100n,
                settings: { legalForm: "ORGANIZATION", eshopId, secretKey: key, testMode: recipientCurrency === "TST", preference: [], holdMode: "NO_HOLD", invoiceLifetimeDays: null, holdHours: null },
              }).fields,
            );
            built = { eshopId: form.eshopId, orderId: form.orderId, serviceName: form.serviceName, recipientAmount: form.recipientAmount, recipientCurrency: form.recipientCurrency };
          } catch {
            continue; // it refuses to build such an invoice at all (amount under 1.00, eshopId or orderId that could shift)
          }
          expect(invoiceHashInput(built, key), JSON.stringify({ r, built })).not.toBe(joined);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("an accepted notification's string splits back into its own fields only (a genuine «created» hash is never a «paid» one)", () => {
    fc.assert(
      fc.property(notification, secret, (r, key) => {
        const joined = resultHashInput(r, key);
        const hash = md5Hex(joined);
        fc.pre(verifierAccepts(notificationBody(r, hash), key));
        for (const candidate of tuplesJoiningTo(joined, key, 10)) {
          const other = asResultFields(candidate);
          if (RESULT_HASH_FIELDS.every((name) => other[name] === r[name])) continue;
          expect(verifierAccepts(notificationBody(other, hash), key), JSON.stringify(other)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses the reverse shift too: a hostile buyer name that makes a status-3 string readable as status 5", () => {
    // IntellectMoney echoes the name the buyer typed. Its genuine «invoice created» hash …
    const genuine: ResultHashFields = { eshopId: "17354", orderId: "1001-1", serviceName: "Заказ №1001", eshopAccount: "acc", recipientAmount: "1500.00", recipientCurrency: "RUB", paymentStatus: "3", userName: "1500.00::RUB::5::x", userEmail: "b@e.x", paymentData: "2026-12-01 12:00:00" };
    const joined = resultHashInput(genuine, "test");
    const shifted = tuplesJoiningTo(joined, "test", 10).map(asResultFields).filter((t) => t.paymentStatus === "5");
    expect(shifted.length).toBeGreaterThan(0); // … does read as a «paid» tuple,
    for (const t of shifted) expect(verifierAccepts(notificationBody(t, md5Hex(joined)), "test")).toBe(false); // which is refused,
    expect(verifierAccepts(notificationBody(genuine, md5Hex(joined)), "test")).toBe(false); // as is the ambiguous genuine one.
  });
});

describe("the InSales result notice cannot shift either (`;`-joined, issue 12 item 2)", () => {
  const checkoutForm = fc.record({
    shop_id: fc.oneof(fc.stringMatching(/^\d{1,9}$/), hostile),
    amount: fc.oneof(fc.constantFrom("1200.00", "1200.5", "1.00"), hostile),
    transaction_id: fc.oneof(fc.stringMatching(/^\d{1,9}$/), hostile),
    key: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), hostile),
    description: hostile,
    order_id: fc.oneof(fc.stringMatching(/^\d{1,9}$/), hostile),
    phone: hostile,
    email: hostile,
    signature: fc.stringMatching(/^[0-9a-f]{32}$/),
  });

  it("every checkout we admit signs its notice over exactly five fields, never readable as a 13-field checkout string", () => {
    fc.assert(
      fc.property(checkoutForm, fc.constantFrom<"0" | "1">("0", "1"), secret, (f, paid, password) => {
        const parsed = parseCheckoutRequest(new URLSearchParams(f));
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const c = parsed.fields;
        const notice = { shopId: c.shop_id, amount: c.amount, transactionId: c.transaction_id, key: c.key, paid };
        const noticeString = resultNoticeSignatureInput(notice, password);
        const prefix = noticeString.slice(0, noticeString.length - password.length);
        expect(prefix.split(";")).toEqual([c.shop_id, c.amount, c.transaction_id, c.key, paid, ""]);
        // A checkout string (the same password last) has at least 13 separators before the password, or 8 in
        // the compact layout (only the fields sent): never the notice's 5.
        const checkoutString = checkoutSignatureInput(c as CheckoutFields, password);
        expect(checkoutString.slice(0, checkoutString.length - password.length).split(";").length).toBeGreaterThanOrEqual(14);
        for (const { input } of checkoutSignatureLayouts(c as CheckoutFields, password)) {
          expect(input.slice(0, input.length - password.length).split(";").length).toBeGreaterThanOrEqual(9);
          expect(input).not.toBe(noticeString);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
