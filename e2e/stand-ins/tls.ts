// TLS for the stand-ins' "https side" (tests only). InSales answers its http URLs with a redirect to https
// (docs/protocols/insales.md §2 «http vs https»); to test that the app follows exactly a same-host
// http→https redirect and re-posts the notice there, the InSales stand-in also listens with TLS on a second
// port of 127.0.0.1 and can redirect its plain-http notice endpoint to it.
//
// The certificate is self-signed for 127.0.0.1 and localhost, valid until 2126, made with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj "/CN=InSales stand-in (tests only)" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
//     -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
//     -addext "extendedKeyUsage=serverAuth"
// Its key is public on purpose: it protects nothing. The app trusts it only in tests, through Node's own
// NODE_EXTRA_CA_CERTS (read by Node at process start, never by our code): vitest.config.ts sets it for the
// test workers and e2e/global-setup.ts for the app server. Certificate checks stay on.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const DIR = path.join(import.meta.dirname, "tls");
export const STAND_IN_CERT_PATH = path.join(DIR, "stand-in-cert.pem");
export const STAND_IN_KEY_PATH = path.join(DIR, "stand-in-key.pem");

export function standInTlsOptions(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(STAND_IN_KEY_PATH), cert: readFileSync(STAND_IN_CERT_PATH) };
}

/**
 * The value for NODE_EXTRA_CA_CERTS that trusts the stand-in's certificate besides whatever the machine
 * already trusts that way (Node takes one file: an existing one is joined with ours into a temporary file).
 */
export function extraCaCertsWithStandIn(current: string | undefined): string {
  if (!current || current === STAND_IN_CERT_PATH) return STAND_IN_CERT_PATH;
  const joined = path.join(os.tmpdir(), `im-stand-in-ca-${process.pid}.pem`);
  const theirs = existsSync(current) ? readFileSync(current, "utf8") : "";
  mkdirSync(path.dirname(joined), { recursive: true });
  writeFileSync(joined, `${theirs}\n${readFileSync(STAND_IN_CERT_PATH, "utf8")}`);
  return joined;
}
