import { splitDomainName } from '../../agent/parse/xl-state.js';
import { parseXmList } from '../../agent/parse/xm-list.js';
import type { ListedDomain } from '../../agent/state/ledger.js';
import type { InventoryDomain } from '../../shared/inventory.js';
import { XM_LIST_HEADER, xmListRow } from '../sim/render/xm-list.js';

/** NAMES as `xl list` prints them, split as its parser splits them (NAME--incoming is NAME's). */
export const xlListed = (...names: string[]): ListedDomain[] => names.map((name) => ({ name, ...splitDomainName(name) }));

/** NAMES as `xm list` prints them, read by the xm parser itself (migrating-NAME is NAME's). */
export function xmListed(...names: string[]): ListedDomain[] {
  // printed as the simulator prints xend's list (its printf formats)
  const r = parseXmList(XM_LIST_HEADER + names.map((n, i) => xmListRow(n, String(i), 512, 1, '-b----', 1)).join(''));
  if (!r.ok) throw new Error(`test xm list did not parse: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** NAME's row in `xl list` as the agent reads it, paused, with its migration suffix (MIGRATION null: under its own name). */
export const migrationRow = (name: string, migration: InventoryDomain['migration'], domid = 3): InventoryDomain => ({
  name: migration ? `${name}--${migration}` : name,
  baseName: name,
  domid,
  state: 'paused',
  stateLetters: '--p---',
  shutdownReason: null,
  cpuTimeS: 0,
  memMiB: 1024,
  vcpus: 1,
  migration,
});
