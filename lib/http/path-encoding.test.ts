// Paths Next 16 cannot decode (it answers 500 for them in a dynamic segment; issue 12 item 7).
import { describe, expect, it } from "vitest";
import { hasMalformedPercentEncoding } from "./path-encoding";

describe("hasMalformedPercentEncoding", () => {
  it.each(["/api/intellectmoney/return/%E0%A4%A/success", "/payments/%ZZ", "/payments/%", "/payments/%C3%28", "/a/%FF%FE", "/x/%F0%9F%98", "/x/%uD800", "/%"])("%s is malformed", (path) => {
    expect(hasMalformedPercentEncoding(path)).toBe(true);
  });

  it.each(["/", "/payments", "/payments/00000000-0000-4000-8000-000000000000", "/payments/%25", "/x/%2F", "/x/%D0%90%D0%91", "/x/%F0%9F%98%80", "/x/a%20b"])("%s is fine", (path) => {
    expect(hasMalformedPercentEncoding(path)).toBe(false);
  });
});
