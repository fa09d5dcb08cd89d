// What an agent's report does in the core (agent-reports.ts): a delta of figures alone, and a
// heartbeat, go to takeFigures, written into the record the fleet view holds
// (controller/fleet/figures-only.ts), not to put as a new record; anything else to put. The
// answers cannot tell the two ways apart (that is the point, and the property test in
// test/controller/fleet/figures-only.test.ts checks it), so which way a message took is read here
// from the deps it called, with a real session, fleet index and stored records under them.
import { describe, expect, it } from 'vitest';
import { AgentReports } from '../../../controller/core/agent-reports.js';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import { FleetPush } from '../../../controller/core/fleet-push.js';
import { DEFAULT_SETTINGS } from '../../../controller/core/settings.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { storedRecord } from '../../../controller/fleet/stored-record.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { AGENT_LINK_PROTOCOL_VERSION, type DeltaMessage } from '../../../shared/protocol/agent-link.js';
import { domainRowsBetween } from '../../../shared/protocol/domain-rows.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { dom, hostState } from '../states.js';

const T0 = 1_000_000;
const SETTINGS = { ...DEFAULT_SETTINGS, heartbeatMs: 1_000, staleAfterMs: 3_000 };
const BEFORE = [dom('web01', { memMiB: 1024 }), dom('db01', { memMiB: 2048 }), dom('mx01', { memMiB: 512 })];

/** AgentReports over a real session and fleet index, each dep it calls named in CALLS */
function reportsBed() {
  const clock = deterministicClock(T0);
  const { log } = memoryLogger(clock, 'xenherd-controller');
  // a real session of a core of its own: what AgentReports reads of it is its host and its link
  const session = new ControllerCore({ clock, log, newId: () => 'id', settings: SETTINGS }).acceptAgent(memoryLinkPair({ name: 'xen1', clock }).controller, { host: 'xen1' });
  const sessions = new Map([['xen1', session]]);
  const index = new FleetIndex();
  const calls: string[] = [];
  const fresh = () => ({ now: clock.now(), staleAfterMs: SETTINGS.staleAfterMs });
  const push = new FleetPush({ index, sessions, clock, after: (ms, fn) => void clock.schedule(ms, fn), coalesceMs: 100, fresh, closed: () => false, enrolment: () => undefined });
  const reports = new AgentReports({
    clock,
    log,
    settings: SETTINGS,
    sessions,
    record: (h) => index.record(h),
    put: (r, announce = true) => {
      calls.push(announce ? 'put' : 'put unannounced');
      return index.put(storedRecord(r, index.record(r.host), clock.now(), SETTINGS.staleAfterMs));
    },
    takeFigures: (h, u, announce = true) => {
      calls.push(announce ? 'takeFigures' : 'takeFigures unannounced');
      index.takeFigures(h, u);
    },
    push,
    received: () => undefined,
    alertsSoon: () => undefined,
    enrolledCount: () => 1,
  });
  return { clock, session, index, calls, reports };
}

/** a delta of the rows taking BEFORE to AFTER (feature domain-rows), with MEMORY */
function rowsDelta(seq: number, at: number, after: LinkDomain[], memory?: DeltaMessage['state']['memory']): DeltaMessage {
  const rows = domainRowsBetween(BEFORE, after);
  if (rows === null) throw new Error('the test means a delta of changed rows');
  return { type: 'delta', seq, at, state: memory === undefined ? {} : { memory }, rows };
}

describe('which way a report takes in the core', () => {
  it('figures alone and a heartbeat are written in, announced and not; a row whose state moved is put as a new record', async () => {
    const b = reportsBed();
    b.reports.hello(b.session, { type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host: 'xen1', bootId: 'boot-xen1', agentVersion: '0.1.0', capabilities: ['domain-rows'] });
    b.reports.report(b.session, { type: 'snapshot', seq: 1, at: T0, state: hostState({ domains: BEFORE }) });
    expect(b.calls).toEqual(['put', 'put']);
    const held = b.index.record('xen1');

    await b.clock.advance(200);
    b.reports.report(b.session, rowsDelta(2, b.clock.now(), [dom('web01', { memMiB: 3072 }), ...BEFORE.slice(1)], { totalMiB: 65536, freeMiB: 100 }));
    b.reports.seen(b.session, b.clock.now());
    expect(b.calls.slice(2)).toEqual(['takeFigures', 'takeFigures unannounced']);
    expect(b.index.record('xen1')).toBe(held);
    expect(b.index.record('xen1')).toMatchObject({ lastSeen: T0 + 200, state: { memory: { freeMiB: 100 }, domains: [{ name: 'web01', memMiB: 3072 }, {}, {}] } });

    b.reports.report(b.session, rowsDelta(3, b.clock.now(), [dom('web01', { memMiB: 3072 }), dom('db01', { memMiB: 2048, state: 'paused' }), ...BEFORE.slice(2)]));
    expect(b.calls.slice(4)).toEqual(['put']);
    expect(b.index.record('xen1')).not.toBe(held);
  });
});
