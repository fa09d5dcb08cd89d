import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../agent/core/events.js';
import { StateDiskReads } from '../../../agent/run/state-disk-reads.js';
import type { LinkStateDisk } from '../../../shared/protocol/state-disk.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { memoryLogger } from '../../harness/memory-log.js';

// A write of the agent's own under its dirs that failed reads them again at once (not at the next
// minute), and a failed test write then names that write: what could not be recorded.
const full = (role: LinkStateDisk['role'], at: string): LinkStateDisk => ({ role, dir: role === 'state' ? '/var/lib/xenherd' : '/run/xenherd', freeBytes: 0, totalBytes: 1 << 30, readAt: at, failure: { code: 'ENOSPC', at, what: 'a test write' } });

describe('a failed write of the agent\'s own', () => {
  it('reads the dirs at once, naming the write in its dir\'s failure and the test write in the other\'s', async () => {
    const clock = deterministicClock(Date.UTC(2025, 0, 1));
    const posted: AgentEvent[] = [];
    const asked: string[] = [];
    // the reading arrives as a posted event, however many turns the read takes: wait for that post
    let heard: () => void = () => undefined;
    const reading = new Promise<void>((resolve) => (heard = resolve));
    const post = (ev: AgentEvent): void => { posted.push(ev); heard(); };
    const reads = new StateDiskReads({ clock, log: memoryLogger(clock, 'test').log, readStateDisks: async (at) => (asked.push(at), [full('state', at), full('runtime', at)]) }, post);
    expect(reads.failed('/var/lib/xenherd/ledger.json: ENOSPC', { role: 'state', what: 'the migration ledger' })).toBe('/var/lib/xenherd/ledger.json: ENOSPC');
    expect(asked).toEqual(['2025-01-01T00:00:00.000Z']);
    await reading;
    expect(posted).toHaveLength(1);
    const ev = posted[0];
    if (ev?.t !== 'state-disks-read') throw new Error(`not a reading: ${JSON.stringify(ev)}`);
    expect(ev.readings.map((d) => d.failure?.what)).toEqual(['the migration ledger', 'a test write']);
    clock.stop();
  });
});
