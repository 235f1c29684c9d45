// Next 16 decodes each dynamic route segment with decodeURIComponent and, when that throws (`%ZZ`, a lone
// `%`, escapes that are not UTF-8 such as `%E0%A4%A`), answers 500 instead of 400 (issue 12 item 7; the
// fix upstream, vercel/next.js#92557, is not released). The proxy refuses such paths first, segment by
// segment exactly as Next decodes them.

/** True when some segment of the (still encoded) path cannot be percent-decoded. */
export function hasMalformedPercentEncoding(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  for (const segment of pathname.split("/")) {
    if (!segment.includes("%")) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}
