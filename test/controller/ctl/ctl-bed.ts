import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { runProgram } from '../../../shared/cli/program.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { ctlProgram } from '../../../controller/ctl/program.js';
import type { CtlHooks } from '../../../controller/ctl/context.js';
import type { Captured, TestController } from '../api/controller-bed.js';

export interface Ctl {
  (argv: readonly string[], env?: Record<string, string | undefined>): Promise<Captured>;
  /** the argv of every `ssh` xenherdctl would have run */
  readonly sshCalls: string[][];
  /** what the latest run has written to stdout so far: a test waits on it for a run still going on */
  stdoutSoFar(): string;
}

/** xenherdctl in this process, pointed at a test controller (env as an operator would set it); HOME is a temp dir. */
export function ctlFor(c: TestController | null, token?: string, extra: Partial<CtlHooks> = {}): Ctl {
  const home = mkdtempSync(join(tmpdir(), 'xenherd-home-'));
  removeWhenDone(home);
  const sshCalls: string[][] = [];
  let latest = '';
  const hooks: CtlHooks = {
    clock: realClock,
    execSsh: async (args: readonly string[]) => {
      sshCalls.push([...args]);
      return 0;
    },
    ...extra,
  };
  const run = async (argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<Captured> => {
    let stdout = '';
    let stderr = '';
    latest = '';
    const base = c ? { XENHERD_URL: c.url, XENHERD_TOKEN: token ?? c.adminToken, XENHERD_CA: c.caFile } : {};
    const code = await runProgram(ctlProgram(hooks), argv, { stdout: (t) => void ((stdout += t), (latest += t)), stderr: (t) => void (stderr += t), env: { HOME: home, ...base, ...env } });
    return { code, stdout, stderr };
  };
  return Object.assign(run, { sshCalls, stdoutSoFar: () => latest });
}

/**
 * The real clock whose sleeps pass at once, each moving now() on by the time slept: xenherdctl
 * following a move for minutes (controller/ctl/link-lost-follow.ts) ends in a few real ms a look.
 * Timers (a request's deadline) stay real.
 */
export function skippingClock(): Clock {
  let skipped = 0;
  return {
    ...realClock,
    now: () => realClock.now() + skipped,
    sleep: (ms) => {
      skipped += ms;
      return realClock.sleep(5);
    },
  };
}

// Removed when the test that made it ends: a hook registered here when the module loads would run
// in the first test file of a worker only, since a worker loads this module once for all its files.
function removeWhenDone(home: string): void {
  onTestFinished(() => rmSync(home, { recursive: true, force: true }));
}

/**
 * A plain HTTP server on loopback (xenherdctl allows plaintext there) that answers every request
 * with BODY: a server that is not a xenherd controller, or one of another version. Closed when the test ends.
 */
export async function impostor(body: string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
