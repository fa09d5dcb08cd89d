import { describe, expect, it } from 'vitest';
import { dom, guarded, hostState } from '../states.js';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

/** r-web01 cut off from its peer (StandAlone) on xen1, which runs web01 */
const standAlone = { name: 'r-web01', role: 'Primary' as const, disk: 'UpToDate', peers: [{ name: 'xen2', role: 'Unknown' as const, connection: 'StandAlone', disk: 'DUnknown', replication: null }] };

describe('xenherdctl where: a domU whose DRBD disk is split', () => {
  it('the line says so and where the runbook is; -q still prints only the Dom0; --json carries it; exit 0 (where it runs is answered)', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(hostState({ domains: [dom('web01', { state: 'running' })], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01')], drbd: { availability: 'ok', resources: [standAlone] } }));
    await until(() => c.core.hosts().hosts.some((h) => h.reported), 'xen1 reported', { limitMs: 10_000 });
    const ctl = ctlFor(c);

    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // xen1's side as this controller knows it: web01 and its Primary were there when it first heard of xen1
    const t = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC or earlier';
    expect(r.stdout).toMatch(
      new RegExp(`^web01 {2}xen1 {2}running {2}home xen1 {2}as of \\d+\\.\\d s {2}DRBD r-web01 split \\(StandAlone on xen1; xen1, its home: running since ${t}, Primary since ${t}\\): see "DRBD split brain" in the README\n$`),
    );
    expect(await ctl(['where', '-q', 'web01'])).toEqual({ code: 0, stdout: 'xen1\n', stderr: '' });
    const j = await ctl(['where', '--json', 'web01']);
    expect(j.code).toBe(0);
    const seen = { at: expect.any(Number), orEarlier: true };
    expect(JSON.parse(j.stdout).matches[0].drbd).toEqual([{ resource: 'r-web01', kind: 'standalone', hosts: ['xen1'], sides: [{ host: 'xen1', home: true, running: seen, primary: seen }] }]);
  });

  it('a side demoted while cut: the line and --json say from when to when it was Primary', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    const state = (role: 'Primary' | 'Secondary') => hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01')], drbd: { availability: 'ok', resources: [{ ...standAlone, role }] } });
    xen1.snapshot(state('Primary'));
    await until(() => c.core.hosts().hosts.some((h) => h.reported), 'xen1 reported', { limitMs: 10_000 });
    // the runbook's first step on the victim, `drbdadm secondary r-web01`, before the link is back
    xen1.delta(state('Secondary'));
    const spanOf = () => {
      const w = c.core.where('web01');
      return w.ok ? w.value.matches[0]?.drbd?.[0]?.sides?.[0]?.wasPrimary : undefined;
    };
    await until(() => spanOf() !== undefined, 'xen1 seen Secondary', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const t = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC';
    expect(r.stdout).toMatch(new RegExp(`DRBD r-web01 split \\(StandAlone on xen1; xen1, its home: Primary from ${t} or earlier to ${t} while cut\\): see "DRBD split brain"`));
    const j = await ctl(['where', '--json', 'web01']);
    expect(JSON.parse(j.stdout).matches[0].drbd[0].sides).toEqual([{ host: 'xen1', home: true, wasPrimary: { since: { at: expect.any(Number), orEarlier: true }, until: expect.any(Number) } }]);
  });
  // Each side said since when the controller first saw web01 run there, though its agent reports
  // since when Xen has run it (the alerts said that already): where now says Xen's, as they do.
  it("a side whose agent reports Xen's start time: the line says it as the alerts do, --json carries it as started", async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    const startedAt = '2026-12-01T09:12:34.560Z';
    xen1.snapshot(hostState({ domains: [dom('web01', { state: 'running', startedAt })], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01')], drbd: { availability: 'ok', resources: [standAlone] } }));
    await until(() => c.core.hosts().hosts.some((h) => h.reported), 'xen1 reported', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const r = await ctl(['where', 'web01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const t = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC or earlier';
    expect(r.stdout).toMatch(new RegExp(`DRBD r-web01 split \\(StandAlone on xen1; xen1, its home: running since 2026-12-01 09:12 UTC \\(Xen's start time\\), Primary since ${t}\\): see "DRBD split brain" in the README\n$`));
    const j = await ctl(['where', '--json', 'web01']);
    const side = JSON.parse(j.stdout).matches[0].drbd[0].sides[0];
    // on the controller's clock: the bed's agent and controller share one
    expect(side).toEqual({ host: 'xen1', home: true, running: { at: expect.any(Number), orEarlier: true }, started: Date.parse(startedAt), primary: { at: expect.any(Number), orEarlier: true } });
  });
});
