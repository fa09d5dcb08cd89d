import { afterEach, describe, expect, it } from 'vitest';
import { CheckAnswerSchema, DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../shared/protocol/ctl-check.js';
import { startupGraceMs } from '../../controller/fleet/enrolment.js';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { ctlFor, impostor } from '../controller/ctl/ctl-bed.js';
import { run } from '../controller/ctl/newer-controller-bed.js';
import type { Captured } from '../controller/api/controller-bed.js';

// A controller restarted while a Dom0 lies dead (a 3 a.m. power loss, then the controller's host
// rebooted too): the new controller never heard xen1, and reports are not kept on disk, so xen1's
// last report, which the lost-primary words read, is not there. What xen2 reports still tells it:
// r1 and r2 Secondary, cut off from xen1, the disks of web1 and web2, which run on no Dom0 that
// reports. Agent cores and the controller core in this process, one deterministic clock; status as
// xenherdctl prints the controller's answer.
const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen3 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen4 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu db1 mem=4096 vcpus=4 home=xen3 peer=xen4 drbd=r3 running=xen3
domu app1 mem=4096 vcpus=4 home=xen4 peer=xen3 drbd=r4 running=xen4
`;
const HOSTS = ['xen1', 'xen2', 'xen3', 'xen4'];
const SETTINGS = { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 600_000 };
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const MAY_BE_DOWN =
  'web1 and web2 may be down with xen1: they run on no Dom0 that reports, and xen2, heard now, holds r1 and r2 Secondary, cut off from xen1, which has not reported since the controller started; ' +
  'if xen1 is down, start them elsewhere only once xen1 is surely off (README, section "A Dom0 died with its own domUs on it")';

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const check = (f: Fleet): CheckAnswer => CheckAnswerSchema.parse(f.controller!.core.monitor.check(DEFAULT_CHECK_THRESHOLDS));

/** `xenherdctl status` as it prints the controller's answer now */
async function statusOut(f: Fleet): Promise<string> {
  const url = await impostor(JSON.stringify(f.controller!.core.status()));
  const r = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
  expect([r.code, r.stderr]).toEqual([0, '']);
  return r.stdout;
}

/** its lines up to the hosts table */
const statusText = async (f: Fleet): Promise<string> => (await statusOut(f)).split('\n\n')[0] ?? '';

/** xen1's row of the hosts table under them */
const statusRow = async (f: Fleet): Promise<string | undefined> => (await statusOut(f)).split('\n').find((l) => l.startsWith('xen1 '));

/** xen1 powered off under its running web1 and web2 (or its agent alone crashed), then the controller restarted: xen2, xen3 and xen4 report again */
async function restartedWithXen1Dead(agentOnly = false): Promise<Fleet> {
  const enrolled: ReadonlySet<string> = new Set(HOSTS);
  const f = (fleet = await startFleet(FLEET, { controller: { settings: SETTINGS, enrolled: () => enrolled } }));
  for (const h of HOSTS) f.startAgent(h);
  await f.until(() => f.controller!.core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 4, 'every agent reporting');
  if (agentOnly) f.crash('xen1');
  else f.powerOff('xen1');
  f.controller!.crash();
  const core = f.controller!.restart();
  await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === 3, 'xen2, xen3 and xen4 reporting again', 10_000, 100);
  // xen2's DRBD gives up on a dead xen1 (Connecting) by its own timeouts, seconds
  if (!agentOnly) await f.until(() => check(f).details.some((d) => d.subject === 'r1 on xen2'), 'xen2 reporting r1 cut from xen1', 30_000, 100);
  return f;
}

describe('a controller restarted while a Dom0 is dead', () => {
  it("check: within the start-up grace xen1's own CRITICAL line names web1 and web2 as maybe down with it, saying it has not reported yet; after it, its unreachable line does", async () => {
    const f = await restartedWithXen1Dead();
    const early = check(f);
    // xen2 cut off from xen1, holding r1 and r2 Secondary, web1 and web2 on no Dom0 that reports: a page now, not after the grace
    expect(early.status).toBe('CRITICAL');
    const own = early.details.find((d) => d.kind === 'host-not-reported' && d.subject === 'xen1');
    expect(own?.status).toBe('CRITICAL');
    expect(own?.text).toMatch(/^xen1: not heard from since the controller started \d+ s ago \(enrolled; within the start-up grace, but its DRBD partners are cut off from it\): check that xen1 is powered /);
    expect(own?.text.endsWith(`; ${MAY_BE_DOWN}`)).toBe(true);
    // four problems: the status line counts them by kind, xen1's first
    expect(early.summary).toBe('1 Dom0 not reported yet whose domUs may be down (xen1), 1 of 4 enrolled Dom0s not reported yet, 2 DRBD resources degraded (r1 on xen2, r2 on xen2)');
    // the grace's WARNING still says the view is incomplete, and no longer repeats xen1's line
    const waiting = early.details.find((d) => d.kind === 'hosts-not-reported');
    expect(waiting).toMatchObject({ status: 'WARNING' });
    expect(waiting?.text).toMatch(/^the controller started \d+ s ago; 1 of 4 enrolled Dom0s has not reported yet: the view is incomplete$/);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    const late = check(f);
    expect(late.status).toBe('CRITICAL');
    expect(late.details.some((d) => d.kind === 'host-not-reported')).toBe(false);
    const line = late.details.find((d) => d.kind === 'host-unreachable' && d.subject === 'xen1')?.text;
    expect(line).toMatch(/^xen1: agent unreachable \(not heard from since the controller started \d+ s ago; enrolled; its maintenance state is unknown until it reports\): check that xen1 is powered /);
    expect(line?.endsWith(`; ${MAY_BE_DOWN}`)).toBe(true);
  });

  it("check: r1's and r2's own lines on xen2 name the domU on each as maybe down with xen1, not only as waiting for it", async () => {
    const f = await restartedWithXen1Dead();
    const lineOf = (c: CheckAnswer, subject: string): string | undefined => c.details.find((d) => d.subject === subject)?.text;
    const words = (res: string, domu: string): string =>
      `; xen1 has not reported since the controller started and xen2 is Secondary, cut off from it, so no Dom0 heard now writes ${res}: ` +
      `if xen1 is down, ${domu} is down with it (README, section "A Dom0 died with its own domUs on it"); start it elsewhere only once xen1 is surely off`;
    const early = check(f);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    // within the start-up grace xen1 is "not reported yet", as status and hosts call it; after it, unreachable
    for (const [c, xen1] of [[early, 'not reported yet'], [check(f), 'unreachable']] as const) {
      expect(lineOf(c, 'r1 on xen2')).toMatch(/^DRBD r1 \(web1\) on xen2: peer xen1 not connected \(\w+\): replication is down, waiting for its peer Dom0 xen1/);
      expect(lineOf(c, 'r1 on xen2')?.endsWith(words('r1', 'web1'))).toBe(true);
      expect(lineOf(c, 'r2 on xen2')?.endsWith(words('r2', 'web2'))).toBe(true);
      // one line for xen1 in xenherdctl's output, which says so rather than that they clear once xen1 is back
      expect(c.details.find((d) => d.subject === 'r1 on xen2')).toMatchObject({ waitsFor: 'xen1', mayBeDown: ['web1'] });
      expect(c.details.find((d) => d.subject === 'r1 on xen2')?.notReportedYet).toBe(c === early ? true : undefined);
      const printed = await ctlFor(null)(['check'], { XENHERD_URL: await impostor(JSON.stringify(c)), XENHERD_TOKEN: TOKEN });
      expect(printed.stdout).toContain(
        `WARNING: 2 DRBD resources degraded, waiting for xen1, ${xen1}: r1 on xen2, r2 on xen2; no Dom0 heard now writes some of them: if xen1 is down, web1 and web2 are down with it (xen1's line says what to do) (xenherdctl check --json lists them)\n`,
      );
    }
  });

  it('status: within the grace xen1 is "not reported yet", as check says, and after it unreachable; both name web1 and web2 with the runbook', async () => {
    const f = await restartedWithXen1Dead();
    const may = `    ${MAY_BE_DOWN}`;
    const drbd = 'DRBD r1 (web1) not connected on xen2, DRBD r2 (web2) not connected on xen2 (xenherdctl check lists each problem)';
    expect(await statusText(f)).toBe(
      [
        'no alerts, but 1 of 4 enrolled Dom0s not reported yet; 1 critical, 3 warnings (below)',
        'NOT REPORTED YET (1): the controller is in its start-up grace and their agents may still be connecting; what runs there is not known until they report',
        '  xen1  not heard from since the controller started',
        may,
        'CHECK CRITICAL - 1 Dom0 not reported yet whose domUs may be down (xen1), 1 of 4 enrolled Dom0s not reported yet, 2 DRBD resources degraded (r1 on xen2, r2 on xen2) (xenherdctl check lists each problem)',
        'fleet: 4 hosts (3 reachable, 1 not reported yet), 2 domUs running (2 more may be down with xen1), 0 migrating, 0 hosts not online',
      ].join('\n'),
    );
    expect(await statusRow(f)).toMatch(/^xen1 +not reported yet +never /);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    expect(await statusRow(f)).toMatch(/^xen1 +unreachable +never /);
    expect(await statusText(f)).toBe(
      [
        'no alerts, but 1 Dom0 unreachable; 1 critical, 2 warnings (below)',
        'UNREACHABLE (1): what runs there is not known',
        '  xen1  agent link down, not heard from since the controller started',
        may,
        `CHECK CRITICAL - xen1 unreachable, ${drbd}`,
        'fleet: 4 hosts (3 reachable, 1 unreachable), 2 domUs running (2 more may be down with xen1), 0 migrating, 0 hosts not online',
      ].join('\n'),
    );
  });

  it('hosts: within the grace xen1 is "not reported yet", as status and check say, and after it unreachable', async () => {
    const f = await restartedWithXen1Dead();
    const row = async (): Promise<string | undefined> => {
      const url = await impostor(JSON.stringify(f.controller!.core.hosts()));
      const r = await ctlFor(null)(['hosts'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([0, '']);
      return r.stdout.split('\n').find((l) => l.startsWith('xen1 '));
    };
    expect(await row()).toMatch(/^xen1 +not reported yet +never /);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    expect(await row()).toMatch(/^xen1 +unreachable +never /);
  });

  it('where web1: names xen1 as not heard from and what xen2 says of web1 with it, as check does', async () => {
    const f = await restartedWithXen1Dead();
    const where = async (argv: string[]): Promise<Captured> => {
      const core = f.controller!.core;
      const answer = core.where(argv.at(-1) ?? '');
      if (!answer.ok) throw new Error(answer.error.message);
      return run({ '/where': JSON.stringify(answer.value), '/hosts': JSON.stringify(core.hosts()) }, argv);
    };
    // web1 runs on no Dom0 that reports, so the where answer has no match: xen2 only holds its disk
    const early = await where(['where', 'web1']);
    expect(early.code).toBe(76);
    expect(early.stderr).toMatch(/^xenherdctl: XH_ERR_AGENT_UNREACHABLE: no domU matches web1 on the Dom0s heard so far: not known yet, 1 of 4 enrolled Dom0s not reported yet since the controller started \d+ s ago \(xen1\), and it may run it: try again; /);
    expect(early.stderr.endsWith(`; ${MAY_BE_DOWN}\n`)).toBe(true);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    for (const argv of [['where', 'web1'], ['where', '-q', 'web1'], ['where', 'web*']]) {
      const late = await where(argv);
      expect([late.code, late.stdout]).toEqual([1, '']);
      expect(late.stderr).toBe(`xenherdctl: XH_ERR_NOT_FOUND: no domU matches ${argv.at(-1) ?? ''} on the Dom0s heard now; xen1 has not reported since the controller started: what runs there is missing from this answer; ${MAY_BE_DOWN}\n`);
    }
  });

  it('drbd: r1 and r2 each carry a may-be-down flag naming their domU, within the grace and after it, as check and status do', async () => {
    const f = await restartedWithXen1Dead();
    const flag = (res: string, domu: string): string =>
      `xen1 has not reported since the controller started and xen2 is Secondary, cut off from it, so no Dom0 heard now writes ${res}: ` +
      `if xen1 is down, ${domu} is down with it (README, section "A Dom0 died with its own domUs on it"); start it elsewhere only once xen1 is surely off`;
    for (const late of [false, true]) {
      if (late) await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
      const answer = f.controller!.core.drbd(null);
      if (!answer.ok) throw new Error(answer.error.message);
      const flags = (res: string) => answer.value.resources.find((r) => r.name === res)?.flags ?? [];
      expect(flags('r1')).toContainEqual({ kind: 'may-be-down', text: flag('r1', 'web1') });
      expect(flags('r2')).toContainEqual({ kind: 'may-be-down', text: flag('r2', 'web2') });
      // db1 and app1 run on Dom0s heard now: nothing of theirs is said to be down
      expect([...flags('r3'), ...flags('r4')].map((x) => x.kind)).not.toContain('may-be-down');
      const printed = await run({ '/drbd': JSON.stringify(answer.value) }, ['drbd', 'web1']);
      // 2: a resource not well (r1 is not connected)
      expect([printed.code, printed.stderr]).toEqual([2, '']);
      expect(printed.stdout.split('\n').find((l) => l.startsWith('r1 '))).toContain(flag('r1', 'web1'));
    }
  });

  it("xen1 up, its agent alone dead: xen2's DRBD is still connected to it, so nothing is said to be down with it (a second start would run beside web1)", async () => {
    const f = await restartedWithXen1Dead(true);
    // within the grace too: no page for a Dom0 whose partners are still connected to it
    expect(check(f).details.some((d) => d.kind === 'host-not-reported' || d.status === 'CRITICAL')).toBe(false);
    await f.advance(startupGraceMs(SETTINGS.staleAfterMs, HOSTS.length));
    const late = check(f);
    expect(late.details.find((d) => d.kind === 'host-unreachable' && d.subject === 'xen1')).toBeDefined();
    expect(JSON.stringify(late)).not.toMatch(/may be down/);
    expect(f.controller!.core.status().hosts.find((h) => h.host === 'xen1')?.mayBeDown).toBeUndefined();
    const drbd = f.controller!.core.drbd(null);
    expect(drbd.ok && drbd.value.resources.flatMap((r) => r.flags.map((x) => x.kind))).not.toContain('may-be-down');
  });
});
