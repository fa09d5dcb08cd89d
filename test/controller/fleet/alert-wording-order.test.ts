// The same fleet words its alerts the same whatever order its hosts reported in: an alert's
// message is read, compared and re-sent, and one that shuffles its clauses at each controller
// restart reads as a new problem. Each fleet here is put into an index in every order of its
// hosts, and every order must give the alerts of the first, messages included.
import { describe, expect, it } from 'vitest';
import { findAlerts } from '../../../controller/fleet/fleet-alerts.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { away, dom, guarded, hostState, primary, record } from '../states.js';
import { indexOf, NOW } from './random-fleet.js';

const FRESH = { now: NOW, staleAfterMs: 15_000 };
const SILENT = NOW - 60_000;
const ledger = (entries: Record<string, ReturnType<typeof away>>) => ({ seq: 0, away: entries, visitors: {} });

const orders = <T>(items: readonly T[]): T[][] => (items.length <= 1 ? [[...items]] : items.flatMap((x, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest])));

/** The alerts of RECORDS, the same in every order they are met in; the first order's. */
function sameInEveryOrder(records: readonly HostRecord[]): ReturnType<typeof findAlerts> {
  const [first, ...others] = orders(records).map((o) => findAlerts(indexOf(o), FRESH));
  for (const found of others) expect(found).toEqual(first);
  return first ?? [];
}

const messageOf = (records: readonly HostRecord[], kind: string): string => sameInEveryOrder(records).find((f) => f.kind === kind)?.message ?? '';

describe('an alert message, whatever order the hosts reported in', () => {
  it('ledger-away-not-there lists the homes whose ledgers send the domU out of the fleet by name', () => {
    const xen1 = record('xen1', hostState({ ledger: ledger({ web2: away('xen1', 'xen3') }) }));
    const xen2 = record('xen2', hostState({ ledger: ledger({ web2: away('xen2', 'xen4') }) }));
    const m = messageOf([xen1, xen2], 'ledger-away-not-there');
    expect(m).toMatch(/^the ledger of xen1 sends web2 to xen3 .*; the ledger of xen2 sends web2 to xen4 /);
  });

  it('ledger-away-not-there names, of two homes sending the domU to one unheard Dom0, the first by name', () => {
    const xen1 = record('xen1', hostState());
    const xen2 = record('xen2', hostState({ ledger: ledger({ db1: away('xen2', 'xen1') }) }));
    const xen3 = record('xen3', hostState({ ledger: ledger({ db1: away('xen3', 'xen4') }) }));
    const xen4 = record('xen4', hostState(), SILENT);
    const xen5 = record('xen5', hostState({ ledger: ledger({ db1: away('xen5', 'xen4') }) }));
    expect(messageOf([xen1, xen2, xen3, xen4, xen5], 'ledger-away-not-there')).toContain("xen4 (xen3's ledger sends db1 there; unreachable");
  });

  it('a silent Dom0 two live partners are linked to is said up by the first of them by name', () => {
    const silentRun = (host: string, peer: string) => record(host, hostState({ domains: [dom('app1')], guarded: [guarded('app1', ['r5'])], drbd: { availability: 'ok', resources: [primary('r5', peer, 'Primary', 'Primary')] } }), SILENT);
    const witness = (host: string) => record(host, hostState({ drbd: { availability: 'ok', resources: [primary('r5', 'xen3', 'Secondary', 'Secondary')] } }));
    const m = messageOf([silentRun('xen3', 'xen4'), silentRun('xen4', 'xen3'), witness('xen1'), witness('xen2')], 'running-on-two-hosts');
    expect(m).toContain("xen3 is unreachable but up: xen1's DRBD r5 is connected to it now");
  });
});
