import { execa } from 'execa';
import { err, ok, type Result } from '../../shared/result.js';
import type { ToolFailure } from './tool-failure.js';

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface RunOptions {
  /** Kill the tool after this long; every call has one so nothing hangs (default 30 s). */
  readonly timeoutMs?: number;
  /** Exit codes that count as an answer rather than a failure (e.g. xl list -l on a missing domain). */
  readonly acceptExitCodes?: readonly number[];
  readonly env?: Readonly<Record<string, string>>;
  /** called with the child's pid once it is spawned (e.g. to record an `xl create` in flight) */
  readonly onSpawn?: (pid: number) => void;
  /** called with each stderr chunk as it arrives (progress of a long tool such as xl migrate) */
  readonly onStderr?: (chunk: string) => void;
}

/**
 * Runs one external tool with an argv (never a shell) and returns its output or a typed failure.
 * Adapters receive a ToolRunner so tests can hand them recorded output.
 */
export type ToolRunner = (tool: string, args: readonly string[], options?: RunOptions) => Promise<Result<ToolOutput, ToolFailure>>;

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export const runTool: ToolRunner = async (tool, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const accepted = options.acceptExitCodes ?? [0];
  const child = execa(tool, [...args], {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    forceKillAfterDelay: 2_000,
    maxBuffer: MAX_OUTPUT_BYTES,
    stripFinalNewline: false,
    // LC_ALL=C: xl and drbdadm print numbers and messages we parse; a locale must not change them.
    env: { ...options.env, LC_ALL: 'C', LANG: 'C' },
    extendEnv: true,
    encoding: 'utf8',
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const onStderr = options.onStderr;
  if (onStderr) child.stderr?.on('data', (d: Buffer | string) => onStderr(d.toString()));
  const result = await child;
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const base = { tool, args: [...args], stdout, stderr, exitCode: result.exitCode ?? null, signal: result.signal ?? null };
  if (result.timedOut) {
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_TIMEOUT', message: `${tool} ${args.join(' ')}: no answer after ${timeoutMs} ms, killed` });
  }
  const spawnCode = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (spawnCode === 'ENOENT' || (result.failed && result.exitCode === undefined && spawnCode === 'EACCES')) {
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH (install it, or check PATH of the service)` });
  }
  if (result.exitCode === undefined || !accepted.includes(result.exitCode)) {
    const why = result.signal ? `killed by ${result.signal}` : `exit code ${String(result.exitCode)}`;
    const firstLine = stderr.trim().split('\n')[0] ?? '';
    return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool} ${args.join(' ')}: ${why}${firstLine ? `: ${firstLine}` : ''}` });
  }
  return ok({ stdout, stderr, exitCode: result.exitCode });
};
