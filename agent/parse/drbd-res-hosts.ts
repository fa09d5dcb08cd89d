/**
 * The hosts of a DRBD resource file (`/etc/drbd.d/R.res`): the names of its `on HOST {` sections
 * (8.4 and 9 alike), in file order. Comments (`#` to end of line) are ignored.
 */
export function drbdResHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    for (const m of line.matchAll(/(?:^|[\s{;])on\s+([A-Za-z0-9][A-Za-z0-9.-]*)\s*\{/g)) {
      const h = m[1] as string;
      if (!hosts.includes(h)) hosts.push(h);
    }
  }
  return hosts;
}
