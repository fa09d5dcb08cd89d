import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_PIPE_EXIT } from '../../shared/cli/broken-pipe.js';

// xenherd-agent and xenherdctl as shipped (the single-file bundles, each a process of its own)
// writing into a pipe whose reader is gone before they write a line: `xenherdctl status | head -1`,
// `xenherd-agent status ALL | head -1`, once head has its line. The reader is closed right after
// spawn, long before a Node program can start and write.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-pipe-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherd-agent', 'xenherdctl'], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs BIN ARGV with stdout a pipe its reader closed at once; stderr is read. */
function withClosedStdout(bin: string, argv: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, bin), ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('an output pipe closed early', () => {
  it('xenherdctl check, a Nagios plugin, ends with 3 (UNKNOWN), never another code', async () => {
    // no controller configured: the UNKNOWN line it writes is what meets the closed pipe
    const r = await withClosedStdout('xenherdctl', ['check']);
    expect(r).toMatchObject({ code: 3, signal: null });
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js/);
  }, 60_000);

  it.each(['xenherd-agent', 'xenherdctl'])('%s ends quietly with 128 + SIGPIPE: no EPIPE stack trace, no "Unhandled \'error\' event"', async (bin) => {
    const r = await withClosedStdout(bin, ['--help']);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: BROKEN_PIPE_EXIT, signal: null });
  }, 60_000);
});
