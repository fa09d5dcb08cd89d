import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOnWriteError, guardedWrite, STDOUT_FAILED_EXIT } from '../../../controller/ctl/stdout-failure.js';
import { controllerBed, xen1ReportingWithCa } from '../api/controller-bed.js';

// xenherdctl as shipped (the bundle, a process of its own) with its standard output on /dev/full,
// where every write fails with ENOSPC: a full disk under `xenherdctl where '*' > hosts.txt`.
const bed = controllerBed();
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-full-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherdctl'], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle with ARGV, stdout on /dev/full; asynchronous, as the controller answering it lives in this process. */
function intoFull(argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'xenherdctl'), ...argv], { stdio: ['ignore', full, 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...env } });
    closeSync(full);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const LINE = 'xenherdctl: cannot write the answer to standard output: ENOSPC (no space left on device)\n';

describe.runIf(process.platform === 'linux')('standard output that cannot be written (/dev/full)', () => {
  it("where '*', and --help: one line on stderr and 74 (XH_ERR_FILE), never a stack and 1 (\"not found\"); check stays 3", async () => {
    const c = await bed.start();
    const ca = await xen1ReportingWithCa(c, dir);
    const env = { XENHERD_URL: c.url, XENHERD_TOKEN: c.adminToken, XENHERD_CA: ca };
    expect(await intoFull(['where', '*'], env)).toEqual({ code: 74, stderr: LINE });
    expect(await intoFull(['--help'])).toEqual({ code: 74, stderr: LINE });
    expect(await intoFull(['check'], env)).toEqual({ code: 3, stderr: LINE });
    // --json typed before the command is still check's, and check's exit
    expect(await intoFull(['--json', 'check'], env)).toEqual({ code: 3, stderr: LINE });
    expect(await intoFull(['--json', 'where', '*'], env)).toEqual({ code: 74, stderr: LINE });
  }, 60_000);
});

describe('a failed write to stdout, reported as an event (a pipe, a terminal) or thrown (a file)', () => {
  const ended = () => {
    const said: string[] = [];
    const codes: number[] = [];
    return { said, codes, end: { writeStderr: (t: string) => void said.push(t), exit: (c: number) => void codes.push(c), failedExit: STDOUT_FAILED_EXIT } };
  };
  const eio = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });

  it('EIO as an event or thrown: one line naming it, 74; EPIPE: quiet, 141', () => {
    const stream = new EventEmitter();
    const e = ended();
    const write = guardedWrite(stream, () => {
      throw eio;
    }, e.end);
    write('x\n');
    stream.emit('error', eio);
    endOnWriteError(Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' }), e.end);
    expect(e.said).toEqual(['xenherdctl: cannot write the answer to standard output: EIO (i/o error)\n', 'xenherdctl: cannot write the answer to standard output: EIO (i/o error)\n']);
    expect(e.codes).toEqual([74, 74, 141]);
    const check = ended();
    endOnWriteError(Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' }), { ...check.end, failedExit: 3, brokenPipeExit: 3 });
    expect([check.said, check.codes]).toEqual([[], [3]]);
  });
});
