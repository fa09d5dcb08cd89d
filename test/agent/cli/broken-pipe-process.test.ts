import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROKEN_PIPE_EXIT } from '../../../shared/cli/broken-pipe.js';

// xenherd-agent as shipped (the single-file bundle, a process of its own) writing into a pipe
// whose reader is gone: `xenherd-agent status ALL | head -1` once head has its line.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-agent-pipe-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherd-agent'], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs ARGV with stdout a pipe its reader closed at once; stderr is read. */
function withClosedStdout(argv: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'xenherd-agent'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

it('ends quietly with 128 + SIGPIPE: no EPIPE stack trace, no "Unhandled \'error\' event"', async () => {
  const r = await withClosedStdout(['--help']);
  expect(r.stderr).toBe('');
  expect(r).toMatchObject({ code: BROKEN_PIPE_EXIT, signal: null });
}, 60_000);
