import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { liveProcessesMentioning } from '../agent/run/agent-process.js';

// README quick-start line 1 (`npm run demo`) must keep working and clean up after itself. Each run
// gets its own TMPDIR, so "nothing left behind" is checked on this run's processes and files only.

export interface DemoRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  readonly dir: string;
}

/** `npm run demo -- ARGS` as a child with its own TMPDIR (r.dir: the caller removes it). */
export async function runDemo(args: readonly string[]): Promise<DemoRun> {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-demo-test-'));
  const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/demo/main.ts', ...args], { env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err, dir };
}

/** runDemo for a test file: each run's TMPDIR is removed after its test. */
export function demoRunner(): (args: readonly string[]) => Promise<DemoRun> {
  let last: DemoRun | null = null;
  afterEach(() => {
    if (last) rmSync(last.dir, { recursive: true, force: true });
    last = null;
  });
  return async (args) => (last = await runDemo(args));
}

export function leftBehind(dir: string): { processes: string[]; files: string[] } {
  return { processes: liveProcessesMentioning(dir), files: readdirSync(dir) };
}

