import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import { classifyToolstackStderr, xlStderrLines } from '../parse/xl-stderr.js';
import { parseXlInfo, parseXmInfo, type XenInfo } from '../parse/xl-info.js';
import { parseXlList } from '../parse/xl-list.js';
import { classifyXlMigrate, type MigrationOutcome } from '../parse/xl-migrate.js';
import { parseXmList } from '../parse/xm-list.js';
import { classifyXmMigrate } from '../parse/xm-migrate.js';
import type { RunOptions, ToolOutput, ToolRunner } from './exec.js';
import { withStderrCause, type AdapterFailure, type ToolFailure } from './tool-failure.js';
import type { ToolstackKind } from '../../shared/inventory.js';
import { detectToolstack } from './toolstack-detect.js';
import { explainToolstackFailure } from './toolstack-explain.js';


/** Per-call time limits (ms). Every call has one, so a wedged xenstored cannot hang the agent. */
export interface ToolstackTimeouts {
  readonly query: number;
  readonly create: number;
  readonly shutdown: number;
  readonly control: number;
  readonly migrate: number;
}

export const DEFAULT_TIMEOUTS: ToolstackTimeouts = {
  query: 15_000,
  create: 120_000,
  // `shutdown -w` waits for the guest's own shutdown: give it minutes
  shutdown: 300_000,
  control: 30_000,
  migrate: 30 * 60_000,
};

export interface ToolstackOptions {
  readonly run: ToolRunner;
  /** configuration override; otherwise detected (see detectToolstack) */
  readonly preferred?: ToolstackKind;
  readonly timeouts?: Partial<ToolstackTimeouts>;
}

export interface MigrateOptions {
  /** xl migrate -s: the ssh command used to reach the target */
  readonly sshCommand?: string;
  /** xl migrate -C: config file to send instead of the stored one */
  readonly configPath?: string;
  readonly timeoutMs?: number;
  /** each stderr chunk of the migration as it arrives (progress lines) */
  readonly onProgress?: (chunk: string) => void;
}

export interface MigrateResult {
  readonly outcome: MigrationOutcome;
  /** stderr as the tool printed it (progress, libxl errors, target messages) */
  readonly transcript: string;
}

export interface Toolstack {
  readonly kind: ToolstackKind;
  list(): Promise<Result<InventoryDomain[], AdapterFailure>>;
  /** one domain, or null when the toolstack says it does not exist */
  listOne(name: string): Promise<Result<InventoryDomain | null, AdapterFailure>>;
  info(): Promise<Result<XenInfo, AdapterFailure>>;
  /** e.g. "4.17.0", from xen_major/xen_minor/xen_extra */
  version(): Promise<Result<string, AdapterFailure>>;
  create(cfgPath: string, extraArgs?: readonly string[]): Promise<Result<void, AdapterFailure>>;
  /** wait: `-w`, until the guest has shut down (bounded by timeoutMs, else the shutdown timeout) */
  shutdown(name: string, opts?: { readonly wait?: boolean; readonly timeoutMs?: number }): Promise<Result<void, AdapterFailure>>;
  destroy(name: string): Promise<Result<void, AdapterFailure>>;
  pause(name: string): Promise<Result<InventoryDomain, AdapterFailure>>;
  unpause(name: string): Promise<Result<InventoryDomain, AdapterFailure>>;
  migrate(name: string, host: string, opts?: MigrateOptions): Promise<Result<MigrateResult, AdapterFailure>>;
}

export async function openToolstack(opts: ToolstackOptions): Promise<Result<Toolstack, ToolFailure>> {
  const kind = await detectToolstack(opts.run, opts.preferred);
  return kind.ok ? ok(createToolstack(kind.value, opts)) : kind;
}

