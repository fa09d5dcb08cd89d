import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { jobsBed, rollToEnd, SPREAD } from './jobs-bed.js';

// An agent restarted (an upgrade of it, say) right as a roll's restore sets its Dom0 online: the
// command is lost with the link, the Dom0 stays restoring, out of service. The roll must not say
// it rolled every host.
const ROLL: JobRequest = { kind: 'roll', hosts: ['xen1', 'xen2', 'xen3'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };

describe("a roll whose restore end does not reach a Dom0's agent", () => {
  it('ends failed naming the host left restoring, and the same roll asked again sets it online', async () => {
    const bed = await jobsBed(SPREAD);
    let stopped: string | null = null;
    for (const d of bed.fleet.hosts.values()) {
      d.onCommand = (c) => {
        if (stopped !== null || c.op !== 'maintenance' || c.state !== 'online') return;
        stopped = d.name;
        d.crashAgent();
      };
    }
    const job = bed.start(ROLL);
    await rollToEnd(bed, job);
    const host = stopped as string | null;
    expect(host).not.toBeNull();
    const end = job.end;
    expect(end, end?.message).toMatchObject({ ok: false, code: 'XH_ERR_AGENT_LINK_LOST' });
    expect(end?.message).toContain(`${host} is left restoring, as setting it online failed: `);
    // the sentence has named the host: the refusal it quotes goes on with "it", not the name again
    expect(end?.message).toContain(`${host} is left restoring, as setting it online failed: it refused to be set online: `);
    expect(end?.message).toContain(`the same roll asked again continues its restore and sets it online (or \`xenherdctl maintenance ${host} off\`)`);
    const d = bed.fleet.host(host as string);
    expect(d.maintenance.state).toBe('restoring');

    d.restartAgent([bed.core]);
    await bed.clock.advance(1_000);
    const again = bed.start(ROLL);
    await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, again.end?.message).toMatchObject({ ok: true });
    for (const h of bed.fleet.hosts.values()) expect([h.name, h.maintenance.state]).toEqual([h.name, 'online']);
    // taken up as a restore: drained once, by the first roll
    expect(d.commands.filter((c) => c.op === 'maintenance' && c.state === 'draining' && !c.from.includes('draining'))).toHaveLength(1);
    bed.neverTwice();
  });
});
