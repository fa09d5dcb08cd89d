import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../agent/adapters/ledger-store.js';

// Killing the writer at random points (SIGKILL) never leaves an unreadable ledger or loses a
// record whose write was acknowledged before the kill. 60 kills per `npm test` (each one a node
// start-up); XENHERD_LEDGER_KILLS=1000 for a longer hunt.
const WORKERS = 2;
const PER_WORKER = Math.ceil(Math.max(2, Number(process.env['XENHERD_LEDGER_KILLS'] ?? 60) || 60) / WORKERS);
const ITERATIONS = PER_WORKER * WORKERS;
let dir = '';
let bundle = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xh-ledger-kill-'));
  bundle = join(dir, 'writer.cjs');
  await build({ entryPoints: [new URL('./ledger-writer.ts', import.meta.url).pathname], outfile: bundle, bundle: true, minify: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'silent' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oneRun(stateDir: string, tag: string, killAfterMs: number): Promise<{ acked: string[]; stderr: string; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bundle, stateDir, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buf = '';
    let stderr = '';
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
      }
    });
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // start the clock once the writer is running (its first ack), so kills land mid-write
    let timer: NodeJS.Timeout | null = null;
    const arm = (): void => {
      if (timer === null) timer = setTimeout(() => c.kill('SIGKILL'), killAfterMs);
    };
    c.stdout.once('data', arm);
    const fallback = setTimeout(arm, 2_000);
    c.on('close', (code, signal) => {
      clearTimeout(fallback);
      if (timer) clearTimeout(timer);
      resolve({ acked, stderr, code, signal });
    });
  });
}

describe('ledger store under SIGKILL', () => {
  it(`survives ${ITERATIONS} random kills during writes`, async () => {
    let kills = 0;
    let records = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const stateDir = join(dir, `state-${w}`);
        const store = ledgerStore(stateDir, 'xen1');
        const acked: string[] = [];
        for (let i = 0; i < PER_WORKER; i++) {
          const r = await oneRun(stateDir, `w${w}i${i}`, Math.floor(Math.random() * 25));
          expect(r.stderr).toBe('');
          expect(r.signal).toBe('SIGKILL');
          kills++;
          acked.push(...r.acked);
          const l = store.read();
          if (!l.ok) throw new Error(`after kill ${i}: ${l.error.message}`);
          const names = new Set([...Object.keys(l.value.away), ...Object.keys(l.value.visitors)]);
          const lost = acked.filter((n) => !names.has(n));
          expect(lost).toEqual([]);
          records = Math.max(records, names.size);
        }
      }),
    );
    expect(kills).toBe(ITERATIONS);
    expect(records).toBeGreaterThan(0);
  }, 240_000);
});
