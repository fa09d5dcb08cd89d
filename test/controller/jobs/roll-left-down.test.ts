import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { interceptMigrate, jobsBed, keepUnsettled, rollToEnd, type RunningJob } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

// A roll drains each group through its own loop: a domU lost with its Dom0 mid-roll drops out of
// the group's plan, as in a drain, and must be named as a drain names it (plan/left-down.ts).

/** a1 and a2 share DRBD; a1 runs a1-1 and a1-2, a2 runs a2-1. */
const PAIR: SimSpec = {
  hosts: [{ name: 'a1' }, { name: 'a2' }],
  domus: [
    { name: 'a1-1', home: 'a1', replicas: ['a1', 'a2'], memMiB: 1024 },
    { name: 'a1-2', home: 'a1', replicas: ['a1', 'a2'], memMiB: 2048 },
    { name: 'a2-1', home: 'a2', replicas: ['a1', 'a2'], memMiB: 1024 },
  ],
};
const ROLL: JobRequest = { kind: 'roll', hosts: ['a1'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };

const named = (job: RunningJob) => job.end!.remaining.map((l) => [l.name, l.blocker.kind]);

describe('a domU lost with its Dom0 mid-roll', () => {
  it('a1 loses power mid-copy: the move is its ALARM, and the domU that died with a1 is named as running nowhere, with the fix', async () => {
    const bed = await jobsBed(PAIR);
    const a1 = bed.fleet.host('a1');
    let first: string | null = null;
    const powerLoss = (name: string): void =>
      interceptMigrate(bed, 'a1', name, () => {
        if (first !== null) return;
        first = name;
        // 3 s into the copy the Dom0 loses power; it boots again without its domUs a minute later
        bed.clock.schedule(3_000, () => {
          a1.reboot();
          bed.clock.schedule(60_000, () => a1.restartAgent([bed.core]));
        });
      });
    powerLoss('a1-1');
    powerLoss('a1-2');
    const job = bed.start(ROLL);
    await rollToEnd(bed, job);
    const other = first === 'a1-1' ? 'a1-2' : 'a1-1';
    expect(job.end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
    expect(named(job)).toEqual([
      [first, 'alarm'],
      [other, 'runs-nowhere'],
    ]);
    const down = job.end!.remaining[1]!.message;
    // the drain's own words and fix
    expect(down).toMatch(new RegExp(`^${other} runs nowhere \\(it ran on a1 when this drain began: lost with a1, a power loss or a crash\\?\\), and a1 starts nothing while it is draining: \`xenherdctl restore a1\` starts it at its home a1, bringing a1 online`));
    expect(job.end!.message).toMatch(/^group 1\/1 \(a1\): the drain did not finish \(.*\); 1 guarded domU\(s\) of a1 run nowhere: /);
    expect(job.events.some((e) => e.type === 'reboot'), 'no reboot asked of a group left with a domU down').toBe(false);
    bed.neverTwice();
  });

  it('a domU of a1 crashes while another moves: the group is empty, but the roll stops before the reboot and is no success', async () => {
    const bed = await jobsBed(PAIR);
    const a1 = bed.fleet.host('a1');
    const job = bed.start(ROLL);
    await bed.until(() => bed.moves(job, 'started').length === 1, 'the first move');
    const moving = bed.moves(job, 'started')[0]!.name;
    const other = moving === 'a1-1' ? 'a1-2' : 'a1-1';
    // the other domU dies on a1 (a crash, a halt inside the guest): nothing runs it any more
    a1.domains.delete(other);
    a1.publish();
    await rollToEnd(bed, job);
    expect(job.end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 1 });
    expect(named(job)).toEqual([[other, 'runs-nowhere']]);
    expect(job.end!.message).toMatch(
      new RegExp(`^group 1/1 \\(a1\\): empty and in maintenance, but 1 guarded domU\\(s\\) of a1 run nowhere: ${other} runs nowhere \\(it ran on a1 when this drain began: lost with a1, a power loss or a crash\\?\\), and a1 starts nothing while it is in maintenance: .*; the roll stops here, and the group stays in maintenance$`),
    );
    expect(job.events.some((e) => e.type === 'reboot')).toBe(false);
    expect(a1.maintenance.state).toBe('maintenance');
  });

  it('a move that counted but that a1 keeps as an ALARM: the roll stops before the reboot, naming where it runs and the reconcile', async () => {
    const bed = await jobsBed(PAIR);
    const a1 = bed.fleet.host('a1');
    const job = bed.start(ROLL);
    await bed.until(() => bed.moves(job, 'moved').length === 1, 'the first move');
    const name = bed.moves(job, 'moved')[0]!.name;
    keepUnsettled(bed, a1, name, 'a2', 'op-x', 'ALARM: the agent stopped mid-migration');
    a1.publish();
    await rollToEnd(bed, job);
    expect(job.end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 2 });
    expect(job.end!.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([[name, 'a2', 'alarm']]);
    expect(job.end!.message).toMatch(new RegExp(`^group 1/1 \\(a1\\): empty and in maintenance, but 1 move\\(s\\) ended in an ALARM a ledger keeps: ${name} runs on a2, held by an ALARM a1's ledger keeps .*then run xenherd-agent reconcile ${name} on a1; the roll stops here`));
    expect(job.events.some((e) => e.type === 'reboot')).toBe(false);
  });

  it('a guarded domU already down before the roll (stopped on purpose) does not stop it', async () => {
    const bed = await jobsBed(PAIR);
    const a1 = bed.fleet.host('a1');
    a1.domains.delete('a1-2');
    a1.publish();
    await bed.clock.advance(1_000);
    const job = bed.start(ROLL);
    await rollToEnd(bed, job);
    expect(job.end).toMatchObject({ ok: true, moved: 2 });
    expect(a1.maintenance.state).toBe('online');
  });
});
