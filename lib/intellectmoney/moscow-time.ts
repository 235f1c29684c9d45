// IntellectMoney reads `expireDate` as Moscow time (docs/protocols/intellectmoney.md §1). Moscow has been
// UTC+3 all year since 2014 (no DST), so it is plain arithmetic on the UTC instant: the server's TZ never
// enters (§7 pitfall 6).
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD HH:MM:SS` in Moscow time. */
export function formatMoscowDateTime(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("formatMoscowDateTime: invalid date");
  const m = new Date(ms + MOSCOW_OFFSET_MS);
  return (
    `${m.getUTCFullYear()}-${pad(m.getUTCMonth() + 1)}-${pad(m.getUTCDate())} ` +
    `${pad(m.getUTCHours())}:${pad(m.getUTCMinutes())}:${pad(m.getUTCSeconds())}`
  );
}
