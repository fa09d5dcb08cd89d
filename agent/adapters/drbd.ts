import type { DrbdResourceView } from '../../shared/inventory.js';
import type { XhError } from '../../shared/errors.js';
import { DRBD_RESOURCE_RE } from '../../shared/names.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseDrbdCstate, parseDrbdDstate, parseDrbdRole, type DrbdCstateLine, type DrbdDstateLine, type DrbdRoleLine } from '../parse/drbd-role.js';
import { parseDrbdStatusJson, type DrbdStatusJson } from '../parse/drbd-status-json.js';
import { parseDrbdStatus, type DrbdStatusResource } from '../parse/drbd-status.js';
import { statusWithoutResource } from '../parse/drbd-status-missing.js';
import { classifyDrbdStderr, NO_STATUS_COMMAND_WORDS, type DrbdToolErrorKind } from '../parse/drbd-tool-error.js';
import { drbdSeries, parseDrbdadmVersion } from '../parse/drbd-version.js';
import { parseProcDrbd, type ProcDrbd } from '../parse/proc-drbd.js';
import { resourceViewDown, resourceViewFromStatus } from './drbd-view.js';
import type { ToolOutput, ToolRunner } from './exec.js';
import type { ParseFailure } from '../parse/parse-failure.js';
import type { AdapterFailure, ToolFailure } from './tool-failure.js';

/** /proc/drbd could not be read for a reason other than "absent". */
export interface ProcReadFailure extends XhError {
  readonly code: 'XH_ERR_FILE';
  readonly path: string;
}

/** null: the file does not exist (module not loaded). Never throws. */
export type ProcDrbdReader = () => Promise<Result<string | null, ProcReadFailure>>;

export interface DrbdAdapterDeps {
  readonly run: ToolRunner;
  readonly readProcDrbd: ProcDrbdReader;
  /** per call; drbdadm's own netlink timeouts are longer, we do not wait for them */
  readonly timeoutMs?: number;
}

export type DrbdAvailability =
  | { readonly availability: 'ok'; readonly series: '8.4' | '9' | null; readonly version: string; readonly proc: ProcDrbd }
  | { readonly availability: 'module-not-loaded'; readonly installedModule: string | null; readonly utilsVersion: string | null }
  | { readonly availability: 'tools-missing' };

/** A tool failure the stderr explains (not up, not in config, no JSON on 8.4…). */
export type DrbdToolFailure = ToolFailure & { readonly drbd: DrbdToolErrorKind | null };
export type DrbdFailure = DrbdToolFailure | ParseFailure;

const withKind = (f: ToolFailure): DrbdToolFailure => ({ ...f, drbd: classifyDrbdStderr(f.stderr) });

