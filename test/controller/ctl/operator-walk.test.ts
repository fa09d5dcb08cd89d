import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../shared/name-pattern.js';
import { anyCaseGlob } from '../../../controller/ctl/case-hint.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { dom, hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// What a new operator met on the playground: Ctrl-C during a migrate, a name in the wrong case,
// ssh's remote options, --timeout's units, reverse of a domU already home.
const bed = controllerBed();

/** web01 runs on xen1, its home; db1 on xen2. */
async function twoHosts(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }] }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('db1')] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('Ctrl-C while following migrate / reverse', () => {
  it('says the migration goes on on the Dom0s and how to see where it is, then exits 130', async () => {
    const c = await bed.start();
    const { xen1 } = await twoHosts(c);
    xen1.onCommand((cmd) => xen1.progress(cmd.commandId, 'migrating web01 from xen1 to xen2'));
    let interrupt: () => void = () => undefined;
    let off = 0;
    const ctl = ctlFor(c, undefined, { onInterrupt: (h) => ((interrupt = h), () => void off++) });
    const run = ctl(['migrate', 'web01', 'xen2']);
    await until(() => xen1.of('command').length === 1, 'the command reached the agent', { limitMs: 10_000 });
    interrupt();
    // the agent ending it afterwards must not change what the interrupted xenherdctl said (and ends a
    // xenherdctl that ignored Ctrl-C, rather than a 20 s timeout)
    const cmd = xen1.of('command')[0] as { commandId: string };
    xen1.result(cmd.commandId, { ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'Migration failed, resuming at sender.', detail: null });
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^xenherdctl: stopped watching: the migration of web01 (goes on|may have started) on the Dom0s \(it cannot be cancelled from here\); `xenherdctl where web01` shows where it is\n$/);
    expect(off).toBe(1);
  });

  it('migrate --help and reverse --help say what Ctrl-C does', async () => {
    const ctl = ctlFor(null);
    for (const cmd of ['migrate', 'reverse']) {
      expect((await ctl([cmd, '--help'])).stdout).toMatch(/Ctrl-C stops watching, not the migration: it goes on on the Dom0s \(it cannot be cancelled from here\);\n\s+xenherdctl where NAME shows where it is \(exit 130\)/);
    }
  });
});

describe('a domU name in the wrong case', () => {
  it('where, ssh, migrate and reverse say the name it may be, and still exit 1', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const ctl = ctlFor(c);
    const hint = '(domU names are case-sensitive: did you mean web01?)';
    const where = await ctl(['where', 'WEB01']);
    expect(where).toMatchObject({ code: 1, stderr: `xenherdctl: XH_ERR_NOT_FOUND: no domU matches WEB01 ${hint}\n` });
    expect((await ctl(['where', 'Web*'])).stderr).toBe(`xenherdctl: XH_ERR_NOT_FOUND: no domU matches Web* ${hint}\n`);
    const ssh = await ctl(['ssh', 'WEB01']);
    expect(ssh).toMatchObject({ code: 1, stderr: `xenherdctl: XH_ERR_NOT_FOUND: no domU named WEB01 ${hint}\n` });
    const migrate = await ctl(['migrate', 'WEB01', 'xen2']);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/^xenherdctl: XH_ERR_NOT_FOUND: .*WEB01.* \(domU names are case-sensitive: did you mean web01\?\)\n$/);
    const reverse = await ctl(['reverse', 'WEB01']);
    expect(reverse.code).toBe(1);
    expect(reverse.stderr).toContain(hint);
    expect(ctl.sshCalls).toEqual([]);
  });

  it('no hint when the name is spelled right and something else is wrong: an unknown host, a name also spelled otherwise', async () => {
    const c = await bed.start();
    const { xen2 } = await twoHosts(c);
    const ctl = ctlFor(c);
    const unknownHost = await ctl(['migrate', 'web01', 'xen4']);
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.stderr).toMatch(/no agent of a host named xen4 has reported/);
    expect(unknownHost.stderr).not.toContain('did you mean');
    // WEB01 runs too: a migrate of it to an unknown host is not about web01
    xen2.snapshot(hostState({ domains: [dom('db1'), dom('WEB01')] }));
    const reported = (): boolean => {
      const w = c.core.where('WEB01');
      return w.ok && w.value.matches.length > 0;
    };
    await until(reported, 'WEB01 reported', { limitMs: 10_000 });
    const both = await ctl(['migrate', 'WEB01', 'xen4']);
    expect(both.code).toBe(1);
    expect(both.stderr).not.toContain('did you mean');
  });

  it('no hint when no name matches in any case either: as before', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const r = await ctlFor(c)(['where', 'nope']);
    expect(r).toMatchObject({ code: 1, stderr: 'xenherdctl: XH_ERR_NOT_FOUND: no domU matches nope (xenherdctl domains lists them all)\n' });
  });

  it('the widened glob is a pattern the controller accepts, in any case, even for a 64-character name', () => {
    expect(anyCaseGlob('WEB1')).toBe('[wW][eE][bB]1');
    expect(anyCaseGlob('web[a-c]*')).toBe('[wW][eE][bB][a-cA-C]*');
    expect(anyCaseGlob('db[!X]?')).toBe('[dD][bB][!xX]?');
    const long = `A${'b'.repeat(63)}`;
    expect(anyCaseGlob(long)).toBe('?'.repeat(64));
    for (const p of ['WEB1', 'web[a-c]*', 'db[!X]?', long]) expect(compilePattern(anyCaseGlob(p) as string).ok).toBe(true);
  });
});

