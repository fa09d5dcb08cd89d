import { splitDomainName } from '../../agent/parse/xl-state.js';
import { parseXmList } from '../../agent/parse/xm-list.js';
import type { ListedDomain } from '../../agent/state/ledger.js';

/** NAMES as `xl list` prints them, split as its parser splits them (NAME--incoming is NAME's). */
export const xlListed = (...names: string[]): ListedDomain[] => names.map((name) => ({ name, ...splitDomainName(name) }));

/** NAMES as `xm list` prints them, read by the xm parser itself (migrating-NAME is NAME's). */
export function xmListed(...names: string[]): ListedDomain[] {
  const rows = names.map((n, i) => `${n.padEnd(40)} ${String(i).padStart(4)}   512     1     -b----      1.0`);
  const r = parseXmList(['Name                                        ID   Mem VCPUs      State   Time(s)', ...rows, ''].join('\n'));
  if (!r.ok) throw new Error(`test xm list did not parse: ${JSON.stringify(r.error)}`);
  return r.value;
}
