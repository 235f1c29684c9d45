// Values the global setup hands to the specs through process.env (Playwright workers inherit it).
export function e2eEnv() {
  const get = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: run the specs through playwright.config.ts (global setup)`);
    return v;
  };
  return {
    appUrl: get("E2E_APP_URL"),
    insalesUrl: get("E2E_INSALES_URL"),
    intellectmoneyUrl: process.env.E2E_INTELLECTMONEY_URL ?? "",
    databaseUrl: get("E2E_DATABASE_URL"),
    appLogFile: get("E2E_APP_LOG"),
  };
}

export async function control<T = unknown>(base: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}/__control/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`control ${path}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}
