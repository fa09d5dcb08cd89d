// The controller's journal of DRBD links lost and back (ReplicationLog) works a host's view out
// again only when a report changed what the view reads; along any sequence of reports it says what
// working the view out at every report says.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplicationLog } from '../../../controller/core/replication-log.js';
import { CONNECTED, replicationView, type LinkSeen, type ReplicationChange, type ReplicationView } from '../../../controller/fleet/replication-changes.js';
import type { HostState, LinkDomain, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

const NAMES = ['web1', 'web2', 'db1'];

/**
 * The changes between two views judged by keeping each host's whole last view (each link's domUs,
 * peer and state), as the journal once did: the journal, keeping only each link's state, must say
 * what this says.
 */
function changesKeepingViews(before: ReplicationView | undefined, next: ReplicationView): { view: ReplicationView; changes: ReplicationChange[] } {
  const view = new Map<string, LinkSeen>();
  const changes: ReplicationChange[] = [];
  for (const [resource, seen] of next) {
    const was = before?.get(resource);
    const link = seen.state === null && was !== undefined ? { ...seen, state: was.state } : seen;
    view.set(resource, link);
    if (was === undefined || was.state === null || link.state === null || (was.state === CONNECTED) === (link.state === CONNECTED)) continue;
    changes.push({ kind: link.state === CONNECTED ? 'back' : 'lost', link, from: was.state, to: link.state });
  }
  return { view, changes };
}
const CONNECTIONS = ['Connected', 'Connected', 'WFConnection', 'StandAlone', null] as const;

/** One report's change, as an agent's delta brings it: one section replaced, the others the very objects held. */
type Step =
  | { kind: 'memory'; row: number; memMiB: number }
  | { kind: 'state'; row: number; state: LinkDomain['state'] }
  | { kind: 'migration'; row: number; migration: LinkDomain['migration'] }
  | { kind: 'rows'; names: string[] }
  | { kind: 'drbd'; connections: Array<(typeof CONNECTIONS)[number]> }
  | { kind: 'heartbeat' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('memory' as const), row: fc.nat(5), memMiB: fc.constantFrom(1024, 2048) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('state' as const), row: fc.nat(5), state: fc.constantFrom<LinkDomain['state']>('running', 'blocked', 'paused', 'stopped', 'dying') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('migration' as const), row: fc.nat(5), migration: fc.constantFrom<LinkDomain['migration']>(null, 'incoming', 'migratedaway') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rows' as const), names: fc.shuffledSubarray(NAMES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drbd' as const), connections: fc.tuple(...NAMES.map(() => fc.constantFrom(...CONNECTIONS))) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const) }) },
);

const resource = (name: string, connection: (typeof CONNECTIONS)[number]): LinkDrbdResource => {
  const p = primary(`r-${name}`, 'xen2');
  return { ...p, peers: p.peers.map((x) => ({ ...x, connection, replication: connection === 'Connected' ? 'Established' : 'Off' })) };
};

/** S after STEP: only the section the step changes is a new object, and only its changed row. */
function after(s: HostState, step: Step): HostState {
  const row = (i: number, change: (d: LinkDomain) => LinkDomain): HostState => {
    const d = s.domains[i % Math.max(1, s.domains.length)];
    return d === undefined ? s : { ...s, domains: s.domains.map((x) => (x === d ? change(x) : x)) };
  };
  switch (step.kind) {
    case 'memory':
      return row(step.row, (d) => ({ ...d, memMiB: step.memMiB }));
    case 'state':
      return row(step.row, (d) => ({ ...d, state: step.state, domid: step.state === 'stopped' ? null : 7 }));
    case 'migration':
      return row(step.row, (d) => ({ ...d, migration: step.migration, name: step.migration === null ? d.baseName : `${d.baseName}--${step.migration}` }));
    case 'rows':
      return { ...s, domains: step.names.map((n) => s.domains.find((d) => d.baseName === n) ?? dom(n)) };
    case 'drbd':
      return { ...s, drbd: { availability: 'ok', resources: NAMES.map((n, i) => resource(n, step.connections[i] ?? 'Connected')) } };
    case 'heartbeat':
      return s;
  }
}

describe('the journal of DRBD links of running domUs', () => {
  it('says along any sequence of reports what working the view out at every report says', () => {
    let said = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        const clock = deterministicClock(1_000_000);
        const { log, lines } = memoryLogger(clock, 'controller');
        const journal = new ReplicationLog(log);
        let s = hostState({
          domains: NAMES.map((n) => dom(n)),
          guarded: NAMES.map((n) => guarded(n)),
          drbd: { availability: 'ok', resources: NAMES.map((n) => resource(n, 'Connected')) },
        });
        let view: ReplicationView | undefined;
        const expected: string[] = [];
        for (const step of [{ kind: 'heartbeat' as const }, ...steps]) {
          s = after(s, step);
          journal.note(record('xen1', s));
          const r = changesKeepingViews(view, replicationView('xen1', s));
          view = r.view;
          expected.push(...r.changes.map((c) => `${c.kind} ${c.link.resource} ${c.link.domus.join(',')} ${c.link.peer ?? '?'} ${c.from}->${c.to}`));
        }
        const logged = lines.map((l) => `${l['event'] === 'replication-lost' ? 'lost' : 'back'} ${String(l['resource'])} ${String(l['domus'])} ${String(l['peer'] ?? '?')} ${String(l['from'])}->${String(l['to'])}`);
        expect(logged).toEqual(expected);
        said += expected.length;
      }),
      {
        seed: FUZZ_SEED,
        numRuns: 300,
        // web1 stops, its link is cut meanwhile, it runs again, and the link comes back: the view must
        // take web1 in again as it runs again, or the link's coming back goes unsaid
        examples: [
          [
            [
              { kind: 'state', row: 0, state: 'stopped' },
              { kind: 'drbd', connections: ['WFConnection', 'Connected', 'Connected'] },
              { kind: 'state', row: 0, state: 'running' },
              { kind: 'drbd', connections: ['Connected', 'Connected', 'Connected'] },
            ],
          ],
        ],
      },
    );
    // links did go and come back along the sequences drawn: an empty journal on both sides proves nothing
    expect(said).toBeGreaterThan(100);
  });
});
