import { describe, expect, it } from "vitest";
import { formatMoscowDateTime } from "./moscow-time";

describe("formatMoscowDateTime", () => {
  it("formats an instant as Moscow wall time, UTC+3", () => {
    expect(formatMoscowDateTime(new Date(Date.UTC(2025, 0, 1, 9, 0, 0)))).toBe("2025-01-01 12:00:00");
    expect(formatMoscowDateTime(new Date("2025-06-30T23:59:59.999Z"))).toBe("2025-07-01 02:59:59");
  });

  it("has no daylight saving time (the same offset in January and July)", () => {
    expect(formatMoscowDateTime(new Date("2025-07-15T09:00:00Z"))).toBe("2025-07-15 12:00:00");
    expect(formatMoscowDateTime(new Date("2025-03-30T01:30:00Z"))).toBe("2025-03-30 04:30:00"); // EU DST night
  });

  it("rolls over days, months, years and leap days", () => {
    expect(formatMoscowDateTime(new Date("2024-12-31T21:00:00Z"))).toBe("2025-01-01 00:00:00");
    expect(formatMoscowDateTime(new Date("2024-02-28T22:15:05Z"))).toBe("2024-02-29 01:15:05");
    expect(formatMoscowDateTime(new Date("2024-12-31T20:59:59Z"))).toBe("2024-12-31 23:59:59");
  });

  it("gives the same answer for one instant however it was written in other time zones", () => {
    // The same instant expressed with the offsets of several server TZs.
    const instants = [
      "2025-01-01T09:00:00Z",
      "2025-01-01T10:00:00+01:00", // Europe/Berlin
      "2025-01-01T04:00:00-05:00", // America/New_York
      "2025-01-01T18:00:00+09:00", // Asia/Tokyo
      "2024-12-31T22:00:00-11:00", // Pacific/Midway, the day before
      "2025-01-01T22:45:00+13:45", // Pacific/Chatham in summer
    ];
    for (const s of instants) expect(formatMoscowDateTime(new Date(s)), s).toBe("2025-01-01 12:00:00");
  });

  it("refuses an invalid date", () => {
    expect(() => formatMoscowDateTime(new Date("nope"))).toThrow(RangeError);
  });
});
