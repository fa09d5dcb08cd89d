import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { realClock } from '../../shared/clock/real-clock.js';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { err, ok, type Result } from '../../shared/result.js';
import { CLOSE_GRACE_MS, DEFAULT_KILL_AFTER_MS, DRAIN_AFTER_EXIT_MS, destroyPipe, endGroup, signalGroup, trackGroup, type GroupEnding } from './process-group.js';
import type { ToolFailure } from './tool-failure.js';
import { mayBeOnPath } from './on-path.js';
import { heldArgv, letGo } from './held-start.js';

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface RunOptions {
  /**
   * Bound on the whole call (default 30 s): the tool, anything it started that still holds its
   * output, and the reading. At the bound its process group gets SIGTERM, SIGKILL after
   * killAfterMs, and the call answers at most 1 s later whatever is left (process-group.ts).
   */
  readonly timeoutMs?: number;
  /** Exit codes that count as an answer rather than a failure (e.g. xenstore-read of a key that does not exist). */
  readonly acceptExitCodes?: readonly number[];
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Called with the pid the tool will run under, before it runs: the tool is started held
   * (held-start.ts) and let go once this returns, so what it records names the process before
   * that process can do anything (the agent's record of an `xl create` in flight). A throw ends
   * the call without running the tool.
   */
  readonly beforeRun?: (pid: number) => void;
  /** called with each stderr chunk as it arrives (progress of a long tool such as xl migrate) */
  readonly onStderr?: (chunk: string) => void;
  /** SIGTERM → SIGKILL delay when the call is ended early (default 2 s) */
  readonly killAfterMs?: number;
  /** more stdout than this is XH_ERR_TOOL_OUTPUT, never a cut answer (default 64 MiB) */
  readonly maxStdoutBytes?: number;
  /** likewise for stderr (default 4 MiB) */
  readonly maxStderrBytes?: number;
  /**
   * Ends the call early once aborted, as the bound does (SIGTERM to the group, SIGKILL after
   * killAfterMs): the running agent's reads when it stops, so none outlives it.
   */
  readonly endOn?: AbortSignal;
}

/**
 * Runs one external tool with an argv (never a shell) and returns its output or a typed failure.
 * Adapters receive a ToolRunner so tests can hand them recorded output.
 */
export type ToolRunner = (tool: string, args: readonly string[], options?: RunOptions) => Promise<Result<ToolOutput, ToolFailure>>;

const DEFAULT_TIMEOUT_MS = 30_000;
// Far above any output the agent reads: the lists and DRBD status of hundreds of domUs are a few MiB at most.
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
// stderr is diagnostics and xl migrate's progress: kilobytes. More is a tool gone wrong.
const MAX_STDERR_BYTES = 4 * 1024 * 1024;
const mib = (n: number): string => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/** Why the call was ended before its pipes closed by themselves. */
type Ended = 'timeout' | 'stdout-overflow' | 'stderr-overflow' | 'held-after-exit' | 'ended-by-caller';

/**
 * Own process group (detached) so a timeout reaches what the tool started; reading bounded per
 * stream; every wait bounded (see process-group.ts). LC_ALL=C: xl and drbdadm print numbers and
 * messages we parse; a locale must not change them.
 */
export const runTool: ToolRunner = (tool, args, options = {}) =>
  new Promise((resolve) => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const killAfterMs = options.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
    const limits = { stdout: options.maxStdoutBytes ?? MAX_STDOUT_BYTES, stderr: options.maxStderrBytes ?? MAX_STDERR_BYTES };
    const beforeRun = options.beforeRun;
    const call: CallState = { tool, args, timeoutMs, limits, kept: { stdout: [], stderr: [] }, ended: null, exitedFirst: false, exit: null, lastSignal: 'SIGTERM', held: beforeRun !== undefined, notStarted: null };
    const env = { ...process.env, ...options.env, LC_ALL: 'C', LANG: 'C' };
    let child: ChildProcessByStdio<Writable | null, Readable, Readable>;
    if (!mayBeOnPath(tool, options.env?.['PATH'] ?? process.env['PATH'])) {
      resolve(toResult(call, Object.assign(new Error(`spawn ${tool} ENOENT`), { code: 'ENOENT' }), [0]));
      return;
    }
    const argv = beforeRun ? heldArgv(tool, args) : { file: tool, args: [...args] };
    try {
      child = spawn(argv.file, argv.args, { stdio: [beforeRun ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true, env }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    } catch (e) {
      // spawn() throws for an argument it cannot pass (a NUL byte): a failure, not an exception
      resolve(toResult(call, e instanceof Error ? e : new Error(String(e)), [0]));
      return;
    }
    const untrack = trackGroup(child.pid);
    const size = { stdout: 0, stderr: 0 };
    let ending: GroupEnding | null = null;
    let settled = false;
    let cancelDrain: (() => void) | undefined;
    let cancelDeadline: (() => void) | undefined;

    const settle = (spawnError: NodeJS.ErrnoException | null): void => {
      if (settled) return;
      settled = true;
      cancelDeadline?.();
      cancelDrain?.();
      options.endOn?.removeEventListener('abort', endByCaller);
      ending?.cancel();
      untrack();
      destroyPipe(child.stdout);
      destroyPipe(child.stderr);
      call.lastSignal = ending?.lastSignal() ?? 'SIGTERM';
      resolve(toResult(call, spawnError, options.acceptExitCodes ?? [0]));
    };
    const end = (why: Ended): void => {
      if (call.ended !== null || settled) return;
      call.ended = why;
      call.exitedFirst = call.exit !== null;
      ending = endGroup((sig) => signalGroup(child.pid, sig), killAfterMs, CLOSE_GRACE_MS, () => settle(null));
    };
    function endByCaller(): void {
      end('ended-by-caller');
    }
    const collect = (stream: 'stdout' | 'stderr', chunk: Buffer): boolean => {
      if (call.ended === 'stdout-overflow' || call.ended === 'stderr-overflow') return false;
      size[stream] += chunk.length;
      if (size[stream] > limits[stream]) {
        call.kept[stream] = []; // a cut output is no answer, and 64 MiB does not belong in a log
        end(`${stream}-overflow`);
        return false;
      }
      call.kept[stream].push(chunk);
      return true;
    };
    child.stdout.on('data', (chunk: Buffer) => void collect('stdout', chunk));
    const decoder = new StringDecoder('utf8');
    const onStderr = options.onStderr;
    child.stderr.on('data', (chunk: Buffer) => {
      if (collect('stderr', chunk) && onStderr) onStderr(decoder.write(chunk));
    });
    child.on('exit', (code, signal) => {
      call.exit = { code, signal };
      // the tool is done: its output drains from the pipes at once, unless something it started
      // still holds them
      if (call.ended === null) cancelDrain = realClock.schedule(DRAIN_AFTER_EXIT_MS, () => end('held-after-exit'));
    });
    child.on('close', () => settle(null));
    child.on('error', (e: NodeJS.ErrnoException) => {
      // 'error' also reports a failed kill(); only a spawn that never happened ends the call here
      if (child.pid === undefined) settle(e);
    });
    cancelDeadline = realClock.schedule(timeoutMs, () => end('timeout'));
    if (options.endOn?.aborted === true) endByCaller();
    else options.endOn?.addEventListener('abort', endByCaller, { once: true });
    if (beforeRun && child.stdin) {
      // no pid: the shell never started, and 'error' ends the call
      if (child.pid === undefined) return letGo(child.stdin, false);
      try {
        beforeRun(child.pid);
      } catch (e) {
        // answered once the shell has ended: the tool never ran, and never will
        call.notStarted = e instanceof Error ? e.message : String(e);
      }
      letGo(child.stdin, call.notStarted === null);
    }
  });

interface CallState {
  readonly tool: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly limits: { readonly stdout: number; readonly stderr: number };
  kept: { stdout: Buffer[]; stderr: Buffer[] };
  ended: Ended | null;
  /** the tool had exited by itself when the call was ended (a process it started held the pipes) */
  exitedFirst: boolean;
  exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  lastSignal: NodeJS.Signals;
  /** started through held-start.ts's shell */
  readonly held: boolean;
  /** why a held tool was not let go (beforeRun threw) */
  notStarted: string | null;
}

function toResult(call: CallState, spawnError: NodeJS.ErrnoException | null, accepted: readonly number[]): Result<ToolOutput, ToolFailure> {
  const { tool, args } = call;
  const stdout = Buffer.concat(call.kept.stdout).toString('utf8');
  const stderr = Buffer.concat(call.kept.stderr).toString('utf8');
  const exitCode = call.exit?.code ?? null;
  const signal = call.exit?.signal ?? null;
  const cmd = [tool, ...args].join(' ');
  const base = { tool, args: [...args], stdout, stderr, exitCode, signal };
  const how = signal ? `killed by ${signal}` : `exit code ${String(exitCode)}`;
  if (spawnError) {
    if (spawnError.code === 'ENOENT' || spawnError.code === 'EACCES') {
      return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH (install it, or check PATH of the service)` });
    }
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool}: cannot run: ${spawnError.message}` });
  }
  if (call.notStarted !== null) return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: not started: ${call.notStarted}` });
  // the holding shell could not exec the tool (its messages start with its $0)
  if (call.held && (exitCode === 126 || exitCode === 127) && stderr.startsWith('xenherd-held:')) {
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH (install it, or check PATH of the service)` });
  }
  switch (call.ended) {
    case 'stdout-overflow':
    case 'stderr-overflow': {
      const stream = call.ended === 'stdout-overflow' ? 'stdout' : 'stderr';
      return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_OUTPUT', message: `${cmd}: printed more than ${mib(call.limits[stream])} on ${stream}; refused rather than cut (${call.lastSignal} sent)` });
    }
    case 'timeout': {
      const why = call.exitedFirst ? `ended (${how}) but a process it started still held its output after ${call.timeoutMs} ms` : `no answer after ${call.timeoutMs} ms`;
      return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_TIMEOUT', message: `${cmd}: ${why}, killed` });
    }
    case 'held-after-exit':
      return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: ${how}, but a process it started still held its output ${DRAIN_AFTER_EXIT_MS} ms later (its answer may be cut); killed` });
    case 'ended-by-caller':
      return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: ended before its answer, as its caller asked (${call.lastSignal} sent)` });
    case null:
      break;
  }
  if (exitCode === null || !accepted.includes(exitCode)) {
    const firstLine = stderr.trim().split('\n')[0] ?? '';
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: ${how}${firstLine ? `: ${firstLine}` : ''}` });
  }
  return ok({ stdout, stderr, exitCode });
}
