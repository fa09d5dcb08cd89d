import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_PIPE_EXIT } from '../../../shared/cli/broken-pipe.js';

// xenherdctl as shipped (the single-file bundle, a process of its own) writing into a pipe whose
// reader is gone before it writes a line: `xenherdctl status | head -1` once head has its line.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-pipe-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherdctl'], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs ARGV with stdout a pipe closed at once by its reader; stderr is read. */
function withClosedStdout(argv: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(dir, 'xenherdctl'), argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('xenherdctl, its output pipe closed early', () => {
  it('ends quietly with 128 + SIGPIPE: no EPIPE stack trace, no "Unhandled \'error\' event"', async () => {
    const r = await withClosedStdout(['--help']);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: BROKEN_PIPE_EXIT, signal: null });
  }, 30_000);
});
