import { spawn } from 'node:child_process';
import type { Clock } from '../../shared/clock/clock.js';
import { realClock } from '../../shared/clock/real-clock.js';
import { CLOSE_GRACE_MS, DEFAULT_KILL_AFTER_MS, DRAIN_AFTER_EXIT_MS, destroyPipe, endGroup, signalGroup, trackGroup, type GroupEnding, type Signaller } from './process-group.js';
import { lineSplitter } from '../../shared/text/lines.js';
import type { ToolFailure } from './tool-failure.js';

/** The part of a Node ChildProcess a stream reader needs; tests and the composition root provide it. */
export interface StreamChild {
  readonly pid?: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** 'close': the process exited and its stdout/stderr are drained, so no event is lost */
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  /** 'exit': the process itself ended; 'close' never follows while something it started holds a pipe */
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  /** how to end it and what it started (default: signal its process group); a test double ends itself */
  readonly signal?: Signaller;
}
export type SpawnStream = (tool: string, args: readonly string[]) => StreamChild;

/**
 * Default spawner: argv only (no shell), LC_ALL=C, in its own process group so stop() can signal
 * the whole group and leave nothing behind even when the tool is a wrapper script.
 */
export const spawnStream: SpawnStream = (tool, args) =>
  spawn(tool, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });

/**
 * A long-running tool read line by line (`drbdsetup events2`, `xenstore-watch`): the child runs in
 * its own process group (spawnStream), stop() signals the whole group (SIGTERM, SIGKILL after
 * killAfterMs), and `exited` says whether it ended on its own, so the caller can respawn it.
 */
export interface StreamExit {
  /** true when stop() ended the child */
  readonly stopped: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** set when the child could not run, ended by itself, or printed a line over the bound */
  readonly failure: ToolFailure | null;
  /** lines read before it ended */
  readonly lines: number;
}

export interface LineStream {
  readonly pid: number | null;
  readonly exited: Promise<StreamExit>;
  /** resolves within killAfterMs + 1 s whatever the tool's children do */
  stop(): Promise<StreamExit>;
}

export interface StreamLimits {
  /** the longest line read in characters, newline excluded (default 64 Ki); a longer one ends the stream as a failure */
  readonly maxLineBytes?: number;
}

/**
 * The tools streamed print short lines: an xenstore path is at most 3 KiB, an events2 line a few
 * hundred bytes. 64 KiB is far above both and bounds what one unfinished line can hold in memory.
 */
export const MAX_LINE_BYTES = 64 * 1024;
/** stderr is kept for the failure message only */
const MAX_STDERR_CHARS = 64 * 1024;

type Ended = 'stop' | 'long-line' | 'held-after-exit';

export function startLineStream(
  spawn: SpawnStream,
  tool: string,
  args: readonly string[],
  onLine: (line: string, lineNo: number) => void,
  killAfterMs = DEFAULT_KILL_AFTER_MS,
  limits: StreamLimits = {},
  clock: Clock = realClock,
): LineStream {
  const maxLine = limits.maxLineBytes ?? MAX_LINE_BYTES;
  const child = spawn(tool, args);
  const untrack = trackGroup(child.pid);
  let ended: Ended | null = null;
  let ending: GroupEnding | null = null;
  let done = false;
  let stderr = '';
  let lineNo = 0;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let cancelDrain: (() => void) | undefined;
  let resolveExit: (e: StreamExit) => void = () => undefined;
  const exited = new Promise<StreamExit>((r) => (resolveExit = r));

  const finish = (spawnError: NodeJS.ErrnoException | null): void => {
    if (done) return;
    done = true;
    cancelDrain?.();
    ending?.cancel();
    untrack();
    destroyPipe(child.stdout);
    destroyPipe(child.stderr);
    // a last line without its newline is incomplete (a killed stream may cut one): the splitter
    // is never ended, so it is dropped
    const exitCode = exit?.code ?? null;
    const signal = exit?.signal ?? null;
    const failure = failureFor({ tool, args, stderr, exitCode, signal, maxLine }, ended, spawnError);
    resolveExit({ stopped: ended === 'stop', exitCode, signal, failure, lines: lineNo });
  };
  // one way to end, whoever asks: SIGTERM, SIGKILL, then stop waiting for the pipes
  const end = (why: Ended): void => {
    if (ended !== null || done) return;
    ended = why;
    ending = endGroup(child.signal ?? ((sig) => signalGroup(child.pid, sig)), killAfterMs, CLOSE_GRACE_MS, () => finish(null), clock);
  };

  const lines = lineSplitter(
    (line) => {
      // once ending, no more lines: the caller asked to stop, or the stream is broken
      if (ended !== null) return;
      lineNo++;
      onLine(line, lineNo);
    },
    { maxLineChars: maxLine, onOverflow: () => end('long-line') },
  );
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    if (ended === null && !done) lines.push(chunk);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.slice(0, MAX_STDERR_CHARS - stderr.length);
  });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    // what it printed drains at once; a pipe still open after that is held by a process it left
    if (ended === null) cancelDrain = clock.schedule(DRAIN_AFTER_EXIT_MS, () => end('held-after-exit'));
  });
  child.on('close', (code, signal) => {
    exit = { code, signal };
    finish(null);
  });
  child.on('error', (e) => finish(e));

  const stop = (): Promise<StreamExit> => {
    end('stop');
    return exited;
  };
  return { pid: child.pid ?? null, exited, stop };
}

interface Ran {
  readonly tool: string;
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly maxLine: number;
}

function failureFor(r: Ran, ended: Ended | null, spawnError: NodeJS.ErrnoException | null): ToolFailure | null {
  const { tool, stderr, exitCode, signal } = r;
  const base = { tool, args: [...r.args], stdout: '', stderr, exitCode, signal };
  const cmd = [tool, ...r.args].join(' ');
  if (spawnError?.code === 'ENOENT' || spawnError?.code === 'EACCES') return { ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH` };
  if (spawnError) return { ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool}: ${spawnError.message}` };
  if (ended === 'stop') return null;
  if (ended === 'long-line') {
    const size = r.maxLine % 1024 === 0 ? `${r.maxLine / 1024} KiB` : `${r.maxLine} bytes`;
    return { ...base, code: 'XH_ERR_TOOL_OUTPUT', message: `${cmd}: printed a line longer than ${size}; stream stopped (to be restarted)` };
  }
  const why = signal ? `killed by ${signal}` : `exit code ${String(exitCode)}`;
  if (ended === 'held-after-exit') return { ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: ended (${why}), but a process it started still held its output; killed` };
  const first = stderr.trim().split('\n')[0] ?? '';
  return { ...base, code: 'XH_ERR_TOOL_FAILED', message: `${cmd}: ended (${why})${first ? `: ${first}` : ''}` };
}