export function createToolstack(kind: ToolstackKind, opts: ToolstackOptions): Toolstack {
  const t: ToolstackTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const run = async (args: readonly string[], timeoutMs: number, extra: RunOptions = {}): Promise<Result<ToolOutput, ToolFailure>> => {
    const r = await opts.run(kind, args, { ...extra, timeoutMs });
    return r.ok ? r : err(explainToolstackFailure(r.error));
  };
  const parseList = kind === 'xl' ? parseXlList : parseXmList;

  const listOne: Toolstack['listOne'] = async (name) => {
    const r = await run(['list', name], t.query);
    if (!r.ok) return classifyToolstackStderr(r.error.stderr)?.kind === 'no-such-domain' ? ok(null) : r;
    const rows = parseList(r.value.stdout);
    return rows.ok ? ok(rows.value[0] ?? null) : rows;
  };

  const info: Toolstack['info'] = async () => {
    const r = await run(['info'], t.query);
    return r.ok ? (kind === 'xl' ? parseXlInfo : parseXmInfo)(r.value.stdout) : r;
  };

  /** pause/unpause exit 0 even when nothing happened: look again and compare. */
  const control = async (verb: 'pause' | 'unpause', name: string): Promise<Result<InventoryDomain, AdapterFailure>> => {
    const r = await run([verb, name], t.control);
    if (!r.ok) return r;
    const now = await listOne(name);
    if (!now.ok) return now;
    const paused = now.value?.stateLetters[2] === 'p';
    if (now.value !== null && paused === (verb === 'pause')) return ok(now.value);
    const state = now.value === null ? 'is gone' : `is ${now.value.state} (${now.value.stateLetters})`;
    return err<ToolFailure>({
      code: 'XH_ERR_TOOL_FAILED',
      tool: kind,
      args: [verb, name],
      exitCode: r.value.exitCode,
      signal: null,
      stdout: r.value.stdout,
      stderr: r.value.stderr,
      message: `${kind} ${verb} ${name} exited ${r.value.exitCode} but the domain ${state}`,
    });
  };

  const done = (r: Result<ToolOutput, ToolFailure>): Result<void, ToolFailure> => (r.ok ? ok(undefined) : r);
  /**
   * A recognised complaint keeps its own explanation; any other failure names the stderr lines that
   * say why. The first line alone would be create's "Parsing config from" preamble, or a libxl line
   * led by its source position (destroy: "libxl: error: libxl_domain.c:1183:…: Domain 5:Non-existant domain"),
   * or shutdown's progress line "Shutting down domain 5", printed before the refusal.
   */
  const withCause = (r: Result<ToolOutput, ToolFailure>): Result<void, ToolFailure> =>
    !r.ok && classifyToolstackStderr(r.error.stderr) === null ? err(withStderrCause(r.error, xlStderrLines(r.error.stderr))) : done(r);

  return {
    kind,
    list: async () => {
      const r = await run(['list'], t.query);
      return r.ok ? parseList(r.value.stdout) : r;
    },
    listOne,
    info,
    version: async () => {
      const i = await info();
      if (!i.ok) return i;
      const { xenMajor, xenMinor, xenExtra } = i.value;
      return ok(`${String(xenMajor)}.${String(xenMinor)}${xenExtra ?? ''}`);
    },
    create: async (cfgPath, extraArgs = []) => withCause(await run(['create', cfgPath, ...extraArgs], t.create)),
    shutdown: async (name, o = {}) => withCause(await run(['shutdown', ...(o.wait ? ['-w'] : []), name], o.timeoutMs ?? (o.wait ? t.shutdown : t.control))),
    destroy: async (name) => withCause(await run(['destroy', name], t.control)),
    pause: (name) => control('pause', name),
    unpause: (name) => control('unpause', name),
    migrate: async (name, host, o = {}) => {
      const args =
        kind === 'xl'
          ? ['migrate', ...(o.sshCommand ? ['-s', o.sshCommand] : []), ...(o.configPath ? ['-C', o.configPath] : []), name, host]
          : ['migrate', '--live', name, host];
      const r = await opts.run(kind, args, { timeoutMs: o.timeoutMs ?? t.migrate, ...(o.onProgress ? { onStderr: o.onProgress } : {}) });
      // A failing migration is an answer, not an adapter failure: classify its transcript.
      if (!r.ok && (r.error.code !== 'XH_ERR_TOOL_FAILED' || r.error.signal !== null)) return r;
      const out = r.ok ? r.value : r.error;
      const classify = kind === 'xl' ? classifyXlMigrate : classifyXmMigrate;
      return ok({ outcome: classify(out.stderr, out.exitCode), transcript: out.stderr });
    },
  };
}
