// Headers of the standalone HTML pages answered to buyers outside the merchant UI (the checkout's
// auto-submitting invoice form, the return from IntellectMoney, their refusals): never cached (they carry
// a per-payment form), and a CSP whose nonce admits only the page's own inline script and style and
// whose form-action admits only where that form posts.
export function standalonePageHeaders(nonce: string, formAction: string): HeadersInit {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      `form-action ${formAction}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  };
}
