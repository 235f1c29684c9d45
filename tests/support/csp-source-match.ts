// For tests: does a CSP directive's source list admit a URL? The CSP3 «does url match source list» rules for
// what our pages use — 'none', 'self', scheme-sources (`https:`) and host-sources with an optional scheme,
// a leading `*.` wildcard (any depth of subdomain, never the bare domain) and a port. Enough to check a
// form-action against the hosts a vendor may send the browser to, without a browser.

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

function portOf(url: URL): string {
  return url.port || DEFAULT_PORT[url.protocol] || "";
}

/** Scheme match as CSP3 has it: the same scheme, or an upgrade from http to https (ws to wss). */
function schemeMatches(source: string, url: string): boolean {
  return source === url || (source === "http:" && url === "https:") || (source === "ws:" && url === "wss:");
}

function sourceMatches(source: string, url: URL, self: URL): boolean {
  if (source === "'none'") return false;
  if (source === "'self'") return url.origin === self.origin || (self.protocol === "http:" && url.protocol === "https:" && url.hostname === self.hostname);
  if (/^[a-z][a-z0-9+.-]*:$/i.test(source)) return schemeMatches(source.toLowerCase(), url.protocol);
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[^:/]+)(?::(\d+|\*))?(\/.*)?$/i.exec(source);
  if (!m) return false;
  const [, scheme, host, port, path] = m;
  if (scheme ? !schemeMatches(`${scheme.toLowerCase()}:`, url.protocol) : !schemeMatches(self.protocol, url.protocol)) return false;
  const hostname = url.hostname.toLowerCase();
  const wanted = host.toLowerCase();
  if (wanted === "*") {
    // any host
  } else if (wanted.startsWith("*.")) {
    if (!hostname.endsWith(wanted.slice(1))) return false;
  } else if (hostname !== wanted) {
    return false;
  }
  if (port !== "*") {
    const sourcePort = port ?? DEFAULT_PORT[scheme ? `${scheme.toLowerCase()}:` : url.protocol] ?? "";
    // A source without a port also admits the upgraded scheme's default port (http://x admits https://x).
    if (sourcePort !== portOf(url) && !(port === undefined && portOf(url) === DEFAULT_PORT[url.protocol])) return false;
  }
  if (path && path !== "/") return path.endsWith("/") ? url.pathname.startsWith(path) : url.pathname === path;
  return true;
}

/** The sources of `directive` in a Content-Security-Policy header, or null when it has none. */
export function cspDirective(csp: string, directive: string): string[] | null {
  for (const part of csp.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name?.toLowerCase() === directive) return sources;
  }
  return null;
}

/** Would a browser let this page's form (or a redirect answering it) go to `url`? */
export function formActionAllows(csp: string, url: string, pageUrl: string): boolean {
  const sources = cspDirective(csp, "form-action");
  if (sources === null) return true; // no form-action: no restriction (it does not fall back to default-src)
  return sources.some((s) => sourceMatches(s, new URL(url), new URL(pageUrl)));
}