export function createDrbdAdapter(deps: DrbdAdapterDeps) {
  const readProc = deps.readProcDrbd;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const run = async (tool: string, args: readonly string[]): Promise<Result<ToolOutput, DrbdToolFailure>> => {
    // The resource name is the last argument; one starting with '-' would be read as an option.
    const name = args[args.length - 1] ?? '';
    if (!DRBD_RESOURCE_RE.test(name)) {
      const message = `${tool}: refusing ${JSON.stringify(name)}: not a DRBD resource name`;
      return err({ code: 'XH_ERR_TOOL_FAILED', tool, args: [...args], exitCode: null, signal: null, stdout: '', stderr: '', message, drbd: null });
    }
    const r = await deps.run(tool, args, { timeoutMs });
    return r.ok ? r : err(withKind(r.error));
  };
  const parsed = async <T>(tool: string, args: readonly string[], parse: (s: string) => Result<T, ParseFailure>): Promise<Result<T, DrbdFailure>> => {
    const r = await run(tool, args);
    return r.ok ? parse(r.value.stdout) : r;
  };
  // Set once drbdadm said it has no `status` (drbd-utils before 9.1 with an 8.4 module): the
  // tools do not change under a running adapter, so asking drbdadm again would only double the
  // execs of every read.
  let drbdadmLacksStatus = false;
  /** `drbdadm status R`, or `drbdsetup status R` where drbdadm lacks it (same printer, same text); with the command that answered. */
  const statusText = async (name: string): Promise<Result<ToolOutput & { readonly command: readonly string[] }, DrbdToolFailure>> => {
    if (!drbdadmLacksStatus) {
      const r = await run('drbdadm', ['status', name]);
      if (r.ok) return ok({ ...r.value, command: ['drbdadm', 'status', name] });
      if (r.error.drbd !== 'no-status-command') return r;
      drbdadmLacksStatus = true;
    }
    const r = await run('drbdsetup', ['status', name]);
    // drbdsetup's own failure (its kind, e.g. not-up, still counts), saying why drbdsetup ran
    return r.ok ? ok({ ...r.value, command: ['drbdsetup', 'status', name] }) : err({ ...r.error, message: `${r.error.message} (${NO_STATUS_COMMAND_WORDS})` });
  };

  return {
    /**
     * Order matters: drbdadm/drbdsetup `modprobe drbd` when the module is absent, so /proc/drbd
     * is read first; `drbdadm --version` is the one call that never loads it (it reads
     * /proc/drbd or `modinfo -F version drbd`, user/v9/drbdtool_common_linux.c).
     */
    async availability(): Promise<Result<DrbdAvailability, AdapterFailure | ProcReadFailure>> {
      const proc = await readProc();
      if (!proc.ok) return proc;
      const version = await deps.run('drbdadm', ['--version'], { timeoutMs });
      if (!version.ok && version.error.code === 'XH_ERR_TOOL_NOT_FOUND') return ok({ availability: 'tools-missing' });
      if (proc.value === null) {
        const v = version.ok ? parseDrbdadmVersion(version.value.stdout) : null;
        return ok({
          availability: 'module-not-loaded',
          installedModule: v?.ok ? v.value.kernelVersion : null,
          utilsVersion: v?.ok ? v.value.utilsVersion : null,
        });
      }
      const p = parseProcDrbd(proc.value);
      if (!p.ok) return p;
      return ok({ availability: 'ok', series: drbdSeries(p.value.version.version), version: p.value.version.version, proc: p.value });
    },
    role: (r: string): Promise<Result<DrbdRoleLine[], DrbdFailure>> => parsed('drbdadm', ['role', r], parseDrbdRole),
    cstate: (r: string): Promise<Result<DrbdCstateLine[], DrbdFailure>> => parsed('drbdadm', ['cstate', r], parseDrbdCstate),
    dstate: (r: string): Promise<Result<DrbdDstateLine[], DrbdFailure>> => parsed('drbdadm', ['dstate', r], parseDrbdDstate),
    async status(r: string): Promise<Result<DrbdStatusResource[], DrbdFailure>> {
      const s = await statusText(r);
      return s.ok ? parseDrbdStatus(s.value.stdout) : s;
    },
    /** DRBD 9 only; on 8.4 the failure has drbd: 'json-unsupported'. */
    statusJson: (r = 'all'): Promise<Result<DrbdStatusJson, DrbdFailure>> => parsed('drbdsetup', ['status', '--json', r], parseDrbdStatusJson),

    /** `drbdadm primary R`: promotes here (silent on success; refused while the peer is Primary, unless two primaries are allowed) */
    async primary(r: string): Promise<Result<void, DrbdToolFailure>> {
      const out = await run('drbdadm', ['primary', r]);
      return out.ok ? ok(undefined) : out;
    },

    /** `drbdadm secondary R`: demotes here (silent on success; refused while something holds the device open) */
    async secondary(r: string): Promise<Result<void, DrbdToolFailure>> {
      const out = await run('drbdadm', ['secondary', r]);
      return out.ok ? ok(undefined) : out;
    },

    /**
     * One resource as inventory prints it; a configured-but-down resource (the tools' "No such
     * resource") is `up: false`. An answer of 0 without the resource is a failure: it does not say down.
     */
    async readResource(name: string): Promise<Result<DrbdResourceView, DrbdFailure>> {
      const s = await statusText(name);
      // through drbdsetup, a name missing from drbd.conf also reads as not up: it never reads the config
      if (!s.ok) return s.error.drbd === 'not-up' ? ok(resourceViewDown(name)) : s;
      const p = parseDrbdStatus(s.value.stdout);
      if (!p.ok) return p;
      const res = p.value.find((x) => x.name === name);
      return res ? ok(resourceViewFromStatus(res)) : err(statusWithoutResource(s.value.command, name, s.value.stdout, p.value));
    },

    /** Every named resource, in order; the first failure fails the whole ("not up" is no failure). */
    async readResources(names: readonly string[]): Promise<Result<DrbdResourceView[], DrbdFailure>> {
      const out: DrbdResourceView[] = [];
      for (const n of names) {
        const r = await this.readResource(n);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

export type DrbdAdapter = ReturnType<typeof createDrbdAdapter>;
