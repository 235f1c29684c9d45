// Ids that arrive from outside (a URL segment, a form field, a cursor) are checked before they reach a
// query: PostgreSQL would refuse a malformed uuid with an error, and the answer must be «not found».
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
