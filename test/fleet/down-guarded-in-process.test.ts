import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DOWN_GUARDED_SETTLE_MS } from '../../controller/fleet/down-guarded.js';
import { renderCheck } from '../../controller/ctl/nagios-output.js';
import { whereColumns } from '../../controller/ctl/where-line.js';
import type { JobEnd } from '../../shared/protocol/ctl-jobs.js';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';
import { agentsReporting } from './pair-with-controller.js';

// A guarded domU whose domain goes on its Dom0 with nobody of the fleet asking (here `xl destroy`,
// as a guest crash under on_crash="destroy" leaves it): xen1's agent skips it from then on
// (handled-this-boot), and check stayed OK, status and where saying only "not running". Real agent
// cores and a controller core in this process, on the simulator's clock.
const FLEET = pairFleet({ optionLine: false, drbd: '9', more: DB1_ON_XEN2 });

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

async function online(): Promise<Fleet> {
  fleet = await startFleet(FLEET, { controller: true });
  return agentsReporting(fleet);
}

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));
const downLine = (f: Fleet): string | undefined => check(f).details.find((d) => d.kind === 'down-guarded')?.text;

async function destroyed(f: Fleet): Promise<void> {
  expect((await f.sim.run('xen1', 'xl', ['destroy', 'web1'])).exitCode).toBe(0);
  await f.until(() => {
    const w = f.controller!.core.where('web1');
    return w.ok && w.value.matches[0]?.places.length === 0 && w.value.matches[0]?.autostart[0]?.reason === 'handled-this-boot';
  }, 'xen1 skipping web1, running nowhere');
}

describe('a guarded domU destroyed on its Dom0, nobody of the fleet asking', () => {
  it('check: OK within the settle, then CRITICAL (exit 2) naming it, as status\'s verdict does; started again, it clears', async () => {
    const f = await online();
    expect(check(f).status).toBe('OK');
    await destroyed(f);
    expect(check(f).status).toBe('OK');
    await f.until(() => check(f).status === 'CRITICAL', 'CRITICAL', DOWN_GUARDED_SETTLE_MS + 10_000);
    expect(renderCheck(check(f)).exitCode).toBe(2);
    expect(check(f).summary).toBe('web1 down, stopped on xen1');
    expect(downLine(f)).toMatch(/^web1: guarded, and running nowhere: xen1's autostart started it or saw it run this boot and has seen it stopped since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+ s ago\), so it starts it no more \(skip handled-this-boot\); /);
    expect(f.controller!.core.status()).toMatchObject({ summary: { domus: 1, down: 1 }, verdict: { status: 'CRITICAL', summary: 'web1 down, stopped on xen1' } });
    // where says down, not a plain "not running"
    const w = f.controller!.core.where('web1');
    const m = w.ok ? w.value.matches[0] : undefined;
    expect(m === undefined ? [] : whereColumns(m, w.ok ? w.value.at : 0).slice(1, 3)).toEqual(['-', expect.stringMatching(/^down since \d\d:\d\d \(xen1's autostart started or saw it run this boot, starts it no more\)$/)]);
    // minutes later it still stands: nothing brings it back
    await f.advance(10 * 60_000);
    expect(downLine(f)).toContain('(11 min ago)');
    // the operator starts it again, as the line says
    const forced = await f.agent('xen1').control({ op: 'force', name: 'web1', reason: 'guest crashed', operator: null });
    expect(forced).toMatchObject({ ok: true });
    await f.until(() => runsOn(f.sim, 'web1').includes('xen1') && check(f).status === 'OK', 'web1 running again, check OK');
    expect(f.controller!.core.status().summary).toMatchObject({ domus: 2, down: 0 });
  });

  it('after a controller restart that did not see it go: said on the agents\' word, dated before the restart', async () => {
    const f = await online();
    await destroyed(f);
    await f.advance(5 * 60_000);
    f.controller!.crash();
    const core = f.controller!.restart();
    await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 2, 'both agents reporting to the new controller', 30_000, 100);
    await f.until(() => downLine(f) !== undefined, 'down-guarded after the restart');
    expect(check(f).status).toBe('CRITICAL');
    expect(downLine(f)).toMatch(/xen1's autostart started it or saw it run this boot and has seen it stopped since .* \(5 min ago\)/);
  });

  it('a Dom0 that could run it unheard: a WARNING, not known down, while that Dom0\'s own line is CRITICAL', async () => {
    const f = await online();
    await destroyed(f);
    // its agent alone goes silent: the Dom0 and its DRBD stay up, so xen1 still skips web1 rather than deferring it
    f.crash('xen2');
    f.controller!.cut('xen2');
    await f.until(() => check(f).details.some((d) => d.kind === 'host-unreachable' && d.subject === 'xen2'), 'xen2 unreachable', 60_000);
    await f.until(() => downLine(f) !== undefined, 'down-guarded', DOWN_GUARDED_SETTLE_MS + 10_000);
    expect(check(f).details.find((d) => d.kind === 'down-guarded')).toMatchObject({ status: 'WARNING' });
    expect(downLine(f)).toMatch(/^web1: not seen running: .*; unknown whether it runs on xen2 \(unreachable, last heard .*\): start it nowhere before `xenherdctl where web1` hears from that Dom0$/);
  });

  it('a drain of its Dom0 moving it cold, web1 guarded on both Dom0s of the pair: never said down on the way', async () => {
    const f = (fleet = await startFleet(FLEET, { controller: true }));
    const guardedDir = (host: string): string => join(f.sim.hostRoot(host), 'etc/xen/drbd-auto');
    copyFileSync(join(guardedDir('xen1'), 'web1.cfg'), join(guardedDir('xen2'), 'web1.cfg'));
    await agentsReporting(f);
    const core = f.controller!.core;
    // every live attempt fails before anything moved: the drain moves web1 cold, shut down on xen1 and
    // nowhere until xen2 starts it (as drain-restore-with-controller-in-process.test.ts makes it)
    f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: libxl_stream_write.c: cannot send to the target\n', exitCode: 1 }, { argvPrefix: ['migrate'] });
    // check is asked at every event of the drain, as a Nagios poll might land at any of them
    const said: string[] = [];
    let cold = false;
    const look = (): void => void said.push(...check(f).details.filter((d) => d.kind === 'down-guarded').map((d) => d.text));
    let end: JobEnd | null = null;
    const started = core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: true, allowPartial: false, timeoutMs: null }, 'test', (e) => {
      look();
      cold ||= e.type === 'move' && e.phase === 'cold';
      if (e.type === 'end') end = e;
    });
    expect(started.ok).toBe(true);
    await f.until(() => {
      look();
      return end !== null;
    }, 'drain ended', 120_000);
    expect(end).toMatchObject({ ok: true });
    expect(cold).toBe(true);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    await f.advance(2 * 60_000);
    look();
    expect(said).toEqual([]);
  });

  it('stopped on purpose: its config moved out of the guarded dir and autostart reloaded clears it', async () => {
    const f = await online();
    await destroyed(f);
    await f.until(() => downLine(f) !== undefined, 'down-guarded', DOWN_GUARDED_SETTLE_MS + 10_000);
    const dir = join(f.sim.hostRoot('xen1'), 'etc/xen');
    renameSync(join(dir, 'drbd-auto/web1.cfg'), join(dir, 'web1.cfg'));
    expect(await f.agent('xen1').control({ op: 'reload' })).toMatchObject({ ok: true });
    await f.until(() => check(f).status === 'OK', 'OK once web1 is no longer guarded');
  });
});
