import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseOf, untilFound, Wakes } from '../helpers/until.js';

// `npm run sim -- FLEET` (the plain simulator) takes incidents typed on its stdin: `power xen1
// off` powers the Dom0 off for the tools of a shell given its line, `state` shows it, a wrong line
// is answered, the end of stdin stops nothing, and Ctrl-C still stops it and removes its files.
// With --controller, `power xen1 off` also ends xen1's agent process and `power xen1 on` starts it.
const temps: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/**
 * output so far, and a wait for a line matching, failing with the output when the process ends
 * first: the process is the wait's bound (the afterEach kills it, and its close ends the wait), as
 * what it prints first comes after a build whose time is the machine's
 */
function watch(child: ChildProcessWithoutNullStreams): { out: () => string; until: (re: RegExp) => Promise<string> } {
  let out = '';
  const wakes = new Wakes();
  child.stdout.on('data', (b: Buffer) => ((out += b.toString()), wakes.wake()));
  child.stderr.on('data', (b: Buffer) => ((out += b.toString()), wakes.wake()));
  child.on('close', () => wakes.wake());
  const line = (re: RegExp) => (): string | undefined => {
    const m = out.split('\n').find((l) => re.test(l));
    if (m === undefined && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`ended (${child.exitCode ?? child.signalCode}) without a line matching ${re}:\n${out}`);
    return m;
  };
  const until = (re: RegExp): Promise<string> => untilFound(line(re), () => `a line matching ${re}:\n${out}`, { limitMs: Infinity, step: wakes.step(1_000) });
  return { out: () => out, until };
}

/** the first whole line of FILE once it has one: the playground's log streams write after the lines they follow */
function firstLine(file: string, timeoutMs = 20_000): Promise<string> {
  const text = (): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const first = (): string | undefined => {
    const t = text();
    return t.includes('\n') ? t.slice(0, t.indexOf('\n')) : undefined;
  };
  return untilFound(first, () => `a whole line in ${file}: ${JSON.stringify(text())}`, { limitMs: timeoutMs, step: pauseOf(50) });
}

/** a tool "on" a host, through the line the simulator printed for it */
function onHost(exportLine: string, cmd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn('bash', ['-c', `${exportLine}; ${cmd}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', (code) => resolve({ code, out }));
  });
}

describe('the plain simulator, incidents typed on its stdin', () => {
  it('powers a Dom0 off, shows it in state, answers a wrong line, keeps running after EOF, stops on Ctrl-C', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-ctl-'));
    temps.push(tmp);
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', 'test/sim/example.fleet'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const w = watch(child);
    await w.until(/`help` lists them/);
    expect(w.out()).toContain('Incidents: type `power xen1 off`, `drbd r1 disconnect`, `state` ... here');
    const xen1 = (await w.until(/^export PATH=.*XENHERD_SIM_HOST='xen1'/)).trim();
    const xen2 = (await w.until(/^export PATH=.*XENHERD_SIM_HOST='xen2'/)).trim();
    expect(await onHost(xen1, 'xl list')).toMatchObject({ code: 0, out: expect.stringContaining('web1') });

    child.stdin.write('power xen1 off\nstate\n');
    await w.until(/^power xen1 off: done/);
    expect(await w.until(/^xen1: /)).toBe('xen1: off');
    await w.until(/^xen2: free=/);
    // a Dom0 without power: as unreachable as a real one
    expect(await onHost(xen1, 'xl list')).toMatchObject({ code: 255, out: expect.stringContaining('No route to host') });

    child.stdin.write('power xen3 off\nbogus\n');
    expect(await w.until(/^error: no host/)).toBe('error: no host "xen3" in this fleet: the hosts are xen1, xen2');
    expect(await w.until(/^error: unknown command/)).toContain('the commands are power HOST on|off, drbd RES disconnect|connect|split-brain');

    // the end of stdin stops nothing: the simulator still answers its tools
    child.stdin.end();
    await w.until(/stdin ended; the simulator keeps running/);
    expect(await onHost(xen2, 'xl list')).toMatchObject({ code: 0, out: expect.stringContaining('db1') });
    expect(child.exitCode).toBeNull();

    child.kill('SIGINT');
    // once started, Ctrl-C is an ordinary stop (sim-cli-interrupt.test.ts: 130 when it comes mid-start)
    expect(await exited).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});

/** the `xenherd-agent run` processes started from under dir, by the host of their config */
const agentsUnder = (dir: string): string[] =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir) && l.includes('xenherd-agent run'))
    .map((l) => /hosts\/([^/]+)\/etc\/xenherd\/agent\.json/.exec(l)?.[1] ?? l)
    .sort();
const controllersUnder = (dir: string): number =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir) && l.includes('xenherd-controller serve')).length;

describe('the playground (--controller), incidents typed on its stdin', () => {
  it('power off kills that Dom0\'s agent process, power on starts it again; controller kill and start end and start the controller', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-ctl-'));
    temps.push(tmp);
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', '--controller', 'test/sim/example.fleet'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const w = watch(child);
    await w.until(/`help` lists them/);
    expect(agentsUnder(tmp)).toEqual(['xen1', 'xen2']);
    // the agent line it prints, with a Dom0's line, reaches that Dom0's running agent (an alias
    // is used from the line after the one defining it)
    const alias = (await w.until(/^alias xenherd-agent=/)).trim();
    const xen2 = (await w.until(/^export PATH=.*XENHERD_SIM_HOST='xen2'/)).trim();
    expect(await onHost(`shopt -s expand_aliases\n${xen2}\n${alias}`, '\nxenherd-agent autostart status')).toMatchObject({ code: 0, out: expect.stringMatching(/^xenherd agent on xen2 \(pid \d+,.*^ {2}controller: +link up.*^db1 +running/ms) });
    // what the controller and the agents log is kept where the playground says, as JSON lines
    const logDir = /^Logs .*: (\S+)\/controller\.log, /.exec(await w.until(/^Logs /))?.[1] ?? '';
    expect(logDir.startsWith(tmp)).toBe(true);
    for (const f of ['controller.log', 'xen1.log', 'xen2.log']) expect(JSON.parse(await firstLine(join(logDir, f)))).toHaveProperty('msg');
    child.stdin.write('power xen1 off\n');
    expect(await w.until(/^power xen1 off: /)).toBe('power xen1 off: done (its domUs are gone, its agent killed (SIGKILL); `power xen1 on` boots it empty)');
    // answered once the process is gone
    expect(agentsUnder(tmp)).toEqual(['xen2']);
    child.stdin.write('power xen1 on\n');
    expect(await w.until(/^power xen1 on: /)).toMatch(/^power xen1 on: done \(booted, no domU running; its agent started, pid \d+\)$/);
    expect(agentsUnder(tmp)).toEqual(['xen1', 'xen2']);
    // the controller killed and started again, as in a crash mid-drain; the one started here is the one Ctrl-C ends
    child.stdin.write('controller kill\n');
    expect(await w.until(/^controller kill: /)).toMatch(/^controller kill: done \(the controller ended, SIGKILL, as a crash/);
    expect(controllersUnder(tmp)).toBe(0);
    child.stdin.write('controller start\n');
    expect(await w.until(/^controller start: /)).toMatch(/^controller start: done \(the controller started, pid \d+, on the same port, config and state dir;/);
    expect(controllersUnder(tmp)).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    // the controller, agents and sshds it started ran from that directory: none is left
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tmp))).toEqual([]);
  }, 90_000);
});
