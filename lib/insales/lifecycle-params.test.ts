import { describe, expect, it } from "vitest";
import { parseAutologinParams, parseInstallParams, parseLoginParams, readFormBody } from "./lifecycle-params";

const q = (s: string) => new URLSearchParams(s);
const MD5 = "d339ec1c3e85f923e1f8adc538fe28fd";

describe("install/uninstall parameters", () => {
  it("reads shop, token and insales_id", () => {
    expect(parseInstallParams(q("shop=myshop.myinsales.ru&token=token123&insales_id=123456"))).toEqual({
      ok: true,
      params: { shop: "myshop.myinsales.ru", token: "token123", insalesId: "123456" },
    });
  });

  it("takes them from a form body too, and the same value in both places is fine", () => {
    expect(parseInstallParams(q(""), q("shop=myshop.myinsales.ru&token=t&insales_id=1")).ok).toBe(true);
    expect(parseInstallParams(q("shop=myshop.myinsales.ru"), q("shop=myshop.myinsales.ru&token=t&insales_id=1")).ok).toBe(true);
  });

  it.each([
    ["token=t&insales_id=1", "missing_shop"],
    ["shop=&token=t&insales_id=1", "missing_shop"],
    ["shop=myshop.myinsales.ru&insales_id=1", "missing_token"],
    ["shop=myshop.myinsales.ru&token=&insales_id=1", "missing_token"],
    ["shop=myshop.myinsales.ru&token=t", "missing_insales_id"],
    ["shop=evil.com&token=t&insales_id=1", "bad_shop"],
    ["shop=myshop.myinsales.ru&token=t&insales_id=12a", "bad_insales_id"],
    ["shop=myshop.myinsales.ru&token=t&insales_id=-1", "bad_insales_id"],
    ["shop=myshop.myinsales.ru&token=t&insales_id=0123", "bad_insales_id"],
    [`shop=myshop.myinsales.ru&token=t&insales_id=${"1".repeat(21)}`, "bad_insales_id"],
    [`shop=myshop.myinsales.ru&token=${"a".repeat(129)}&insales_id=1`, "bad_token"],
    ["shop=myshop.myinsales.ru&token=a%20b&insales_id=1", "bad_token"],
    ["shop=myshop.myinsales.ru&token=%D1%82&insales_id=1", "bad_token"],
    ["shop=myshop.myinsales.ru&shop=other.myinsales.ru&token=t&insales_id=1", "duplicate_shop"],
    ["shop=myshop.myinsales.ru&token=t&token=t&insales_id=1", "duplicate_token"],
    ["shop=myshop.myinsales.ru&token=t&insales_id=1&insales_id=1", "duplicate_insales_id"],
  ])("%s → %s", (query, reason) => {
    expect(parseInstallParams(q(query))).toEqual({ ok: false, reason });
  });

  it("accepts a 128-character token and a 20-digit id", () => {
    expect(parseInstallParams(q(`shop=a.myinsales.ru&token=${"a".repeat(128)}&insales_id=${"9".repeat(20)}`)).ok).toBe(true);
  });

  it("refuses different values for one parameter in the query and the body", () => {
    expect(parseInstallParams(q("token=a"), q("shop=a.myinsales.ru&token=b&insales_id=1"))).toEqual({ ok: false, reason: "duplicate_token" });
  });
});

describe("login parameters", () => {
  it("needs only shop and insales_id; the unsigned user fields are not read", () => {
    expect(parseLoginParams(q("shop=a.myinsales.ru&insales_id=7&user_id=1&user_email=x"))).toEqual({ ok: true, params: { shop: "a.myinsales.ru", insalesId: "7" } });
    expect(parseLoginParams(q("insales_id=7"))).toEqual({ ok: false, reason: "missing_shop" });
    expect(parseLoginParams(q("shop=a.myinsales.ru"))).toEqual({ ok: false, reason: "missing_insales_id" });
  });
});