describe('ssh: the words after NAME are the remote command, options included', () => {
  it('ssh web01 uptime --json runs `uptime --json` there; --json before NAME is still xenherdctl\'s', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const ctl = ctlFor(c);
    const r = await ctl(['ssh', 'web01', 'uptime', '--json']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(await ctl(['ssh', 'web01', 'ls', '-l'])).toMatchObject({ code: 0 });
    expect(ctl.sshCalls).toEqual([
      ['root@xen1', 'uptime', '--json'],
      ['root@xen1', 'ls', '-l'],
    ]);
    const json = await ctl(['ssh', '--json', 'web01', 'uptime', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ argv: ['ssh', 'root@xen1', 'uptime', '--json'] });
    const unknown = await ctl(['ssh', '-t', 'web01']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown option "-t".*xenherdctl's options go before NAME; the remote command and its options after it/);
    expect((await ctl(['ssh', '--help'])).stdout).toMatch(/usage: xenherdctl ssh \[--json\] NAME \[CMD\.\.\.\]\n {2}as with ssh itself, only the options before NAME are xenherdctl's/);
  });
});

describe('--timeout DURATION', () => {
  it('0s must be more than 0; a bare number is refused, asking for its unit; the help says so', async () => {
    const c = await bed.start();
    const ctl = ctlFor(c);
    const zero = await ctl(['drain', 'xen1', '--timeout', '0s']);
    expect(zero).toMatchObject({ code: 2, stderr: 'xenherdctl: XH_ERR_USAGE: --timeout "0s" must be more than 0 (e.g. 30m, 1h30m, 90s)\n' });
    const bare = await ctl(['rebalance', '--apply', '--timeout', '90']);
    expect(bare).toMatchObject({ code: 2, stderr: 'xenherdctl: XH_ERR_USAGE: --timeout "90" has no unit: write 90s, 90m or 90h\n' });
    for (const cmd of ['drain', 'restore', 'rebalance', 'roll']) {
      expect((await ctl([cmd, '--help'])).stdout).toContain('--timeout   DURATION, e.g. 30m, 1h30m, 90s (units ms s m h d; a number needs one), more than 0');
    }
  });
});

describe('where HOST', () => {
  it('a Dom0 asked for as a domU: not found (1), saying it is a Dom0 and what lists its domUs', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const ctl = ctlFor(c);
    expect(await ctl(['where', 'xen1'])).toMatchObject({ code: 1, stderr: 'xenherdctl: XH_ERR_NOT_FOUND: no domU matches xen1 (xen1 is a Dom0: `xenherdctl domains --host xen1` lists what runs there)\n' });
    expect((await ctl(['where', '-q', 'XEN2'])).stderr).toContain('(xen2 is a Dom0: `xenherdctl domains --host xen2`');
    // a glob, or a name that is neither: the plain refusal
    expect((await ctl(['where', 'xen*'])).stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no domU matches xen* (xenherdctl domains lists them all)\n');
    expect((await ctl(['where', 'xen3'])).stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no domU matches xen3 (xenherdctl domains lists them all)\n');
  });
});

describe('reverse of a domU already at home', () => {
  it('is done already: exit 0 saying so, nothing sent, and reverse --help says so', async () => {
    const c = await bed.start();
    const { xen1 } = await twoHosts(c);
    const ctl = ctlFor(c);
    const r = await ctl(['reverse', 'web01']);
    // not guarded on xen1 (only its migrate-tab lists it): no autostart record times it
    expect(r).toEqual({ code: 0, stdout: "web01 already runs on its home xen1 (since when is not known: xen1's agent times only the domUs it guards): nothing to reverse\n", stderr: '' });
    expect(xen1.of('command')).toEqual([]);
    expect((await ctl(['reverse', '--help'])).stdout).toMatch(/exit: 0 back home, or already home: NAME runs on its home alone/);
  });

  it('running on another Dom0 that no ledger says it left for (started there by hand): refused, naming where it runs and what brings it home', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await twoHosts(c);
    xen1.delta({ domains: [] });
    xen2.delta({ domains: [dom('db1'), dom('web01')] });
    await until(() => c.core.where('web01').ok && JSON.stringify(c.core.where('web01')).includes('"xen2"'), 'web01 seen on xen2', { limitMs: 10_000 });
    const r = await ctlFor(c)(['reverse', 'web01']);
    expect(r).toMatchObject({
      code: 77,
      stderr: 'xenherdctl: XH_ERR_REFUSED: the ledger of xen1 has no record of web01 having left (it runs on xen2, started or moved there without xenherd): nothing to reverse, nothing was sent; `xenherdctl migrate web01 xen1` or `xenherdctl restore xen1` brings it home\n',
    });
    expect(xen1.of('command')).toEqual([]);
  });
});
