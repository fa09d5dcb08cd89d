import { spawn } from 'node:child_process';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { sanitiseXenstoreValue, unsanitiseXenstoreValue } from '../parse/xenstore-value.js';
import { parseXenstoreWatchLine, type XenstoreWatchEvent } from '../parse/xenstore-watch.js';
import type { ToolRunner } from './exec.js';
import type { ParseFailure } from '../parse/parse-failure.js';
import type { ToolFailure } from './tool-failure.js';

/**
 * The xenstore adapter: a long-running `xenstore-watch` child streaming events, and one-shot
 * `xenstore-read` / `xenstore-write` through the injected ToolRunner.
 */

/** The part of a Node ChildProcess the watcher needs; tests and the composition root provide it. */
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
 * the whole group and leave nothing behind even when xenstore-watch is a wrapper script.
 */
export const spawnStream: SpawnStream = (tool, args) =>
  spawn(tool, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });

export interface WatchExit {
  /** true when stop() ended the child; false means it died on its own: respawn it */
  readonly stopped: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** set when the child could not run or ended unexpectedly */
  readonly failure: ToolFailure | null;
}

export interface WatchHandlers {
  readonly onEvent: (event: XenstoreWatchEvent) => void;
  /** a line that is not a xenstore path (the watch keeps running) */
  readonly onBadLine?: (failure: ParseFailure) => void;
}

export interface XenstoreWatch {
  readonly pid: number | null;
  /** resolves once, when the child has exited for any reason */
  readonly exited: Promise<WatchExit>;
  /** SIGTERM to the child's process group, SIGKILL after killAfterMs; resolves when it has exited */
  stop(): Promise<WatchExit>;
}

export interface XenstoreAdapter {
  watch(paths: readonly string[], handlers: WatchHandlers): Result<XenstoreWatch, XhError>;
  /** null when the path does not exist */
  read(path: string): Promise<Result<string | null, ToolFailure>>;
  write(path: string, value: string): Promise<Result<void, ToolFailure>>;
}

export interface XenstoreDeps {
  readonly run: ToolRunner;
  readonly spawn: SpawnStream;
  readonly timeoutMs?: number;
  readonly killAfterMs?: number;
}

const VALID_PATH = /^[A-Za-z0-9/_@][A-Za-z0-9\-/_@]*$/;
const badPath = (path: string): XhError => ({ code: 'XH_ERR_INTERNAL', message: `xenstore: ${JSON.stringify(path)} is not a xenstore path (letters, digits and - / _ @, not starting with -)` });

export function createXenstore(deps: XenstoreDeps): XenstoreAdapter {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const killAfterMs = deps.killAfterMs ?? 2_000;

  const watch: XenstoreAdapter['watch'] = (paths, handlers) => {
    const bad = paths.find((p) => !VALID_PATH.test(p));
    if (bad !== undefined || paths.length === 0) return err(badPath(bad ?? ''));
    const args = [...paths];
    const child = deps.spawn('xenstore-watch', args);
    let stopping = false;
    let done = false;
    let stderr = '';
    let buffered = '';
    let lineNo = 0;
    const emit = (line: string): void => {
      lineNo++;
      const parsed = parseXenstoreWatchLine(line, lineNo);
      if (parsed.ok) handlers.onEvent(parsed.value);
      else handlers.onBadLine?.(parsed.error);
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        emit(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    let resolveExit: (exit: WatchExit) => void = () => undefined;
    const exited = new Promise<WatchExit>((resolve) => {
      resolveExit = resolve;
    });
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (exitCode: number | null, signal: string | null, spawnError: NodeJS.ErrnoException | null): void => {
      if (done) return;
      done = true;
      if (killTimer) clearTimeout(killTimer);
      if (buffered !== '') emit(buffered);
      buffered = '';
      const base = { tool: 'xenstore-watch', args, stdout: '', stderr, exitCode, signal };
      let failure: ToolFailure | null = null;
      if (spawnError?.code === 'ENOENT' || spawnError?.code === 'EACCES') {
        failure = { ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: 'xenstore-watch: not found on PATH (install xen-utils / xenstore-utils)' };
      } else if (spawnError) {
        failure = { ...base, code: 'XH_ERR_TOOL_FAILED', message: `xenstore-watch: ${spawnError.message}` };
      } else if (!stopping) {
        const why = signal ? `killed by ${signal}` : `exit code ${String(exitCode)}`;
        const first = stderr.trim().split('\n')[0] ?? '';
        failure = { ...base, code: 'XH_ERR_TOOL_FAILED', message: `xenstore-watch ${args.join(' ')}: ended (${why})${first ? `: ${first}` : ''}` };
      }
      resolveExit({ stopped: stopping, exitCode, signal, failure });
    };
    child.on('close', (code, signal) => finish(code, signal, null));
    child.on('error', (e) => finish(null, null, e));
    const signalGroup = (signal: NodeJS.Signals): void => {
      const pid = child.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal); // the group (spawnStream makes the child a group leader)
      } catch {
        try {
          process.kill(pid, signal); // not a group leader (another spawner), or already gone
        } catch {
          /* already exited */
        }
      }
    };
    const stop = (): Promise<WatchExit> => {
      if (!done && !stopping) {
        stopping = true;
        signalGroup('SIGTERM');
        killTimer = setTimeout(() => signalGroup('SIGKILL'), killAfterMs);
      }
      return exited;
    };
    return ok({ pid: child.pid ?? null, exited, stop });
  };

  const read: XenstoreAdapter['read'] = async (path) => {
    if (!VALID_PATH.test(path)) return err(usageFailure('xenstore-read', [path], badPath(path).message));
    const r = await deps.run('xenstore-read', [path], { timeoutMs, acceptExitCodes: [0, 1] });
    if (!r.ok) return r;
    if (r.value.exitCode === 1) {
      // "xenstore-read: couldn't read path /x" (warnx, exit 1) means no such node; other exit-1
      // messages (xs_open failed, permission) are failures.
      if (/couldn't read path/.test(r.value.stderr)) return ok(null);
      const first = r.value.stderr.trim().split('\n')[0] ?? '';
      return err({ code: 'XH_ERR_TOOL_FAILED', tool: 'xenstore-read', args: [path], exitCode: 1, signal: null, stdout: r.value.stdout, stderr: r.value.stderr, message: `xenstore-read ${path}: exit code 1${first ? `: ${first}` : ''}` });
    }
    const out = r.value.stdout.endsWith('\n') ? r.value.stdout.slice(0, -1) : r.value.stdout;
    return ok(unsanitiseXenstoreValue(out));
  };

  const write: XenstoreAdapter['write'] = async (path, value) => {
    if (!VALID_PATH.test(path)) return err(usageFailure('xenstore-write', [path, value], badPath(path).message));
    const r = await deps.run('xenstore-write', [path, sanitiseXenstoreValue(value)], { timeoutMs });
    return r.ok ? ok(undefined) : r;
  };

  return { watch, read, write };
}

/** A call refused before running anything: reported as a tool failure with no exit code. */
const usageFailure = (tool: string, args: readonly string[], message: string): ToolFailure => ({
  code: 'XH_ERR_TOOL_FAILED', tool, args: [...args], exitCode: null, signal: null, stdout: '', stderr: '', message,
});
