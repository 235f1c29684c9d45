// Values that go into a `::`-joined hash (docs/protocols/intellectmoney.md «Joined strings must be
// unambiguous»). Every IntellectMoney MD5 joins its fields with `::` and puts the secret last, so a value
// that contains `::`, or a `:` at its edge (`a:` + `::` + `b` = `a` + `::` + `:b`), moves the boundaries
// between fields: the hash of one tuple becomes the hash of another. With the invoice hash (5 fields)
// visible to the buyer, that turned an invoice whose serviceName held `x::acc::1500.00::RUB::5::un` into a
// valid «paid» result notification (11 fields). Two rules close it, and the property test in
// hash-shift.property.test.ts proves them together:
//   - every value WE put into a joined string is made safe first (safeSegment);
//   - a received tuple that holds an unsafe value is refused before anything changes (firstShiftingField).
// When no field of either tuple is unsafe, the joined string splits back into its fields in exactly one
// way, so a 5-field string can never equal a 10-field one.
//
// The secret needs no rule: every formula ends with `::` + the same secret, so two joined strings are
// equal exactly when the parts before that suffix are — whatever the secret contains.

/** Does this value, placed between two `::`, blur the boundary with its neighbours? */
export function segmentCouldShift(value: string): boolean {
  return value.includes("::") || value.startsWith(":") || value.endsWith(":");
}

/**
 * Our own text made safe for a hashed field: runs of colons become one, colons (and the spaces around
 * them) are trimmed from both ends. «Заказ №9999 :: сайт» → «Заказ №9999 : сайт». Only ever shortens,
 * so apply it after any cut to a maximum length.
 */
export function safeSegment(value: string): string {
  return value.replace(/:{2,}/g, ":").replace(/^[\s:]+|[\s:]+$/g, "");
}

/** The first of `names` whose value could shift the fields of `fields`, or null when none can. */
export function firstShiftingField<K extends string>(fields: Record<K, string>, names: readonly K[]): K | null {
  for (const name of names) if (segmentCouldShift(fields[name])) return name;
  return null;
}
