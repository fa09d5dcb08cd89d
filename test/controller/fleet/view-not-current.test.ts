import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { VIEW_NOT_CURRENT_GRACE_MS } from '../../../controller/fleet/view-not-current.js';
import { whereMatches, whereWithViews } from '../../../controller/fleet/views.js';
import { compilePattern } from '../../../shared/name-pattern.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import type { CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { dom, guarded, hostState, record } from '../states.js';
import { checkAt } from './check-bed.js';

// A Dom0 whose `xl list` hangs or fails: its agent reports no domains and says its view is unknown.
// What runs there is unknown; check must say so, and must not call its domUs down.
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
const unlisted = (name: string, ago: number) => guarded(name, [`r-${name}`], { decision: 'defer', reason: 'domains-unknown', detail: 'the toolstack cannot list domains now', since: iso(NOW - ago) });

const host = (name: string, parts: Partial<HostState>, view?: { view: 'behind' | 'unknown'; ago: number }, lastSeen = NOW): HostRecord => ({
  ...record(name, hostState(parts), lastSeen, true),
  ...(view === undefined ? {} : { viewLag: { view: view.view, since: NOW - view.ago } }),
});

/** xen1 not listing its domains (VIEW for AGO), guarding web1 and web2; xen2 runs db1 and guards ops1, which runs nowhere */
function fleet(view: { view: 'behind' | 'unknown'; ago: number } | undefined, xen1: Partial<HostState> = {}, xen1Seen = NOW): HostRecord[] {
  return [
    host('xen1', { homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }, { name: 'web2', peer: 'xen2', source: 'migrate-tab' }], ...xen1 }, view, xen1Seen),
    host('xen2', { domains: [dom('db1')], homes: [{ name: 'db1', peer: 'xen1', source: 'migrate-tab' }, { name: 'ops1', peer: null, source: 'guarded' }], guarded: [guarded('ops1', ['r-ops1'], { decision: 'skip', reason: 'not-enabled', since: iso(NOW - 60 * MIN) })] }),
  ];
}

const check = checkAt(fresh);
const lines = (a: CheckAnswer): string[] => a.details.map((d) => `${d.status}: ${d.text}`);

describe('check of a host whose agent cannot list its domains', () => {
  it('OK within the grace, a WARNING naming the host, since when, what it means and where to look after it', () => {
    expect(check(fleet({ view: 'unknown', ago: VIEW_NOT_CURRENT_GRACE_MS })).status).toBe('OK');
    const w = check(fleet({ view: 'unknown', ago: 3 * MIN }));
    expect(w.status).toBe('WARNING');
    expect(w.summary).toBe('xen1 cannot list its domains');
    expect(lines(w)).toEqual([
      `WARNING: xen1: its agent cannot read its domains (xl list) since 2023-11-14 22:10 UTC (3 min): what runs there is unknown; look at xl and xenstored on xen1: does \`xl list\` answer there?`,
    ]);
    expect(w.details[0]).toMatchObject({ kind: 'view-not-current', subject: 'xen1' });
  });

  it('behind for long: a WARNING too, in its own words', () => {
    expect(lines(check(fleet({ view: 'behind', ago: 2 * MIN })))).toEqual([expect.stringMatching(/^WARNING: xen1: its agent's view of its domains is behind since .* \(2 min\): a domain change there is not read back by xl list/)]);
  });

  it('an unreachable host is said unreachable, not this', () => {
    const texts = lines(check(fleet({ view: 'unknown', ago: 3 * MIN }, {}, NOW - MIN)));
    expect(texts).toEqual([expect.stringMatching(/^CRITICAL: xen1: agent unreachable/)]);
  });

  it('its domUs deferred for domains-unknown are never "not running anywhere": the host line names them, past any deferral threshold', () => {
    const w = check(fleet({ view: 'unknown', ago: 16 * MIN }, { guarded: [unlisted('web1', 16 * MIN), unlisted('web2', 16 * MIN), unlisted('db1', 16 * MIN)] }));
    // a WARNING: nobody knows they are down; db1 runs on xen2, so it is not in doubt
    expect(w.status).toBe('WARNING');
    expect(lines(w)).toEqual([expect.stringContaining('xen1: its agent cannot read its domains (xl list) since 2023-11-14 21:57 UTC (16 min): what runs there is unknown (whether web1 and web2 run there is unknown: its agent defers their starts until it can tell); look at')]);
  });

  it('an agent that does not tell its view: its own deferral reason says it, and check does not call the domU down', () => {
    const texts = lines(check(fleet(undefined, { guarded: [unlisted('web1', 6 * MIN)] })));
    expect(texts).toEqual(['WARNING: web1: unknown whether it runs: xen1 cannot list its domains (xl list), and defers its start for 6 min (domains-unknown: the toolstack cannot list domains now)']);
  });
});

describe('where, while a host cannot list its domains', () => {
  const where = (records: HostRecord[], pattern: string) => {
    const m = mergeFleet(records, fresh);
    const p = compilePattern(pattern);
    if (!p.ok) throw new Error(p.error);
    return whereWithViews(whereMatches(m.index, p.value, fresh, () => []), m.index, fresh);
  };

  it('a domU running nowhere is not vouched for, and the answer names the host and for how long', () => {
    const a = where(fleet({ view: 'unknown', ago: 3 * MIN }), 'web1');
    expect(a.notListing).toEqual([{ host: 'xen1', view: 'unknown', forMs: 3 * MIN }]);
    expect(a.matches.map((m) => [m.name, m.reachable])).toEqual([['web1', false]]);
    // homed on a current host, but xen1 cannot list anything: it may run there
    expect(where(fleet({ view: 'unknown', ago: 3 * MIN }), 'ops1').matches.map((m) => m.reachable)).toEqual([false]);
  });

  it('behind: only a domU homed there is in doubt; one running somewhere pays no pass over the hosts', () => {
    expect(where(fleet({ view: 'behind', ago: MIN }), 'ops1').matches.map((m) => m.reachable)).toEqual([true]);
    expect(where(fleet({ view: 'behind', ago: MIN }), 'web1').matches.map((m) => m.reachable)).toEqual([false]);
    expect(where(fleet({ view: 'unknown', ago: MIN }), 'db1')).toMatchObject({ notListing: [], matches: [{ name: 'db1', reachable: true }] });
  });
});
