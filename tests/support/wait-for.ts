// Tests only: polls until `fn` gives something truthy (a state reached by a background worker, another
// process, a server coming back), or fails with what was awaited. A deadline for a test that would
// otherwise hang, never a timing assertion. The one polling helper of the suites (vitest and the
// reliability tests alike); a caller that reports how long it waited measures around it.
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