describe("autologin parameters", () => {
  it("keeps the user fields exactly as received", () => {
    const r = parseAutologinParams(q(`token=${MD5}&token3=${MD5}&user_email=user%40myshop.ru&user_name=%D0%98%D0%B3%D0%BE%D1%80%D1%8C+%D0%9F.&user_id=1&email_confirmed=true`));
    expect(r).toEqual({
      ok: true,
      params: { token: MD5, token3: MD5, token2: undefined, userEmail: "user@myshop.ru", userName: "Игорь П.", userId: "1", emailConfirmed: "true" },
    });
  });

  it("accepts token3 without token (the vendor's «Войти» example) and reads `email_сonfirmed` with a Cyrillic «с»", () => {
    // docs/protocols/insales.md §1 «Войти» step 3: the example's query, byte for byte (U+0441 = %D1%81).
    const r = parseAutologinParams(q(`token3=${MD5}&user_email=user@myshop.ru&user_name=igor&user_id=1&email_%D1%81onfirmed=true`));
    expect(r).toEqual({
      ok: true,
      params: { token: undefined, token3: MD5, token2: undefined, userEmail: "user@myshop.ru", userName: "igor", userId: "1", emailConfirmed: "true" },
    });
  });

  it("takes the flag's value exactly as received, under either spelling, and both spellings when they agree", () => {
    expect(parseAutologinParams(q(`token=${MD5}&email_confirmed=True`))).toMatchObject({ ok: true, params: { emailConfirmed: "True" } });
    expect(parseAutologinParams(q(`token=${MD5}&email_%D1%81onfirmed=false`))).toMatchObject({ ok: true, params: { emailConfirmed: "false" } });
    expect(parseAutologinParams(q(`token=${MD5}&email_confirmed=true&email_%D1%81onfirmed=true`))).toMatchObject({ ok: true, params: { emailConfirmed: "true" } });
    expect(parseAutologinParams(q(`token=${MD5}`))).toMatchObject({ ok: true, params: { emailConfirmed: undefined } });
  });

  it.each([
    ["", "missing_token"],
    // An empty `token` is malformed, not absent (like an empty token3): which login would it be?
    ["token=", "bad_token"],
    [`token2=${MD5}`, "missing_token"],
    [`user_email=a&email_confirmed=true`, "missing_token"],
    [`token3=${MD5}&email_confirmed=true&email_%D1%81onfirmed=false`, "duplicate_email_confirmed"],
    [`token3=${MD5}&email_%D1%81onfirmed=${"a".repeat(257)}`, "bad_email_confirmed"],
    [`token3=${MD5}&email_%D1%81onfirmed=a&email_%D1%81onfirmed=a`, "duplicate_email_confirmed"],
    ["token=abc", "bad_token"],
    [`token=${MD5}x`, "bad_token"],
    [`token=${MD5}&token=${MD5}`, "duplicate_token"],
    [`token=${MD5}&token3=`, "bad_token3"],
    [`token=${MD5}&token3=zz`, "bad_token3"],
    [`token=${MD5}&token2=1`, "bad_token2"],
    [`token=${MD5}&user_name=${"a".repeat(257)}`, "bad_user_name"],
    [`token=${MD5}&user_email=a%0Ab`, "bad_user_email"],
    [`token=${MD5}&user_id=1&user_id=2`, "duplicate_user_id"],
  ])("%s → %s", (query, reason) => {
    expect(parseAutologinParams(q(query))).toEqual({ ok: false, reason });
  });
});

describe("readFormBody", () => {
  const post = (body: string, type = "application/x-www-form-urlencoded") =>
    new Request("http://x/", { method: "POST", body, headers: { "content-type": type } });

  it("reads a urlencoded body", async () => {
    const r = await readFormBody(post("shop=a.myinsales.ru&token=t"));
    expect(r.ok && r.params.get("shop")).toBe("a.myinsales.ru");
  });

  it("ignores other bodies", async () => {
    const r = await readFormBody(post(JSON.stringify({ shop: "a.myinsales.ru" }), "application/json"));
    expect(r.ok && [...r.params.keys()]).toEqual([]);
  });

  it("refuses an oversized body", async () => {
    expect(await readFormBody(post(`token=${"a".repeat(20_000)}`))).toEqual({ ok: false, reason: "body_too_large" });
  });
});
