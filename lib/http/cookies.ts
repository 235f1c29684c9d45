// Minimal cookie reading/writing for route handlers that are plain (Request) => Response functions,
// so they can be called directly in tests without Next's request context.

export type CookieOptions = {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "lax" | "strict" | "none";
  path?: string;
  maxAge?: number;
};

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]*$/;

export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new Error("serializeCookie: bad cookie name");
  if (!VALUE.test(value)) throw new Error("serializeCookie: bad cookie value");
  const parts = [`${name}=${value}`];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(options.maxAge)}`);
  parts.push(`Path=${options.path ?? "/"}`);
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.secure) parts.push("Secure");
  if (options.sameSite) parts.push(`SameSite=${options.sameSite[0].toUpperCase()}${options.sameSite.slice(1)}`);
  return parts.join("; ");
}

/** The value of one cookie from a Cookie header; undefined when absent or given more than once
 * (two values for a security cookie means someone planted one: trust neither). */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  const found: string[] = [];
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) found.push(pair.slice(eq + 1).trim());
  }
  return found.length === 1 ? found[0] : undefined;
}
