import { describe, expect, it } from "vitest";
import { describeDatabaseUrl, withDatabaseName } from "./database-urls";
import { chooseTestServer, LOCAL_TEST_SERVER, parseArgs } from "./with-database-plan";

describe("parseArgs", () => {
  it("reads the flags before -- and keeps the command after it verbatim", () => {
    expect(parseArgs(["--test", "--no-migrate", "--data-dir=.data/x", "--", "next", "start", "--port", "3000"])).toEqual({
      ok: true,
      args: { test: true, migrate: false, dataDir: ".data/x", command: ["next", "start", "--port", "3000"] },
    });
    expect(parseArgs(["--", "vitest", "run", "--", "x"])).toEqual({
      ok: true,
      args: { test: false, migrate: true, dataDir: null, command: ["vitest", "run", "--", "x"] },
    });
  });

  it("refuses a missing command and unknown flags", () => {
    expect(parseArgs(["--test"])).toEqual({ ok: false, reason: "no command given after --" });
    expect(parseArgs(["--"])).toEqual({ ok: false, reason: "no command given after --" });
    expect(parseArgs(["--tset", "--", "x"])).toEqual({ ok: false, reason: "unknown option --tset" });
    expect(parseArgs(["--data-dir=", "--", "x"])).toEqual({ ok: false, reason: "unknown option --data-dir=" });
  });
});

describe("describeDatabaseUrl", () => {
  it("shows host, port and database only", () => {
    expect(describeDatabaseUrl("postgresql://u:p%40ss@db.internal:6432/shop?sslmode=require&password=x")).toBe(
      "postgresql://db.internal:6432/shop",
    );
    expect(describeDatabaseUrl("postgres://u@localhost/app")).toBe("postgresql://localhost:5432/app");
    expect(describeDatabaseUrl("not a url")).toBe("(not a valid connection string)");
  });

  it("withDatabaseName keeps server and credentials", () => {
    expect(withDatabaseName("postgresql://u:pw@h:1/app?sslmode=require", "postgres")).toBe("postgresql://u:pw@h:1/postgres?sslmode=require");
  });
});

describe("chooseTestServer", () => {
  const never = async () => {
    throw new Error("must not probe");
  };

  it("prefers TEST_ADMIN_DATABASE_URL, then DATABASE_URL's server with database postgres", async () => {
    expect(await chooseTestServer({ TEST_ADMIN_DATABASE_URL: "postgresql://a@h:1/admin", DATABASE_URL: "postgresql://b@h:2/app" }, never)).toEqual({
      kind: "given",
      adminUrl: "postgresql://a@h:1/admin",
      from: "TEST_ADMIN_DATABASE_URL",
    });
    expect(await chooseTestServer({ DATABASE_URL: "postgresql://b:pw@h:2/app" }, never)).toEqual({
      kind: "given",
      adminUrl: "postgresql://b:pw@h:2/postgres",
      from: "DATABASE_URL",
    });
  });

  it("uses a local server on 5432 when it lets postgres in, else asks for the embedded one", async () => {
    const probed: string[] = [];
    expect(await chooseTestServer({}, async (url) => (probed.push(url), true))).toEqual({ kind: "local", adminUrl: LOCAL_TEST_SERVER });
    expect(probed).toEqual(["postgresql://postgres@127.0.0.1:5432/postgres"]);
    expect(await chooseTestServer({}, async () => false)).toEqual({ kind: "embedded" });
  });
});
