/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  // Browsers ignore HSTS received over plain http (RFC 6797 §8.1), so it is safe to send always; behind
  // https it pins the app to https.
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
];

/**
 * Server action bodies: our largest form (the settings) is a few kilobytes. Kept equal to
 * SERVER_ACTION_BODY_LIMIT_BYTES in lib/http/server-action-gate.ts, which refuses a larger body with 413
 * before Next would (Next turns its own refusal into a 500).
 */
const SERVER_ACTION_BODY_LIMIT_BYTES = 64 * 1024;
/**
 * How much of a POST body Next copies for the proxy, which reads it only to gate server actions
 * (proxy.ts). Next silently cuts a longer body here and drops the chunk that crosses the line, so this
 * must exceed the action limit by more than one socket read (64 KiB): a cut body is then still over the
 * limit and refused. It bounds the memory a page POST can take (two copies of this much).
 */
const PROXY_BODY_COPY_LIMIT_BYTES = 1024 * 1024;

const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // pg-boss, pino and nodemailer are Node libraries: load them from node_modules at run time.
  serverExternalPackages: ["pg-boss", "pino", "nodemailer", "pg", "@prisma/adapter-pg"],
  experimental: {
    serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT_BYTES },
    proxyClientMaxBodySize: PROXY_BODY_COPY_LIMIT_BYTES,
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
export { SERVER_ACTION_BODY_LIMIT_BYTES, PROXY_BODY_COPY_LIMIT_BYTES };
