import { describe, expect, it } from 'vitest';
import type { SimSpec } from '../jobs/sim-fleet.js';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const SPEC = THREE_DOM0S;
const fleet = simFleetBehindController();

describe('xenherdctl drain / restore / maintenance / rebalance / plan against a real controller', () => {
  it('drain: plain progress lines, exit 0, and `hosts` shows the maintenance state; restore brings everything back', async () => {
    const { c, sims } = await fleet();
    const ctl = ctlFor(c);
    const r = await ctl(['drain', 'xen1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d drain xen1: job job-t\d+\n/);
    expect(r.stdout).toMatch(/\d\d:\d\d:\d\d a1: xen1 → xen2 started\n/);
    expect(r.stdout).toMatch(/\d\d:\d\d:\d\d a1: moved xen1 → xen2 after \d+\.\d s\n/);
    expect(r.stdout).toMatch(/xen1 is empty and in maintenance \(3 domU\(s\) moved\)\n$/);
    expect(sims.host('xen1').domains.size).toBe(0);
    const hosts = await ctl(['hosts']);
    expect(hosts.stdout).toMatch(/\nxen1\s+reachable\s+\S+ s ago\s+maintenance \(ctl-test, op t\d+\)/);
    const back = await ctl(['restore', 'xen1']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/xen1 is online and every domU of it is home \(3 moved\)\n$/);
    expect(c.events('operator-action').map((l) => [l['by'], l['action']])).toEqual([
      ['ctl:admin', 'drain'],
      ['ctl:admin', 'restore'],
    ]);
  });

  it('--dry-run and plan print the plan and change nothing; a drain that cannot finish exits 1 with the reasons', async () => {
    const { c, sims } = await fleet({ ...SPEC, hosts: [{ name: 'xen1' }, { name: 'xen2', totalMiB: 3072 }, { name: 'xen3' }] });
    const ctl = ctlFor(c);
    const dry = await ctl(['drain', 'xen1', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(
      [
        'drain xen1: 2 move(s) in 2 set(s), 1 domU(s) cannot leave',
        'SET  DOMU  FROM  TO    MEM       WHY',
        '1    b1    xen1  xen3  2048 MiB  evacuate',
        '2    a2    xen1  xen2  1024 MiB  evacuate',
        'cannot leave (1):',
        '  a1 needs 2048 MiB + 1024 MiB reserve; the most any allowed target has free is 2048 MiB (xen2)',
        '',
      ].join('\n'),
    );
    // the moves of a set are what the drain runs at once: with --max-parallel 2, both (their targets differ)
    const two = await ctl(['drain', 'xen1', '--max-parallel', '2', '--dry-run']);
    expect(two.stdout.split('\n').slice(0, 4)).toEqual(['drain xen1: 2 move(s) in 1 set(s), 1 domU(s) cannot leave', 'SET  DOMU  FROM  TO    MEM       WHY', '1    b1    xen1  xen3  2048 MiB  evacuate', '1    a2    xen1  xen2  1024 MiB  evacuate']);
    const refused = await ctl(['drain', 'xen1']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/XH_ERR_REFUSED: 1 domU\(s\) cannot leave xen1, so the drain would not finish; nothing was changed/);
    expect(sims.host('xen1').maintenance.state).toBe('online');
    const json = JSON.parse((await ctl(['plan', 'drain', 'xen1', '--json'])).stdout) as { kind: string; leftovers: unknown[] };
    expect([json.kind, json.leftovers.length]).toEqual(['drain', 1]);
    expect((await ctl(['plan', 'restore', 'xen2'])).stdout).toBe('restore xen2: 0 move(s) in 0 set(s)\n');
    expect((await ctl(['plan', 'rebalance'])).stdout).toMatch(/^rebalance: the fleet is balanced, nothing to move \(score \d\.\d{3}\)\n$/);
    expect((await ctl(['rebalance'])).code).toBe(0);
    expect(await ctl(['rebalance', '--dry-run'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^rebalance: the fleet is balanced, nothing to move/) });
    expect((await ctl(['plan', 'roll', 'xen1', 'xen3'])).stdout).toMatch(/^roll: refused, not every host can be drained/);
  });

  it('maintenance on is refused while domUs run (1); off puts a drained host back online (0); --json streams the events', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    const on = await ctl(['maintenance', 'xen2', 'on']);
    expect(on.code).toBe(1);
    expect(on.stdout).toMatch(/XH_ERR_REFUSED: xen2 refused to be set maintenance: .*; 1 domU\(s\) run there \(c1\): `xenherdctl drain xen2` moves them/);
    expect((await ctl(['maintenance', 'xen3', 'on'])).code).toBe(0);
    expect((await ctl(['maintenance', 'xen3', 'off'])).code).toBe(0);
    expect((await ctl(['drain', 'xen1'])).code).toBe(0);
    const off = await ctl(['maintenance', 'xen1', 'off', '--json']);
    expect(off.code).toBe(0);
    expect(off.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['job', 'host', 'end']);
  });

  it('usage and configuration errors exit 2; a read-only token is refused (88)', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    expect((await ctl(['drain'])).code).toBe(2);
    const t = await ctl(['drain', 'xen1', '--timeout', 'soon']);
    expect([t.code, t.stderr]).toEqual([2, 'xenherdctl: XH_ERR_USAGE: --timeout "soon" is not a duration (e.g. 30m, 1h30m, 90s)\n']);
    expect((await ctl(['maintenance', 'xen1', 'maybe'])).code).toBe(2);
    // a host name that is not one says what one is, for every command taking hosts
    for (const argv of [['drain', 'xen_1'], ['restore', 'xen_1'], ['maintenance', 'xen_1', 'on'], ['roll', 'xen1', 'xen_1'], ['plan', 'drain', 'xen_1']]) {
      const bad = await ctl(argv);
      expect([argv, bad.code, bad.stderr]).toEqual([argv, 2, expect.stringContaining('XH_ERR_USAGE: "xen_1" is not a host name: give the Dom0\'s name as `xl info` (host) and `uname -n` print it')]);
    }
    expect((await ctl(['roll', 'xen1', '--reboot-command', 'x', '--wait-for-reboot'])).code).toBe(2);
    expect((await ctl(['plan', 'nothing'])).code).toBe(2);
    expect((await ctlFor(null)(['drain', 'xen1'])).code).toBe(2);
    const reader = await c.operator('viewer', 'read');
    const r = await ctlFor(c, reader)(['drain', 'xen1']);
    const id = reader.split('.').slice(0, 2).join('.');
    expect([r.code, r.stderr]).toEqual([88, `xenherdctl: XH_ERR_AUTH: the token of viewer has the role "read": this needs "operate" (this xenherdctl sent token ${id}.… from XENHERD_TOKEN)\n`]);
    expect((await ctlFor(c, reader)(['plan', 'drain', 'xen1'])).code).toBe(0);
  });

  it('--timeout that runs out exits 90', async () => {
    const { c } = await fleet({ ...SPEC, bandwidthMiBps: 1_000 });
    const r = await ctlFor(c)(['drain', 'xen1', '--timeout', '1s']);
    expect(r.code).toBe(90);
    expect(r.stdout).toMatch(/XH_ERR_TIMEOUT: the drain ran out of time/);
  });

  it('Ctrl-C once: no new moves, the running one finishes, exit 1; the TTY view redraws its lines and a bar', async () => {
    const { c, sims } = await fleet({ ...SPEC, bandwidthMiBps: 2_000 });
    let interrupt: () => void = () => undefined;
    const ctl = ctlFor(c, undefined, { isTty: true, onInterrupt: (h) => ((interrupt = h), () => undefined) });
    const run = ctl(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    interrupt();
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stopping drain: no new migrations; running ones finish/);
    expect(r.stdout).toMatch(/\[#+-*\] 1\/3 moved · 0 running · 0 failed/);
    expect(r.stdout).toContain('\u001b[');
    // a stop asked for ends in its own words, not 'XH_ERR_REFUSED: the drain was cancelled', a refusal's;
    // exit 1 as documented (the goal does not hold)
    expect(r.stdout).toMatch(/cancelled: 2 domU\(s\) remain on xen1 \(1 moved\); xen1 stays draining/);
    expect(r.stdout).not.toContain('XH_ERR_REFUSED');
    expect(r.stdout).not.toContain('the drain was cancelled');
    expect(sims.host('xen1').commands.filter((x) => x.op === 'migrate')).toHaveLength(1);
  });

  it('run again right after Ctrl-C: the new drain waits for the stopped one to end, then goes on and empties the host (exit 0)', async () => {
    const { c, sims } = await fleet({ ...SPEC, bandwidthMiBps: 2_000 });
    let interrupt: () => void = () => undefined;
    const first = ctlFor(c, undefined, { onInterrupt: (h) => ((interrupt = h), () => undefined) })(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    interrupt();
    await until(() => c.core.jobs().jobs.some((j) => j.stopping), 'the drain stopping', { limitMs: 10_000 });
    // cancelled again while it waits for its running move: it stops (0), and its follower is not warned twice
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    expect((await ctlFor(c)(['cancel', jobId])).code).toBe(0);
    const again = await ctlFor(c)(['drain', 'xen1']);
    expect(again.stdout).toMatch(/the drain job-t\S+ was stopped \(cancelled\) and waits for its 1 running move\(s\): this one goes on from there once it has ended/);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/xen1 is empty and in maintenance \(2 domU\(s\) moved\)\n$/);
    expect(sims.host('xen1').domains.size).toBe(0);
    const f = await first;
    expect(f.code).toBe(1);
    expect(f.stdout.match(/warning: cancelled by admin: no new moves/g)).toHaveLength(1);
  });

  it('roll with --reboot-command: runs it per host ({host} replaced), waits for the new boot id, exits 0', async () => {
    const spec: SimSpec = {
      hosts: [{ name: 'xen1' }, { name: 'xen2' }],
      domus: [
        { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
        { name: 'b', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024 },
      ],
      bandwidthMiBps: 20_000,
    };
    const { c, sims } = await fleet(spec);
    const ran: string[][] = [];
    const ctl = ctlFor(c, undefined, {
      runCommand: async (argv) => {
        ran.push([...argv]);
        const host = sims.host(argv[1]?.replace('root@', '') ?? '?');
        host.reboot();
        setTimeout(() => host.restartAgent([c.core]), 200);
        return 255;
      },
    });
    const r = await ctl(['roll', 'xen1', 'xen2', '--reboot-command', 'ssh root@{host} reboot']);
    expect(r.code).toBe(0);
    expect(ran).toEqual([
      ['ssh', 'root@xen1', 'reboot'],
      ['ssh', 'root@xen2', 'reboot'],
    ]);
    expect(r.stderr).toMatch(/warning: ssh root@xen1 reboot exited 255; still waiting for xen1 to come back/);
    expect(r.stdout).toMatch(/rolled 2 host\(s\) in 2 group\(s\); every domU is home/);
    expect([sims.where('a'), sims.where('b')]).toEqual([['xen1'], ['xen2']]);
  });
});

describe('roll and plan roll --group-size, through the API', () => {
  it('two Dom0s of different DRBD pairs are one group, unless --group-size 1 asks for one at a time', async () => {
    const { c } = await fleet({
      hosts: [{ name: 'xen1' }, { name: 'xen2' }, { name: 'xen3' }, { name: 'xen4' }],
      domus: [
        { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
        { name: 'b', home: 'xen3', replicas: ['xen3', 'xen4'], memMiB: 1024 },
      ],
      bandwidthMiBps: 20_000,
    });
    const ctl = ctlFor(c);
    const groups = async (argv: string[]): Promise<string[][]> => (JSON.parse((await ctl([...argv, '--json'])).stdout) as { groups: { hosts: string[] }[] }).groups.map((g) => g.hosts);
    expect(await groups(['plan', 'roll', 'xen1', 'xen3'])).toEqual([['xen1', 'xen3']]);
    expect(await groups(['plan', 'roll', 'xen1', 'xen3', '--group-size', '1'])).toEqual([['xen1'], ['xen3']]);
    expect(await groups(['roll', 'xen1', 'xen3', '--group-size', '1', '--dry-run'])).toEqual([['xen1'], ['xen3']]);
  });
});
