/**
 * Whether an answer from the Dom0 named HOST is the one asked for as ASKED: the same name, or one the
 * other's first label (ssh may reach xen2 as xen2.example.org). A stale ~/.ssh/config entry, hosts
 * file or DNS record sends `status` to another Dom0, and its answer (not there, this much free
 * memory, these tools) would be taken for the peer's; xl migrate, over the same name, goes there too.
 */
export function answersAs(asked: string, host: string): boolean {
  const a = asked.toLowerCase();
  const h = host.toLowerCase();
  return a === h || a.split('.')[0] === h || h.split('.')[0] === a;
}
