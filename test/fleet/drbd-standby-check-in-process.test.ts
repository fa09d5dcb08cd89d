import { afterEach, describe, expect, it } from 'vitest';
import { hostStateOf } from '../../agent/core/host-state.js';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { TEST_TIMERS } from '../harness/agent-on-sim.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';

// A domU guarded on its home xen1 only: xen2 holds its standby replica (web1's config only in
// xen2's config dir /etc/xen, r1's .res naming both). xen2's agent reports r1 all the same, so
// `check` judges the pair from the side still there: the home powered off leaves xen2's r1
// Connecting, which is flagged; a split brain shows on both sides. A healthy pair (the standby
// Secondary under the home's Primary) is OK: nothing flagged twice, no false alert.
const FLEET = (drbd: string): string => `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=${drbd} migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=${drbd} migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;
const LOOK = "replication is down; look at the peer's Dom0 (is it up, is r1 up there?) and the network between them: drbdadm status r1 on both";
const SPLIT = 'nothing replicates; after a split brain, see "DRBD split brain" in the README';

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

type Source = 'events2' | 'poll';
const configOf = (source: Source) => (source === 'poll' ? { ...TEST_TIMERS, events: { ...TEST_TIMERS.events, drbd: 'poll' as const } } : TEST_TIMERS);

/** The pair, web1 guarded on xen1 alone; BEFORE runs before the agents start. */
async function pair(drbd: string, source: Source, before: (f: Fleet) => void = () => undefined): Promise<Fleet> {
  const f = (fleet = await startFleet(FLEET(drbd), { controller: true }));
  before(f);
  for (const h of ['xen1', 'xen2']) f.startAgent(h, configOf(source));
  const core = f.controller!.core;
  await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting');
  return f;
}

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
const drbdLines = (f: Fleet): string[] => check(f).details.filter((d) => d.text.startsWith('DRBD ')).map((d) => `${d.status}: ${d.text}`);
/** what HOST's agent reports (and the controller holds, once its delta is in) */
const reportedOn = (f: Fleet, host: string) => hostStateOf(f.agent(host).core.current).drbd.resources;
const guardedOn = (f: Fleet, host: string): string[] => hostStateOf(f.agent(host).core.current).guarded.map((g) => g.name);
const line = (drbd: string, host: string, peer: string, state: string, hint: string): string => `WARNING: DRBD r1 on ${host}: ${drbd === '9' ? `peer ${peer}` : 'the peer'} not connected (${state}): ${hint}`;

describe("check sees a standby replica's side of a DRBD pair (real agent cores, in process)", () => {
  for (const drbd of ['9', '8.4.11']) {
    for (const source of ['events2', 'poll'] as const) {
      describe(`DRBD ${drbd}, ${source}`, () => {
        it('healthy: xen2 reports r1 Secondary under the Primary home, and check is OK', async () => {
          const f = await pair(drbd, source);
          await f.until(() => reportedOn(f, 'xen2').some((r) => r.name === 'r1'), 'xen2 reporting r1');
          await f.until(() => check(f).status === 'OK', 'OK');
          expect(guardedOn(f, 'xen2')).toEqual([]);
          expect(reportedOn(f, 'xen2').find((r) => r.name === 'r1')).toMatchObject({ role: 'Secondary', disk: 'UpToDate', peers: [{ role: 'Primary', connection: 'Connected', disk: 'UpToDate' }] });
          expect(check(f).details.filter((d) => /DRBD|drbd/.test(d.text))).toEqual([]);
          expect(f.controller!.core.status().alerts.filter((a) => a.kind === 'drbd-primary-on-both')).toEqual([]);
        });

        it('the home xen1 powered off: check warns of r1 on xen2, peer not connected (Connecting)', async () => {
          const f = await pair(drbd, source);
          await f.until(() => reportedOn(f, 'xen2').some((r) => r.name === 'r1'), 'xen2 reporting r1');
          f.powerOff('xen1');
          f.controller!.cut('xen1');
          await f.until(() => drbdLines(f).length === 1, 'the standby flagged', 30_000);
          expect(check(f).status).toBe('CRITICAL');
          expect(drbdLines(f)).toEqual([line(drbd, 'xen2', 'xen1', 'Connecting', LOOK)]);
          expect(check(f).summary).toContain('DRBD r1 not connected on xen2');
        });

        it('split brain (StandAlone): both sides show, live and to agents started after it', async () => {
          const standAlone = (host: string, peer: string): string => (drbd === '9' ? line(drbd, host, peer, 'StandAlone', SPLIT) : `WARNING: DRBD r1 on ${host}: no peer connection (StandAlone): ${SPLIT}`);
          const live = await pair(drbd, source);
          live.sim.drbd('r1', 'split-brain');
          await live.until(() => drbdLines(live).length === 2, 'both sides flagged', 30_000);
          expect(drbdLines(live)).toEqual([standAlone('xen1', 'xen2'), standAlone('xen2', 'xen1')]);
          await live.stop();
          const late = await pair(drbd, source, (f) => f.sim.drbd('r1', 'split-brain'));
          await late.until(() => drbdLines(late).length === 2, 'both sides flagged', 30_000);
          const dumped = (host: string, peer: string): string => (drbd === '8.4.11' && source === 'events2' ? line(drbd, host, peer, 'StandAlone', SPLIT) : standAlone(host, peer));
          expect(drbdLines(late)).toEqual([dumped('xen1', 'xen2'), dumped('xen2', 'xen1')]);
        });
      });
    }
  }
  for (const drbd of ['9', '8.4.11']) {
    it(`DRBD ${drbd}: web1 drained onto its standby and restored, both Primary mid-migration: no DRBD alert, no DRBD line in check`, async () => {
      const f = await pair(drbd, 'events2');
      const seen = { bothPrimary: false, alerts: new Set<string>(), lines: new Set<string>() };
      const sample = (): void => {
        const primary = (h: string): boolean => reportedOn(f, h).some((r) => r.name === 'r1' && r.role === 'Primary');
        if (primary('xen1') && primary('xen2')) seen.bothPrimary = true;
        for (const a of f.controller!.core.status().alerts) if (a.kind === 'drbd-primary-on-both') seen.alerts.add(a.message);
        for (const l of drbdLines(f)) seen.lines.add(l);
      };
      const job = async (req: JobRequest): Promise<Extract<JobEvent, { type: 'end' }>> => {
        const events: JobEvent[] = [];
        const started = f.controller!.core.hub.start(req, 'test', (e) => void events.push(e));
        if (!started.ok) throw new Error(started.error.message);
        await f.until(() => (sample(), events.some((e) => e.type === 'end')), `${req.kind} ends`, 600_000, 50);
        return events.find((e): e is Extract<JobEvent, { type: 'end' }> => e.type === 'end')!;
      };
      expect(await job({ kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null })).toMatchObject({ ok: true });
      expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
      expect(await job({ kind: 'restore', host: 'xen1', timeoutMs: null })).toMatchObject({ ok: true });
      expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
      await f.until(() => (sample(), check(f).status === 'OK'), 'OK after the restore', 30_000);
      expect(seen.bothPrimary).toBe(true);
      expect([...seen.alerts]).toEqual([]);
      expect([...seen.lines]).toEqual([]);
    });
  }
});
