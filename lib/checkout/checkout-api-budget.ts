// How many InSales API look-ups unsigned checkouts may cost a shop (issue 12 item 6). A checkout whose
// signature fails is verified by reading the order through the API with the shop's own credentials
// (checkout-verify.ts), and anyone can send a bad signature: 30 forged checkouts were 30 calls against the
// shop's quota of 500 requests per 5 minutes (docs/protocols/insales.md §1 «API calls»), which the
// merchant's other apps and our own receipts and gateway set-up share.
//
// 5 look-ups per shop per minute: at most 25 of the 500 per 5-minute window (5 %), whatever a forger
// sends. Genuine fallback checkouts are rare — they happen only while the payment method's «Пароль» is
// wrong, and then the merchant's problem says so — and 5 per minute still covers a small shop's normal
// traffic until it is fixed. Over the budget the checkout is refused without calling InSales (the buyer
// is asked to try again in a minute).
//
// A fixed window in PostgreSQL, one statement per take, so every app instance draws from one budget and
// concurrent takes count exactly.
import { takeFromCallBudget } from "./checkout-store";

export const FALLBACK_LOOKUPS_PER_WINDOW = 5;
export const FALLBACK_WINDOW_SECONDS = 60;

const PURPOSE = "checkout_api_fallback";

/** Takes one look-up from the shop's budget; false when the window's budget is spent (nothing taken). */
export function takeFallbackLookup(shopId: string): Promise<boolean> {
  return takeFromCallBudget({ shopId, purpose: PURPOSE, windowSeconds: FALLBACK_WINDOW_SECONDS, limit: FALLBACK_LOOKUPS_PER_WINDOW });
}
