// An anonymous install call must not take an installed shop over (docs/protocols/insales.md §1 Install,
// revised). Through the route handlers, on a real database, against the InSales stand-in, which serves a
// distinct shop per host: /admin/account.json answers that host's own shop id, and 401 to any password but
// the one InSales derived from the token it sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as paymentPhp } from "@/app/payment.php/route";
import { validShopSession } from "@/lib/auth/session-claims";
import { decryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { stopBoss } from "@/lib/jobs/queue";
import { configureOrganization, connectGatewayDirectly, formRequest } from "@/tests/support/checkout-test-support";
import { MAX_PENDING_PER_SHOP, MAX_PENDING_PER_SOURCE, PROOF_WINDOW_SECONDS, UNLOCK_GRACE_SECONDS } from "@/lib/shops/install-candidates";
import { sweepInstallCandidates } from "@/lib/shops/install-candidates-sweeper";
import { loginRoundTrip, probePending, sendInstall, startLifecycleStandIn, storedShop, type LifecycleStandIn } from "@/tests/support/install-test-support";
import { proveInstallCandidate, type ProveResult } from "@/lib/shops/sync-account";
import type { StandInShop } from "@/e2e/stand-ins/insales-stand-in";
import { useTestDatabase } from "@/tests/support/use-test-database";

// The per-IP limit has its own tests (tests/reliability/rate-limit.test.ts); here every call is the attacker's.
useTestDatabase({ RATE_LIMIT_LIFECYCLE: "0" });

let stand: LifecycleStandIn;
beforeAll(async () => {
  stand = await startLifecycleStandIn();
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

const APP = "https://app.test.local";
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** A genuine install through the stand-in, proven. */
async function installProven(shop: { host: string; insalesId: string }) {
  const r = await stand.insales.install(shop);
  expect(r.status).toBe(200);
  const results = await probePending({ insalesId: shop.insalesId });
  expect(results.filter((x) => x.ok)).toHaveLength(1);
  return (await storedShop(shop.insalesId))!;
}

async function pendingCount(insalesId: string) {
  return db().installCandidate.count({ where: { insalesId, state: "PENDING" } });
}

const outcomes = (results: ProveResult[]) => results.map((r) => (r.ok ? "proven" : r.reason));

/** A shop on InSales that never installed our app (its API answers 401 to any password we could hold). */
function standInShopWithoutApp(host: string, insalesId: string): StandInShop {
  const shop: StandInShop = {
    host, insalesId, title: `Магазин ${host}`, ownerEmail: `owner@${host}`, apiPassword: null, installed: false,
    user: { id: "1", email: `manager@${host}`, name: "Игорь", emailConfirmed: true }, loginTamper: null,
    deliveryVariants: [], gateways: [], orders: [],
  };
  stand.insales.shops.set(host, shop);
  return shop;
}

function password(row: { apiPasswordEnc: string | null } | null) {
  return row?.apiPasswordEnc ? decryptSecret(row.apiPasswordEnc) : null;
}

describe("a forged install of a known shop", () => {
  it("changes nothing: host, password, sessions, «Войти», checkout and API calls stay the shop's", async () => {
    const victim = { host: "victim-1.myinsales.ru", insalesId: "41001" };
    const installed = await installProven(victim);
    expect(installed).toMatchObject({ status: "ACTIVE", host: victim.host });
    expect(password(installed)).toBe(stand.insales.mustShop(victim.host).apiPassword);
    const session = await loginRoundTrip(victim);
    expect(session.status).toBe(303);
    const before = await storedShop(victim.insalesId);

    // The demonstrated call: another host, any token, the victim's public insales_id.
    expect((await sendInstall({ shop: "evil-shop.myinsales.ru", token: "x", insales_id: victim.insalesId })).status).toBe(200);
    // The victim's own host with a made-up token.
    expect((await sendInstall({ shop: victim.host, token: "made-up", insales_id: victim.insalesId })).status).toBe(200);
    // The attacker's own InSales shop, installed for real, its genuine token sent under the victim's id.
    const replay = await stand.insales.install({ host: "attacker-1.myinsales.ru", insalesId: "49001", sendInsalesId: victim.insalesId });
    expect(replay.status).toBe(200);

    // Until proven nothing changed: not even the shop row's update time.
    expect(await storedShop(victim.insalesId)).toEqual(before);
    expect(await pendingCount(victim.insalesId)).toBe(3);

    const results = await probePending({ insalesId: victim.insalesId });
    // No such shop on InSales; another shop's account; 401 (may still be InSales unlocking: kept for now).
    expect(outcomes(results)).toEqual(["not_found", "unauthorized", "account_mismatch"]);
    expect(await storedShop(victim.insalesId)).toEqual(before);

    // The merchant notices nothing: the old session holds, «Войти» works, payments go through.
    expect(await validShopSession(session.claims)).toMatchObject({ shopId: installed.id });
    const again = await loginRoundTrip(victim);
    expect(again.status).toBe(303);
    expect(again.claims).toMatchObject({ shopId: installed.id, host: victim.host });

    const testShop = { id: installed.id, host: victim.host, insalesId: victim.insalesId, standIn: stand.insales.mustShop(victim.host) };
    await configureOrganization(installed.id);
    await connectGatewayDirectly(testShop, "gw-pass");
    stand.api.calls.length = 0;
    // With order_json, as the methods the app connects send it (otherwise the order is read once for its currency).
    const signed = stand.api.signedCheckout(victim.host, { sendOrder: true });
    expect((await paymentPhp(formRequest(`${APP}/payment.php`, signed.fields))).status).toBe(200);
    // A checkout whose signature fails is looked up through the API: with the shop's own credentials, on its own host.
    const unsigned = stand.api.signedCheckout(victim.host);
    const tampered = unsigned.fields.map(([k, v]): [string, string] => [k, k === "signature" ? "0".repeat(32) : v]);
    expect((await paymentPhp(formRequest(`${APP}/payment.php`, tampered))).status).toBe(200);
    expect(await db().payment.count({ where: { shopId: installed.id } })).toBe(2);
    expect(stand.api.calls).toEqual([{ host: victim.host, method: "GET", path: `/admin/orders/${unsigned.order.id}.json`, status: 200 }]);

    // The made-up one never proves; after the proof window it is gone too, and still nothing changed.
    expect(await proveInstallCandidate((await db().installCandidate.findFirstOrThrow({ where: { insalesId: victim.insalesId, state: "PENDING" } })).id, { scheduleNext: false, now: () => later(PROOF_WINDOW_SECONDS + 1) })).toMatchObject({ ok: false, reason: "unauthorized", retryable: false });
    expect(await pendingCount(victim.insalesId)).toBe(0);
    expect(await storedShop(victim.insalesId)).toMatchObject({ host: victim.host, apiPasswordEnc: before!.apiPasswordEnc, sessionGeneration: before!.sessionGeneration });
  });
});

describe("a genuine reinstall", () => {
  it("is proven against the new host, then switches host and password and ends every older session", async () => {
    const shop = { host: "mover-1.myinsales.ru", insalesId: "42001" };
    const installed = await installProven(shop);
    const old = await loginRoundTrip(shop);
    expect(await validShopSession(old.claims)).not.toBeNull();

    // The shop moved to a new subdomain and the merchant reinstalled: InSales sends a new token.
    const moved = { host: "mover-1-renamed.myinsales.ru", insalesId: shop.insalesId };
    expect((await stand.insales.install(moved)).status).toBe(200);
    const pending = await storedShop(shop.insalesId);
    expect(pending).toMatchObject({ host: shop.host, sessionGeneration: installed.sessionGeneration });
    expect(password(pending)).toBe(password(installed));
    expect(await validShopSession(old.claims)).not.toBeNull(); // an unproven call ends no session

    const [proof] = await probePending({ insalesId: shop.insalesId });
    expect(proof).toMatchObject({ ok: true, reinstall: true, shopId: installed.id });
    const after = await storedShop(shop.insalesId);
    expect(after).toMatchObject({ id: installed.id, host: moved.host, status: "ACTIVE", sessionGeneration: installed.sessionGeneration + 1 });
    expect(password(after)).toBe(stand.insales.mustShop(moved.host).apiPassword);
    expect(password(after)).not.toBe(password(installed));
    expect(after!.settings).not.toBeNull();

    expect(await validShopSession(old.claims)).toBeNull();
    const fresh = await loginRoundTrip(moved);
    expect(fresh.status).toBe(303);
    expect(await validShopSession(fresh.claims)).toMatchObject({ shopId: installed.id, host: moved.host });
  });

  it("whose API InSales unlocks a little late is proven by a later probe", async () => {
    const shop = { host: "slow-1.myinsales.ru", insalesId: "42002" };
    await installProven(shop);
    expect((await stand.insales.install({ ...shop, unlockDelayMs: 60_000 })).status).toBe(200);
    const [locked] = await probePending({ insalesId: shop.insalesId });
    expect(locked).toMatchObject({ ok: false, reason: "unauthorized", retryable: true });
    expect(await db().installCandidate.findFirst({ where: { insalesId: shop.insalesId } })).toMatchObject({ state: "PENDING", attempts: 1, failedAfterUnlock: false });
    stand.insales.mustShop(shop.host).installed = true; // InSales unlocks
    const [proof] = await probePending({ insalesId: shop.insalesId });
    expect(proof).toMatchObject({ ok: true, reinstall: true });
    expect(password(await storedShop(shop.insalesId))).toBe(stand.insales.mustShop(shop.host).apiPassword);
  });

  it("forged calls interleaved with it never displace it nor keep it out: it wins once InSales unlocks", async () => {
    const shop = { host: "busy-1.myinsales.ru", insalesId: "43001" };
    const installed = await installProven(shop);
    let n = 0;
    const forge = (address: string) => sendInstall({ shop: shop.host, token: `forged-${(n += 1)}`, insales_id: shop.insalesId }, address);

    // One sender spamming holds at most its own few places; the rest of its calls are refused (429).
    const spam: number[] = [];
    for (let i = 0; i < 10; i += 1) spam.push((await forge("198.51.100.1")).status);
    expect(spam).toEqual([...Array(MAX_PENDING_PER_SOURCE).fill(200), ...Array(10 - MAX_PENDING_PER_SOURCE).fill(429)]);

    // InSales's own call still finds its places free. It keeps the API locked for a moment after our 200.
    expect((await stand.insales.install({ ...shop, unlockDelayMs: 60_000 })).status).toBe(200);
    const genuine = await db().installCandidate.findFirstOrThrow({ where: { insalesId: shop.insalesId }, orderBy: { createdAt: "desc" } });
    expect(genuine.sourceAddress).not.toBe("198.51.100.1");

    // Many senders together fill the shop's places; then every further call is refused, nothing pushed out.
    let address = 10;
    while ((await pendingCount(shop.insalesId)) < MAX_PENDING_PER_SHOP) expect((await forge(`198.51.100.${(address += 1)}`)).status).toBe(200);
    const refused = await forge("198.51.100.250");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: "too_many_pending" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    // First probes, right after install: all 401 (the genuine one too: still locked), none may be evicted.
    expect((await probePending({ insalesId: shop.insalesId })).every((r) => !r.ok && r.reason === "unauthorized")).toBe(true);
    expect((await forge("198.51.100.251")).status).toBe(429);

    // The forged ones fail again on probes past the unlock grace (as they would at +15 s): now a newer
    // call may take their place — oldest first — but never the genuine one, which no such probe failed.
    const forged = await db().installCandidate.findMany({ where: { insalesId: shop.insalesId, state: "PENDING", NOT: { id: genuine.id } } });
    for (const f of forged) await proveInstallCandidate(f.id, { scheduleNext: false, now: () => later(UNLOCK_GRACE_SECONDS + 1) });
    for (let i = 0; i < 20; i += 1) {
      expect((await forge(`203.0.113.${100 + i}`)).status).toBe(200);
      const newest = await db().installCandidate.findFirstOrThrow({ where: { insalesId: shop.insalesId }, orderBy: { createdAt: "desc" } });
      await proveInstallCandidate(newest.id, { scheduleNext: false, now: () => later(UNLOCK_GRACE_SECONDS + 1) });
      expect(await db().installCandidate.findUnique({ where: { id: genuine.id } })).toMatchObject({ state: "PENDING" });
    }
    expect(await pendingCount(shop.insalesId)).toBe(MAX_PENDING_PER_SHOP);
    expect(await storedShop(shop.insalesId)).toMatchObject({ host: shop.host, sessionGeneration: installed.sessionGeneration });
    expect(password(await storedShop(shop.insalesId))).toBe(password(installed));

    // InSales unlocks; the genuine candidate's next probe proves it.
    stand.insales.mustShop(shop.host).installed = true;
    expect(await proveInstallCandidate(genuine.id, { scheduleNext: false })).toMatchObject({ ok: true, reinstall: true });
    const after = await storedShop(shop.insalesId);
    expect(password(after)).toBe(stand.insales.mustShop(shop.host).apiPassword);
    expect(after!.sessionGeneration).toBe(installed.sessionGeneration + 1);
    // Older calls are superseded; the ones that came after it wait for their own (failing) proof.
    expect(await db().installCandidate.count({ where: { insalesId: shop.insalesId, createdAt: { lte: genuine.createdAt } } })).toBe(0);
    await probePending({ insalesId: shop.insalesId, now: later(PROOF_WINDOW_SECONDS + 1) });
    expect(await pendingCount(shop.insalesId)).toBe(0);
    expect(password(await storedShop(shop.insalesId))).toBe(stand.insales.mustShop(shop.host).apiPassword);
  });

  it("a proof that completes after a newer install was proven does not roll the shop back", async () => {
    const shop = { host: "order-1.myinsales.ru", insalesId: "43002" };
    await installProven(shop);
    expect((await stand.insales.install(shop)).status).toBe(200);
    const candidate = await db().installCandidate.findFirstOrThrow({ where: { insalesId: shop.insalesId, state: "PENDING" } });
    // As if a later call had been proven meanwhile (its credentials arrived after this one).
    await db().shop.update({ where: { insalesId: shop.insalesId }, data: { installedAt: new Date(candidate.createdAt.getTime() + 1000) } });
    const before = await storedShop(shop.insalesId);
    expect(await proveInstallCandidate(candidate.id, { scheduleNext: false })).toMatchObject({ ok: false, reason: "superseded" });
    expect(await storedShop(shop.insalesId)).toEqual(before);
  });
});

describe("an uninstalled shop", () => {
  it("is not re-activated by a forged install, and its old sessions stay dead", async () => {
    const shop = { host: "gone-1.myinsales.ru", insalesId: "44001" };
    const installed = await installProven(shop);
    const session = await loginRoundTrip(shop);
    expect((await stand.insales.uninstall(shop.host)).status).toBe(200);
    expect(await validShopSession(session.claims)).toBeNull();
    const uninstalled = await storedShop(shop.insalesId);
    expect(uninstalled).toMatchObject({ status: "UNINSTALLED", apiPasswordEnc: null, sessionGeneration: installed.sessionGeneration + 1 });

    expect((await sendInstall({ shop: shop.host, token: "guess", insales_id: shop.insalesId })).status).toBe(200);
    expect((await stand.insales.install({ host: "attacker-2.myinsales.ru", insalesId: "49002", sendInsalesId: shop.insalesId })).status).toBe(200);
    expect(await storedShop(shop.insalesId)).toEqual(uninstalled);
    expect(await validShopSession(session.claims)).toBeNull();

    expect(outcomes(await probePending({ insalesId: shop.insalesId }))).toEqual(["unauthorized", "account_mismatch"]);
    expect(await storedShop(shop.insalesId)).toEqual(uninstalled);
    expect(await validShopSession(session.claims)).toBeNull();
    // «Войти» opens nothing while a call is pending (it says the install is being checked), nor after.
    const pendingLogin = await loginRoundTrip(shop);
    expect(pendingLogin).toMatchObject({ status: 409, claims: null });
    await probePending({ insalesId: shop.insalesId, now: later(PROOF_WINDOW_SECONDS + 1) });
    expect(await loginRoundTrip(shop)).toMatchObject({ status: 403, claims: null });
    expect(await storedShop(shop.insalesId)).toEqual(uninstalled);

    // The merchant's own reinstall brings it back, with a new session generation.
    const back = await installProven(shop);
    expect(back).toMatchObject({ id: installed.id, status: "ACTIVE", uninstalledAt: null, sessionGeneration: installed.sessionGeneration + 2 });
    expect(await validShopSession(session.claims)).toBeNull();
    expect((await loginRoundTrip(shop)).status).toBe(303);
  });

  it("an uninstall that arrives before a reinstall was proven is accepted with the reinstall's password", async () => {
    const shop = { host: "quick-1.myinsales.ru", insalesId: "44002" };
    const installed = await installProven(shop);
    expect((await stand.insales.install(shop)).status).toBe(200); // reinstall, not yet proven
    expect((await stand.insales.uninstall(shop.host)).status).toBe(200); // InSales sends the new password
    expect(await storedShop(shop.insalesId)).toMatchObject({ status: "UNINSTALLED", apiPasswordEnc: null, sessionGeneration: installed.sessionGeneration + 1 });
    expect(await pendingCount(shop.insalesId)).toBe(0);
  });
});

describe("an unknown insales_id", () => {
  it("an unproven new shop cannot log in or take a payment, and expires", async () => {
    const ghost = { host: "ghost-1.myinsales.ru", insalesId: "45001" };
    // Its own host does not exist on InSales; a second call names an existing shop's host with a made-up token.
    standInShopWithoutApp("lookalike-1.myinsales.ru", "49003");
    const payments = await db().payment.count();
    expect((await sendInstall({ shop: ghost.host, token: "t1", insales_id: ghost.insalesId })).status).toBe(200);
    expect((await sendInstall({ shop: "lookalike-1.myinsales.ru", token: "t2", insales_id: ghost.insalesId })).status).toBe(200);

    expect(await storedShop(ghost.insalesId)).toBeNull();
    expect(await loginRoundTrip(ghost)).toMatchObject({ status: 409, claims: null });
    const checkout = { shop_id: ghost.insalesId, amount: "100.00", transaction_id: "1", key: "a".repeat(32), description: "Заказ №1", order_id: "1", phone: "", email: "", signature: "0".repeat(32) };
    const refused = await paymentPhp(formRequest(`${APP}/payment.php?shop=${ghost.insalesId}`, checkout));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await db().payment.count()).toBe(payments);

    expect(outcomes(await probePending({ insalesId: ghost.insalesId }))).toEqual(["not_found", "unauthorized"]);
    expect(await storedShop(ghost.insalesId)).toBeNull();
    // Lost its job? The sweeper ends it after the proof window, and deletes every trace after a day.
    expect(await sweepInstallCandidates({ now: later(PROOF_WINDOW_SECONDS + 180) })).toMatchObject({ discarded: 1 });
    expect(await pendingCount(ghost.insalesId)).toBe(0);
    expect(await db().installCandidate.count({ where: { insalesId: ghost.insalesId } })).toBe(2); // kept: the hourly cap counts them
    await sweepInstallCandidates({ now: later(24 * 3600 + 60) });
    expect(await db().installCandidate.count({ where: { insalesId: ghost.insalesId } })).toBe(0);
    expect(await storedShop(ghost.insalesId)).toBeNull();
  });

  it("a flood of made-up ids is capped per hour; a new shop's repeated call is not counted twice", async () => {
    const since = new Date(Date.now() - 3600_000);
    const already = (await db().installCandidate.groupBy({ by: ["insalesId"], where: { newTenant: true, createdAt: { gte: since } } })).length;
    process.env.INSTALL_NEW_SHOPS_PER_HOUR = String(already + 5);
    resetEnvCache();
    try {
      const answers: number[] = [];
      for (let i = 0; i < 8; i += 1) answers.push((await sendInstall({ shop: `flood-${i}.myinsales.ru`, token: "t", insales_id: String(46000 + i) })).status);
      expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const capped = await sendInstall({ shop: "flood-9.myinsales.ru", token: "t", insales_id: "46009" });
      expect(await capped.json()).toEqual({ error: "too_many_new_shops" });
      expect(Number(capped.headers.get("retry-after"))).toBeGreaterThan(0);
      // An id admitted within the hour is still welcome (InSales retrying a real new shop's install).
      expect((await sendInstall({ shop: "flood-0.myinsales.ru", token: "again", insales_id: "46000" })).status).toBe(200);
      // One made-up id cannot hold more than a sender's places either.
      const one: number[] = [];
      for (let i = 0; i < 12; i += 1) one.push((await sendInstall({ shop: "flood-1.myinsales.ru", token: `x${i}`, insales_id: "46001" })).status);
      expect(await pendingCount("46001")).toBe(MAX_PENDING_PER_SOURCE);
      expect(one.filter((s) => s === 429)).toHaveLength(12 - (MAX_PENDING_PER_SOURCE - 1));
      expect(await db().installCandidate.count({ where: { insalesId: { startsWith: "4600" } } })).toBe(5 + 1 + MAX_PENDING_PER_SOURCE - 1);
      expect(await db().shop.count({ where: { insalesId: { startsWith: "4600" } } })).toBe(0);
    } finally {
      delete process.env.INSTALL_NEW_SHOPS_PER_HOUR;
      resetEnvCache();
    }
  });

  it("a genuine new shop is installed once proven", async () => {
    const shop = { host: "fresh-1.myinsales.ru", insalesId: "47001" };
    expect((await stand.insales.install(shop)).status).toBe(200);
    expect(await storedShop(shop.insalesId)).toBeNull();
    const [proof] = await probePending({ insalesId: shop.insalesId });
    expect(proof).toMatchObject({ ok: true, reinstall: false });
    const row = await storedShop(shop.insalesId);
    expect(row).toMatchObject({ host: shop.host, status: "ACTIVE", title: `Магазин ${shop.host}`, ownerEmail: `owner@${shop.host}`, sessionGeneration: 0 });
    expect(row!.settings).not.toBeNull();
    expect(password(row)).toBe(stand.insales.mustShop(shop.host).apiPassword);
    expect(await db().installCandidate.count({ where: { insalesId: shop.insalesId } })).toBe(0);
    expect((await loginRoundTrip(shop)).status).toBe(303);
  });
});

describe("sessions", () => {
  it("a session minted before the session generation existed is refused (everyone logs in once more)", async () => {
    const shop = await storedShop("47001");
    expect(await validShopSession({ shopId: shop!.id, insalesId: "47001", host: shop!.host })).toBeNull();
    expect(await validShopSession({ shopId: shop!.id, insalesId: "47001", host: shop!.host, sessionGeneration: shop!.sessionGeneration })).not.toBeNull();
  });
});
