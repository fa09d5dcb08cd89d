import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed, type JobsBed } from './jobs-bed.js';

/** Two DRBD pairs, a1/a2 and b1/b2, each Dom0 the home of one domU replicated to its peer. */
const PAIRS: SimSpec = {
  hosts: ['a1', 'a2', 'b1', 'b2'].map((name) => ({ name })),
  domus: [
    ['a1', 'a2'],
    ['a2', 'a1'],
    ['b1', 'b2'],
    ['b2', 'b1'],
  ].map(([home, peer]) => ({ name: `${home}-vm`, home: home as string, replicas: [home as string, peer as string], memMiB: 1024 })),
};
const HOSTS = ['a1', 'a2', 'b1', 'b2'];
const ROLL: JobRequest = { kind: 'roll', hosts: HOSTS, reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };

/** a1's agent dies (its Dom0 runs on), and the controller has stopped hearing it. */
async function a1Unheard(): Promise<JobsBed> {
  const bed = await jobsBed(PAIRS);
  bed.fleet.host('a1').crashAgent();
  await bed.until(() => bed.core.hosts().hosts.find((h) => h.host === 'a1')?.reachable === false, 'a1 unheard');
  return bed;
}

describe('a roll with a Dom0 whose agent is not heard', () => {
  it('offers a roll of the others that can begin, leaving out its DRBD peer, whose domUs could go nowhere', async () => {
    const bed = await a1Unheard();
    const end = await bed.finish(bed.start(ROLL));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_AGENT_UNREACHABLE', moved: 0 });
    expect(end.message).toBe(
      'the agent of a1 is not connected (or silent): nothing was changed; a1 was last reported online: the roll did nothing to it; `xenherdctl roll b1 b2` (same options) rolls the others without it; a2 cannot be emptied without it (`xenherdctl plan roll a2` says what would stay): roll it with a1 once it is back; once a1 is back, this roll asked again takes it up where it stopped',
    );
    // what it offers is what the planner takes, and what it leaves out is what the planner refuses
    expect(await bed.core.hub.plan({ kind: 'roll', hosts: ['b1', 'b2'] })).toMatchObject({ ok: true, value: { leftovers: [] } });
    const peer = await bed.core.hub.plan({ kind: 'roll', hosts: ['a2'] });
    expect(peer.ok && peer.value.kind === 'roll' && peer.value.leftovers.map((l) => l.name)).toEqual(['a2-vm']);
  });

  it('plan roll (and roll --dry-run) refuses it as the roll does, not with groups it could not begin', async () => {
    const bed = await a1Unheard();
    const plan = await bed.core.hub.plan({ kind: 'roll', hosts: HOSTS });
    const end = await bed.finish(bed.start(ROLL));
    expect(plan).toEqual({ ok: false, error: { code: 'XH_ERR_AGENT_UNREACHABLE', message: end.message } });
  });

  it('with no other host that can be emptied, offers no roll of the others', async () => {
    const bed = await a1Unheard();
    const end = await bed.finish(bed.start({ ...ROLL, hosts: ['a1', 'a2'] }));
    expect(end.message).toBe(
      'the agent of a1 is not connected (or silent): nothing was changed; a1 was last reported online: the roll did nothing to it; a2 cannot be emptied without it (`xenherdctl plan roll a2` says what would stay): roll it with a1 once it is back; once a1 is back, this roll asked again takes it up where it stopped',
    );
  });
});

describe('a roll group one Dom0 of which does not come back from its reboot', () => {
  it('says each host back and the one awaited, and at its end how to bring those back online', async () => {
    const bed = await jobsBed(PAIRS, { rebootWaitMs: 600_000 });
    const job = bed.start(ROLL);
    await bed.until(() => job.events.some((e) => e.type === 'reboot'), 'the first reboot request');
    const group = job.events.flatMap((e) => (e.type === 'reboot' ? e.hosts : []));
    expect(group).toHaveLength(2);
    const [up, down] = group as [string, string];
    bed.fleet.host(down).reboot();
    bed.fleet.host(up).reboot();
    bed.fleet.host(up).restartAgent([bed.core]);
    const note = `group 1/2 (${[...group].sort().join(', ')}): ${up} is back (boot id boot-${up}-1); waiting for ${down}`;
    await bed.until(() => job.events.some((e) => e.type === 'note' && e.line === note), `the note that ${up} is back`);
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toMatch(
      new RegExp(`^group 1/2 \\([^)]*\\): ${down} had not come back with a new boot id when the roll was cancelled, after \\d+ s of waiting; the group stays in maintenance \\(${up} is back, empty: \`xenherdctl restore ${up}\` brings it online with its domUs home, or this roll asked again once ${down} is back\\)$`),
    );
  });
});
