import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { sanitiseXenstoreValue } from '../parse/xenstore-value.js';
import { parseXenstoreWatchLine, type XenstoreWatchEvent } from '../parse/xenstore-watch.js';
import type { ToolRunner } from './exec.js';
import type { ParseFailure } from '../parse/parse-failure.js';
import type { ToolFailure } from './tool-failure.js';
import { explainXenstoreFailure } from './toolstack-explain.js';
import { readAllFrom } from './xenstore-read-all.js';
import { listAllFrom } from './xenstore-list-all.js';
import { startLineStream, type SpawnStream, type StreamExit } from './line-stream.js';

/**
 * The xenstore adapter: a long-running `xenstore-watch` child streaming events, and one-shot
 * `xenstore-read` / `xenstore-write` through the injected ToolRunner.
 */

/** stopped: true when stop() ended the child; false means it died on its own: respawn it */
export type WatchExit = StreamExit;

export interface WatchHandlers {
  readonly onEvent: (event: XenstoreWatchEvent) => void;
  /** a line that is not a xenstore path (the watch keeps running) */
  readonly onBadLine?: (failure: ParseFailure) => void;
}

export interface XenstoreWatch {
  readonly pid: number | null;
  /** resolves once, when the child has exited for any reason (a line over the bound ends it too) */
  readonly exited: Promise<WatchExit>;
  /**
   * SIGTERM to the child's process group, SIGKILL after killAfterMs; resolves when it has exited,
   * and at most 1 s after the SIGKILL whatever its children do (line-stream.ts)
   */
  stop(): Promise<WatchExit>;
}

export interface XenstoreAdapter {
  watch(paths: readonly string[], handlers: WatchHandlers): Result<XenstoreWatch, XhError>;
  /** null when the path does not exist */
  read(path: string): Promise<Result<string | null, ToolFailure>>;
  /**
   * Each of PATHS (null: no such node), in order, through as few `xenstore-read P1 P2 …` as it
   * takes: one, unless a node is missing (the tool stops there, see readAllFrom).
   */
  readAll(paths: readonly string[]): Promise<Result<(string | null)[], ToolFailure>>;
  /**
   * The names of each of PATHS' children (null: no such node), in order, through as few
   * `xenstore-list -p P1 P2 …` as it takes: one, unless a node is missing (listAllFrom).
   */
  listAll(paths: readonly string[]): Promise<Result<(string[] | null)[], ToolFailure>>;
  write(path: string, value: string): Promise<Result<void, ToolFailure>>;
  /**
   * Several nodes in one `xenstore-write P1 V1 P2 V2 …`: the tool writes more than one pair inside
   * one transaction (xenstore_client.c), so they land together or not at all, for one tool run.
   */
  writeAll(values: Readonly<Record<string, string>>): Promise<Result<void, ToolFailure>>;
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
    const stream = startLineStream(
      deps.spawn,
      'xenstore-watch',
      paths,
      (line, lineNo) => {
        const parsed = parseXenstoreWatchLine(line, lineNo);
        if (parsed.ok) handlers.onEvent(parsed.value);
        else handlers.onBadLine?.(parsed.error);
      },
      killAfterMs,
    );
    return ok(stream);
  };

  const readAll: XenstoreAdapter['readAll'] = async (paths) => {
    const bad = paths.find((p) => !VALID_PATH.test(p));
    // no path at all would be the tool's usage error: refused here like a bad path
    if (bad !== undefined || paths.length === 0) return err(usageFailure('xenstore-read', paths, badPath(bad ?? '').message));
    return readAllFrom((rest) => deps.run('xenstore-read', rest, { timeoutMs, acceptExitCodes: [0, 1] }), paths);
  };
  const listAll: XenstoreAdapter['listAll'] = async (paths) => {
    const bad = paths.find((p) => !VALID_PATH.test(p));
    if (bad !== undefined || paths.length === 0) return err(usageFailure('xenstore-list', paths, badPath(bad ?? '').message));
    return listAllFrom((rest) => deps.run('xenstore-list', ['-p', ...rest], { timeoutMs, acceptExitCodes: [0, 1] }), paths);
  };
  const read: XenstoreAdapter['read'] = async (path) => {
    const r = await readAll([path]);
    return r.ok ? ok(r.value[0] ?? null) : r;
  };

  const writeAll: XenstoreAdapter['writeAll'] = async (values) => {
    // `--` first: the tool reads its options with glibc's getopt_long, which permutes, so a value
    // starting with - would be taken for options wherever it stood (`-h` prints the usage and
    // exits 0 with nothing written; an unknown letter is dropped, shifting the pairs after it);
    // after `--` every argument is a path or a value, on every Xen release
    const args = ['--', ...Object.entries(values).flatMap(([path, value]) => [path, sanitiseXenstoreValue(value)])];
    const bad = Object.keys(values).find((p) => !VALID_PATH.test(p));
    // no pair at all would be the tool's usage error: refused here like a bad path
    if (bad !== undefined || Object.keys(values).length === 0) return err(usageFailure('xenstore-write', args, badPath(bad ?? '').message));
    const r = await deps.run('xenstore-write', args, { timeoutMs });
    return r.ok ? ok(undefined) : err(explainXenstoreFailure(r.error));
  };
  const write: XenstoreAdapter['write'] = (path, value) => writeAll({ [path]: value });

  return { watch, read, readAll, listAll, write, writeAll };
}

/** A call refused before running anything: reported as a tool failure with no exit code. */
const usageFailure = (tool: string, args: readonly string[], message: string): ToolFailure => ({
  code: 'XH_ERR_TOOL_FAILED', tool, args: [...args], exitCode: null, signal: null, stdout: '', stderr: '', message,
});
