import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';

// `npm run sim -- --controller FLEET` interrupted with Ctrl-C while it still builds and starts:
// it stops what it started once started, and leaves no playground directory behind.
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

describe('the playground, Ctrl-C during its start', () => {
  it('ends with 130 once started, everything stopped and its temp dir removed', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-int-'));
    temps.push(tmp);
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', '--controller', 'test/sim/example.fleet'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('building the bundles')) resolve();
      });
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', () => reject(new Error(`ended before it started building: ${stdout}${stderr}`)));
    });
    // the playground's directory exists by now: the interrupt comes mid-start
    expect(readdirSync(tmp).filter((f) => f.startsWith('xenherd-playground-'))).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('sim: stopping as soon as everything has started');
    expect(readdirSync(tmp).filter((f) => f.startsWith('xenherd-playground-'))).toEqual([]);
    // the controller, agents and sshds it started ran from that directory: none is left
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tmp));
    expect(left).toEqual([]);
  }, 120_000);
});

describe('the playground running, Ctrl-C at its terminal', () => {
  // Ctrl-C at a terminal signals the whole foreground process group: the agents ended on it before
  // the playground stopped them, and it printed `agent xen1: its agent (pid …) exited with code 0;
  // \`agent xen1 start\` starts it again` for each, then nothing: stopped, or an agent gone?
  it('ends it saying it stopped, with no advice to start an agent again', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'xenherd-simcli-int-'));
    temps.push(tmp);
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/sim/cli.ts', '--controller', 'test/sim/example.fleet'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes('Incidents:')) resolve();
      });
      child.on('close', () => reject(new Error(`ended before it ran: ${stdout}`)));
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('no pid');
    // its own process group, as a shell's job: ended here whatever the test's outcome
    onTestFinished(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    });
    process.kill(-pid, 'SIGINT');
    expect(await exited).toBe(0);
    const after = stdout.slice(stdout.indexOf('Incidents:'));
    expect(after).not.toContain('starts it again');
    expect(after).toMatch(/playground stopped: the simulator, the controller, every agent and sshd it started have ended; \S+xenherd-playground-\S+ removed\.\n$/);
    expect(readdirSync(tmp).filter((f) => f.startsWith('xenherd-playground-'))).toEqual([]);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tmp));
    expect(left).toEqual([]);
  }, 180_000);
});
