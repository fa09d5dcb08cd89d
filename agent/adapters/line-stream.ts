import { spawn } from 'node:child_process';
import type { ToolFailure } from './tool-failure.js';

/** The part of a Node ChildProcess a stream reader needs; tests and the composition root provide it. */
export interface StreamChild {
  readonly pid?: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** 'close': the process exited and its stdout/stderr are drained, so no event is lost */
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}
export type SpawnStream = (tool: string, args: readonly string[]) => StreamChild;

/**
 * Default spawner: argv only (no shell), LC_ALL=C, in its own process group so stop() can signal
 * the whole group and leave nothing behind even when the tool is a wrapper script.
 */
export const spawnStream: SpawnStream = (tool, args) =>
  spawn(tool, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });

/**
 * A long-running tool read line by line (`drbdsetup events2`): the child runs in its own process
 * group (spawnStream), stop() signals the whole group (SIGTERM, SIGKILL after killAfterMs), and
 * `exited` says whether it ended on its own, so the caller can respawn it.
 */
export interface StreamExit {
  /** true when stop() ended the child */
  readonly stopped: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** set when the child could not run or ended by itself */
  readonly failure: ToolFailure | null;
  /** lines read before it ended */
  readonly lines: number;
}

export interface LineStream {
  readonly pid: number | null;
  readonly exited: Promise<StreamExit>;
  stop(): Promise<StreamExit>;
}

export function startLineStream(
  spawn: SpawnStream,
  tool: string,
  args: readonly string[],
  onLine: (line: string, lineNo: number) => void,
  killAfterMs = 2_000,
): LineStream {
  const child = spawn(tool, args);
  let stopping = false;
  let done = false;
  let stderr = '';
  let buffered = '';
  let lineNo = 0;
  const emit = (line: string): void => {
    lineNo++;
    onLine(line, lineNo);
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      emit(line);
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  let resolveExit: (e: StreamExit) => void = () => undefined;
  const exited = new Promise<StreamExit>((r) => (resolveExit = r));
  let killTimer: NodeJS.Timeout | undefined;
  const finish = (exitCode: number | null, signal: string | null, spawnError: NodeJS.ErrnoException | null): void => {
    if (done) return;
    done = true;
    if (killTimer) clearTimeout(killTimer);
    // a last line without its newline is incomplete: a killed stream may cut one; drop it
    buffered = '';
    const base = { tool, args: [...args], stdout: '', stderr, exitCode, signal };
    let failure: ToolFailure | null = null;
    if (spawnError?.code === 'ENOENT' || spawnError?.code === 'EACCES') {
      failure = { ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH` };
    } else if (spawnError) {
      failure = { ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool}: ${spawnError.message}` };
    } else if (!stopping) {
      const why = signal ? `killed by ${signal}` : `exit code ${String(exitCode)}`;
      const first = stderr.trim().split('\n')[0] ?? '';
      failure = { ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool} ${args.join(' ')}: ended (${why})${first ? `: ${first}` : ''}` };
    }
    resolveExit({ stopped: stopping, exitCode, signal, failure, lines: lineNo });
  };
  child.on('close', (code, signal) => finish(code, signal, null));
  child.on('error', (e) => finish(null, null, e));
  const signalGroup = (signal: NodeJS.Signals): void => {
    const pid = child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  const stop = (): Promise<StreamExit> => {
    if (!done && !stopping) {
      stopping = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), killAfterMs);
    }
    return exited;
  };
  return { pid: child.pid ?? null, exited, stop };
}
