import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { arrivalWait, moveShown } from '../../../controller/plan/arrival-wait.js';
import { dom, hostState, record } from '../states.js';

// The one judgement of how long a move its agent called done waits for the reports: a drain's
// moves (jobs/confirm-arrival.ts) and an operator's migrate or reverse (core/confirming-sink.ts).

const LIMITS = { arrivalWaitMs: 30_000, settleTimeoutMs: 600_000, settleRetryMs: 2_000 };
const MOVED_AT = 1_000_000;
const recordsOf = (...rs: HostRecord[]) => (h: string): HostRecord | undefined => rs.find((r) => r.host === h);

describe('arrivalWait', () => {
  it('within arrivalWaitMs: wait for the rest of it', () => {
    const records = recordsOf(record('xen2', hostState(), MOVED_AT + 1_000));
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 10_000, LIMITS)).toEqual({ kind: 'wait', ms: 20_000, unheard: null });
  });

  it('past it, every host waited on heard since: the reports disagree with the agent', () => {
    const records = recordsOf(record('xen2', hostState(), MOVED_AT + 29_000));
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 30_000, LIMITS)).toEqual({ kind: 'unconfirmed', waitedMs: 30_000 });
  });

  it('past it, a host not heard from since (link down): waited for, looked at again every settleRetryMs, up to settleTimeoutMs', () => {
    const records = recordsOf(record('xen2', hostState(), MOVED_AT - 5_000, false));
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 30_000, LIMITS)).toEqual({ kind: 'wait', ms: 2_000, unheard: { host: 'xen2', lastSeen: MOVED_AT - 5_000 } });
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 599_000, LIMITS)).toMatchObject({ kind: 'wait', ms: 1_000 });
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 600_000, LIMITS)).toEqual({ kind: 'unheard', waitedMs: 600_000, unheard: { host: 'xen2', lastSeen: MOVED_AT - 5_000 } });
  });

  it('heard since, but on a link that is down now, is not heard: its word may be on the way', () => {
    const records = recordsOf(record('xen2', hostState(), MOVED_AT + 3_000, false));
    expect(arrivalWait(records, ['xen2'], MOVED_AT, MOVED_AT + 30_000, LIMITS)).toMatchObject({ kind: 'wait', unheard: { host: 'xen2' } });
  });
});

describe('moveShown', () => {
  it('waits on the target until it lists NAME running, and on a source until it lists it no more', () => {
    const half = recordsOf(record('xen1', hostState({ domains: [dom('web1', { migration: 'migratedaway' })] })), record('xen2', hostState({ domains: [dom('web1', { migration: 'incoming' })] })));
    expect(moveShown(half, { name: 'web1', from: ['xen1'], to: 'xen2' }, MOVED_AT, 3_000)).toEqual({ shown: false, waiting: ['xen1', 'xen2'] });
    const done = recordsOf(record('xen1', hostState()), record('xen2', hostState({ domains: [dom('web1')] })));
    expect(moveShown(done, { name: 'web1', from: ['xen1'], to: 'xen2' }, MOVED_AT, 3_000)).toEqual({ shown: true, waiting: [] });
  });

  it('a target not known (a migrate whose agent picks it, and nothing shows where): not shown, no host to wait on', () => {
    const records = recordsOf(record('xen1', hostState()));
    expect(moveShown(records, { name: 'web1', from: ['xen1'], to: null }, MOVED_AT, 3_000)).toEqual({ shown: false, waiting: [] });
  });
});
