import { describe, expect, it } from 'vitest';
import type { LinkUnsettled } from '../../../shared/protocol/agent-link-state.js';
import { jobsBed, SPREAD } from './jobs-bed.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

const unsettled = (at: number): LinkUnsettled => ({ peer: 'xen2', since: new Date(at).toISOString(), operationId: 'op-x', operation: 'migrate', message: 'ALARM: the agent stopped mid-migration' });

/** A drain of xen1 whose agent is SIGKILLed during the second move; 30 s later, as it stands. */
async function drainWithSourceKilled() {
  const bed = await jobsBed(SPREAD);
  const job = bed.start(DRAIN);
  await bed.until(() => bed.moves(job, 'started').length === 2, 'the second move');
  const name = bed.moves(job, 'started')[1]!.name;
  const x1 = bed.fleet.host('xen1');
  x1.crashAgent();
  await bed.clock.advance(30_000);
  return { bed, job, name, x1 };
}

describe("the source's agent SIGKILLed mid-drain, and its restart raises the move's ALARM", () => {
  it('raised when it is back: the settle ends the move as an alarm; the drain is not ok and names reconcile', async () => {
    const { bed, job, name, x1 } = await drainWithSourceKilled();
    // the restarted agent finds its own inflight record and keeps the ALARM
    x1.ledger = { ...x1.ledger, seq: x1.ledger.seq + 1, unsettled: { [name]: unsettled(bed.clock.now()) } };
    x1.restartAgent([bed.core]);
    const end = await bed.finish(job);
    expect(end.ok).toBe(false);
    expect(end.code).toBe('XH_ERR_MIGRATION_UNKNOWN');
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([[name, 'alarm']]);
    expect(end.remaining[0]?.message).toContain(`xenherd-agent reconcile ${name} on xen1`);
  });

  it('raised after the move counted: the drain ends not ok, naming the domU and the command', async () => {
    const { bed, job, name, x1 } = await drainWithSourceKilled();
    x1.restartAgent([bed.core]);
    await bed.until(() => bed.moves(job, 'moved').some((m) => m.name === name), `${name} moved`);
    x1.ledger = { ...x1.ledger, seq: x1.ledger.seq + 1, unsettled: { [name]: unsettled(bed.clock.now()) } };
    x1.publish();
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 4 });
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([[name, 'alarm']]);
    expect(end.message).toMatch(new RegExp(`^xen1 is empty and in maintenance \\(4 domU\\(s\\) moved\\), but 1 move\\(s\\) ended in an ALARM`));
    expect(end.message).toContain(`xenherd-agent reconcile ${name} on xen1`);
  });

  it('raised after the move counted, and the drain is then cancelled: its ending still names the ALARM with the not-started', async () => {
    const { bed, job, name, x1 } = await drainWithSourceKilled();
    x1.restartAgent([bed.core]);
    await bed.until(() => bed.moves(job, 'moved').some((m) => m.name === name), `${name} moved`);
    x1.ledger = { ...x1.ledger, seq: x1.ledger.seq + 1, unsettled: { [name]: unsettled(bed.clock.now()) } };
    x1.publish();
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    // the ALARM's code, the cancel marked beside it: a script reading the code alone sees the ALARM
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', cancelled: true });
    const alarms = end.remaining.filter((l) => l.blocker.kind === 'alarm');
    expect(alarms.map((l) => [l.name, l.host])).toEqual([[name, bed.fleet.where(name)[0]]]);
    const rest = end.remaining.filter((l) => l.blocker.kind !== 'alarm');
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.map((l) => l.blocker)).toEqual(Array(rest.length).fill({ kind: 'not-started', why: 'cancelled' }));
    expect(end.message).toMatch(/^the drain was cancelled: \d domU\(s\) remain on xen1 \(\d moved\); xen1 stays draining .*; 1 move\(s\) ended in an ALARM a ledger keeps: /);
    expect(end.message).toContain(`${name} runs on ${bed.fleet.where(name)[0]}, held by an ALARM xen1's ledger keeps`);
    expect(end.message).toContain(`xenherd-agent reconcile ${name} on xen1`);
  });
});
