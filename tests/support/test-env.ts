// Environment values for tests: fixed, obviously fake secrets. Stand-in URLs are filled in by the tests
// that start the stand-ins.
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: "test",
  APP_URL: "https://app.test.local",
  INSALES_APP_ID: "intellectmoney_test",
  INSALES_APP_SECRET: "mysecret",
  INSALES_SHOP_URL_TEMPLATE: "http://127.0.0.1:1/shops/{shop}",
  INTELLECTMONEY_MERCHANT_URL: "http://127.0.0.1:1/merchant/",
  INTELLECTMONEY_API_URL: "http://127.0.0.1:1/api",
  AUTH_SECRET: "test-auth-secret-0123456789abcdef",
  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  LOG_LEVEL: "silent",
};

export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
