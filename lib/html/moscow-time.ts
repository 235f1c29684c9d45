// Dates on the merchant's screens, in Moscow time (the time InSales and IntellectMoney show merchants).
const TO_THE_MINUTE = { timeZone: "Europe/Moscow", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" } as const;

const MOSCOW_MINUTES = new Intl.DateTimeFormat("ru-RU", TO_THE_MINUTE);
const MOSCOW_SECONDS = new Intl.DateTimeFormat("ru-RU", { ...TO_THE_MINUTE, second: "2-digit" });

/** "09.03.2026, 23:59" (Moscow time), for tables. */
export function moscowTime(at: Date): string {
  return MOSCOW_MINUTES.format(at);
}

/** "09.03.2026, 23:59:59" (Moscow time), for the timeline where seconds tell events apart. */
export function moscowTimeSeconds(at: Date): string {
  return MOSCOW_SECONDS.format(at);
}
