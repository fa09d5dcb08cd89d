import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedBed } from './shipped-bed.js';

// `xenherd-controller serve` takes SIGHUP (it answers that tokens.json is re-read on change) once
// it has read its config, TLS files and tokens. A hang-up before then (`systemctl reload` or
// logrotate's postrotate right after a start) took Node's default action: the controller died.
//
// Nothing shows from outside where a start is before its handlers, so the test gives it a
// tokens.json of 10,000 operator tokens, which it takes a good while to read and check, and
// watches the bytes the process has read (/proc/PID/io, rchar): past its own bundle and a good part
// of that file, it is reading its tokens. From there until it listens it is hung up on again and
// again, and must live on to listen.

const shipped = shippedBed('xenherd-controller');
const bin = (): string => shipped.bin('xenherd-controller');

/** bytes the process PID has read so far, or null once it is gone */
function bytesRead(pid: number): number | null {
  try {
    const m = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** a token store of COUNT operators (ids and hashes of the right shape; nobody holds the secrets) */
function manyOperators(count: number): string {
  const operators: Record<string, object> = {};
  for (let i = 0; i < count; i++) {
    const id = i.toString(16).padStart(12, '0');
    operators[id] = { name: `op${i}`, role: 'read', sha256: createHash('sha256').update(id).digest('hex'), createdAt: '2026-01-01T00:00:00.000Z' };
  }
  return JSON.stringify({ schema: 1, agents: {}, operators }, null, 1);
}

describe('xenherd-controller serve hung up on while it starts', () => {
  it('SIGHUPs while it reads its tokens, before its handlers are in place, until it listens: it lives on and listens', async () => {
    const dir = shipped.temp('xenherd-ctl-hup-');
    const init = spawnSync(bin(), ['init', '--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json'], { encoding: 'utf8', timeout: 20_000 });
    expect(init.status, init.stderr).toBe(0);
    const { config } = JSON.parse(init.stdout) as { config: string };
    const tokens = join(dir, 'state/tokens.json');
    writeFileSync(tokens, manyOperators(10_000), { mode: 0o600 });
    const tokensBytes = statSync(tokens).size;
    const readingTokens = statSync(bin()).size + tokensBytes / 2;

    const child = shipped.own(spawn(bin(), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const pid = child.pid ?? 0;
    // what it said, its answers to SIGHUP counted rather than kept (one for each signal it took)
    const said: string[] = [];
    let sighups = 0;
    const hear = (d: Buffer): void => {
      for (const line of d.toString().split('\n')) {
        if (line.includes('"event":"sighup"')) sighups++;
        else if (line !== '') said.push(line);
      }
    };
    child.stdout.on('data', hear);
    child.stderr.on('data', hear);
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    const listening = (): boolean => said.some((l) => l.includes('"event":"listening"'));
    // a few ms between looks and signals: spinning took the CPU the controller needs on a busy machine
    const turn = (): Promise<unknown> => new Promise((r) => setTimeout(r, 5));

    // bounded, so that a controller that never gets there fails this test and leaves no loop spinning
    const until = performance.now() + 60_000;
    while (alive() && (bytesRead(pid) ?? 0) < readingTokens && performance.now() < until) await turn();
    expect(alive(), `it ended before reading its tokens:\n${said.join('\n')}`).toBe(true);
    expect(listening(), 'it listened before the test saw it read its tokens: a bigger tokens.json is needed').toBe(false);
    let sent = 0;
    while (alive() && !listening() && performance.now() < until) {
      child.kill('SIGHUP');
      sent++;
      await turn();
    }
    expect(sent).toBeGreaterThan(0);
    expect(alive(), `it ended: ${String(child.signalCode ?? child.exitCode)}\n${said.join('\n')}`).toBe(true);
    expect(listening()).toBe(true);
    // its answer to a SIGHUP, once it gets to the last ones sent
    while (alive() && sighups === 0 && performance.now() < until) await turn();
    expect(sighups).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await ended).toEqual({ code: 0, signal: null });
  }, 120_000);
});
