/**
 * A read that many events ask for: while one runs, further calls share its promise and make it
 * run once more when it ends (so a change seen during a read is never missed, and reads never
 * pile up).
 */
export function coalesced(run: () => Promise<void>, stopped: () => boolean): () => Promise<void> {
  let current: Promise<void> | null = null;
  let again = false;
  return () => {
    if (current) {
      again = true;
      return current;
    }
    const p = (async () => {
      do {
        again = false;
        await run();
      } while (again && !stopped());
    })().finally(() => (current = null));
    current = p;
    return p;
  };
}
