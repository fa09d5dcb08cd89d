import { afterEach, describe, expect, it } from 'vitest';
import { hostStateOf } from '../../agent/core/host-state.js';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, type Fleet } from '../harness/fleet.js';
import { checkOf, drbdLines, drbdPair, expectSplitBrainOnBoth, look, notConnectedLine, PRIMARY_GONE, tryingWord, type Source } from './drbd-pair-check.js';

// A domU guarded on its home xen1 only: xen2 holds its standby replica (web1's config only in
// xen2's config dir /etc/xen, r1's .res naming both). xen2's agent reports r1 all the same, so
// `check` judges the pair from the side still there: the home powered off leaves xen2's r1
// Connecting, which is flagged; a split brain shows on both sides. A healthy pair (the standby
// Secondary under the home's Primary) is OK: nothing flagged twice, no false alert.
let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

/** The pair, web1 guarded on xen1 alone; BEFORE runs before the agents start. */
const pair = async (drbd: string, source: Source, before?: (f: Fleet) => void): Promise<Fleet> => (fleet = await drbdPair(drbd, source, { guardedOnBoth: false, ...(before ? { before } : {}) }));
const check = checkOf;
/** what HOST's agent reports (and the controller holds, once its delta is in) */
const reportedOn = (f: Fleet, host: string) => hostStateOf(f.agent(host).core.current).drbd.resources;
const guardedOn = (f: Fleet, host: string): string[] => hostStateOf(f.agent(host).core.current).guarded.map((g) => g.name);
const line = notConnectedLine;

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

        it("the home xen1 powered off: check warns of r1 on xen2, peer not connected (Connecting; 8.4's WFConnection)", async () => {
          const f = await pair(drbd, source);
          await f.until(() => reportedOn(f, 'xen2').some((r) => r.name === 'r1'), 'xen2 reporting r1');
          f.powerOff('xen1');
          f.controller!.cut('xen1');
          await f.until(() => drbdLines(f).length === 1, 'the standby flagged', 30_000);
          expect(check(f).status).toBe('CRITICAL');
          // in the words of the resource's own DRBD: 8.4's /proc/drbd says cs:WFConnection
          // and that the Primary went with xen1, web1 with it unless it runs on cut off
          expect(drbdLines(f)).toEqual([line(drbd, 'xen2', tryingWord(drbd), `${look('xen1 (unreachable, last heard N s ago)')}; ${PRIMARY_GONE}`)]);
          expect(check(f).summary).toContain('DRBD r1 (web1) not connected on xen2');
        });

        it('split brain (StandAlone): both sides show, live and to agents started after it', () => expectSplitBrainOnBoth(drbd, source, (before) => pair(drbd, source, before)));
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
