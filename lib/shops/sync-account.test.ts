// The proof of an install call (docs/protocols/insales.md §1 Install, §3): GET /admin/account.json on the
// call's host with the call's password, against a bare HTTP server that answers whatever each test needs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decryptSecret } from "../crypto";
import { db } from "../db";
import { resetEnvCache } from "../env";
import { getBoss, stopBoss } from "../jobs/queue";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { PROOF_WINDOW_SECONDS } from "./install-candidates";
import { installShop } from "./install-shop";
import { uninstallShop } from "./uninstall-shop";
import { proveInstallCandidate } from "./sync-account";

useTestDatabase();

const PASSWORD = "4c3f4c197336eb97475506e71c839c71"; // MD5("token123" + "mysecret"), docs/protocols/test-vectors.md
const SHOP = { shop: "myshop.myinsales.ru", insalesId: "100" };
let server: Server;
let reply: (req: IncomingMessage, res: ServerResponse) => void;
let calls: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    calls.push(req);
    reply(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.INSALES_SHOP_URL_TEMPLATE = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shops/{shop}`;
  resetEnvCache();
});

afterAll(async () => {
  await stopBoss();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  calls = [];
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

async function candidate(token: string, shop = SHOP): Promise<string> {
  const r = await installShop({ ...shop, token });
  if (!r.ok || r.outcome !== "pending") throw new Error(`not admitted: ${JSON.stringify(r)}`);
  return r.candidateId;
}

const later = (seconds: number) => () => new Date(Date.now() + seconds * 1000);

describe("proveInstallCandidate", () => {
  it("reads /admin/account.json with the call's credentials; this shop's id installs it with its title and owner e-mail", async () => {
    const id = await candidate("token123");
    reply = json(200, { id: 100, subdomain: "myshop", main_host: "myshop.ru", title: "Мой магазин", email: "owner@myshop.ru", phone: "" });
    expect(await proveInstallCandidate(id, { scheduleNext: false })).toMatchObject({ ok: true, reinstall: false, title: "Мой магазин", ownerEmail: "owner@myshop.ru" });
    expect(calls[0].url).toBe("/shops/myshop.myinsales.ru/admin/account.json");
    expect(calls[0].headers.authorization).toBe(`Basic ${Buffer.from(`intellectmoney_test:${PASSWORD}`).toString("base64")}`);
    const shop = await db().shop.findUniqueOrThrow({ where: { insalesId: "100" } });
    expect(shop).toMatchObject({ host: SHOP.shop, status: "ACTIVE", title: "Мой магазин", ownerEmail: "owner@myshop.ru" });
    expect(decryptSecret(shop.apiPasswordEnc!)).toBe(PASSWORD);
  });

  it("discards a call whose account is not this shop's, and changes nothing", async () => {
    const before = await db().shop.findUniqueOrThrow({ where: { insalesId: "100" } });
    const id = await candidate("someone-elses-token");
    reply = json(200, { id: 555, title: "Чужой", email: "x@evil.ru" });
    expect(await proveInstallCandidate(id, { scheduleNext: false })).toEqual({ ok: false, reason: "account_mismatch", retryable: false });
    expect(await db().shop.findUniqueOrThrow({ where: { insalesId: "100" } })).toEqual(before);
    expect(await db().installCandidate.findUnique({ where: { id } })).toBeNull();
  });

  it("discards at once an answer that is not an InSales account: 404, a redirect, 403, a body without an id", async () => {
    const before = await db().shop.findUniqueOrThrow({ where: { insalesId: "100" } });
    for (const [n, answer] of [
      [1, json(404, { error: "not found" })],
      [2, json(302, {}, { location: "https://elsewhere.example/" })],
      [3, json(403, { errors: ["Forbidden"] })],
      [4, json(200, { title: "Без id" })],
    ] as const) {
      const id = await candidate(`bad-${n}`);
      reply = answer;
      expect(await proveInstallCandidate(id, { scheduleNext: false })).toMatchObject({ ok: false, retryable: false });
      expect(await db().installCandidate.findUnique({ where: { id } })).toBeNull();
    }
    expect(await db().shop.findUniqueOrThrow({ where: { insalesId: "100" } })).toEqual(before);
  });

  it("probes again after 401 (the API may still be locked) and a rate limit, then gives up after the proof window", async () => {
    const id = await candidate("locked");
    reply = json(401, { errors: ["Unauthorized"] });
    expect(await proveInstallCandidate(id)).toEqual({ ok: false, reason: "unauthorized", retryable: true, retryInSeconds: 2 });
    expect(await db().installCandidate.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "PENDING", attempts: 1, lastError: "unauthorized", failedAfterUnlock: false });
    // The next probe is queued with the attempt.
    await getBoss();
    const jobs = await db().$queryRawUnsafe<Array<{ data: { candidateId: string } }>>(
      `SELECT data FROM pgboss.job WHERE name = 'sync-account' AND singleton_key = $1 AND state = 'created'`, id);
    expect(jobs.map((j) => j.data)).toEqual([{ candidateId: id }]);

    reply = json(429, {}, { "retry-after": "300" });
    expect(await proveInstallCandidate(id, { scheduleNext: false, now: later(30) })).toMatchObject({ ok: false, reason: "rate_limited", retryable: true, retryInSeconds: 300 });
    expect(await db().installCandidate.findUniqueOrThrow({ where: { id } })).toMatchObject({ attempts: 2, failedAfterUnlock: true });

    reply = json(401, { errors: ["Unauthorized"] });
    expect(await proveInstallCandidate(id, { scheduleNext: false, now: later(PROOF_WINDOW_SECONDS + 1) })).toEqual({ ok: false, reason: "unauthorized", retryable: false });
    expect(await db().installCandidate.findUnique({ where: { id } })).toBeNull();
  });

  it("does not call InSales for a call that is gone (superseded by an uninstall, or never stored)", async () => {
    const id = await candidate("before-uninstall");
    calls = [];
    await uninstallShop({ ...SHOP, token: PASSWORD });
    expect(await proveInstallCandidate(id)).toEqual({ ok: false, reason: "gone", retryable: false });
    expect(await proveInstallCandidate("00000000-0000-0000-0000-000000000000")).toEqual({ ok: false, reason: "gone", retryable: false });
    expect(calls).toHaveLength(0);
  });
});
