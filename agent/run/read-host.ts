import type { ErrorCode, XhError } from '../../shared/errors.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { createDrbdAdapter, type DrbdAdapter } from '../adapters/drbd.js';
import { procDrbdReader } from '../host/proc-drbd.js';
import { openToolstackWithList } from '../adapters/open-toolstack.js';
import { createToolstack } from '../adapters/toolstack.js';
import type { ToolstackKind } from '../../shared/inventory.js';
import type { DomainsRead, HostRead } from '../core/events.js';
import { readGuarded } from '../host/host-read.js';
import { HostFileCache } from '../host/file-cache.js';
import type { HostFiles } from '../host/files.js';
import { readDomuConfigs } from '../host/domu-configs.js';
import { readHomes } from '../host/homes.js';
import { readMaintenanceFlag } from '../host/maintenance-flag.js';
import type { AdapterFailure } from '../adapters/tool-failure.js';
import type { InventoryDomain } from '../../shared/inventory.js';
import type { Result } from '../../shared/result.js';
import { xenRelease, type XenInfo } from '../parse/xl-info.js';
import { readLedgerPart } from '../host/ledger-read.js';
import { parseProcDrbd } from '../parse/proc-drbd.js';
import type { DrbdAvailabilityWord } from '../state/snapshot.js';
import type { Effect } from '../core/effects.js';
import { resourcesHeld } from '../core/drbd.js';
import type { AgentPorts } from './ports.js';

/**
 * The I/O of the agent's reads: the whole host for `read-full`, `xl list` alone, the re-check
 * before a start and DRBD polls. Each returns plain data for an event; failures are data too.
 */
const drbdAdapters = new WeakMap<AgentPorts, DrbdAdapter>();

/** One adapter per agent: it learns what this host's DRBD tools lack (a drbdadm without `status`) once. */
export function drbdAdapterFor(p: AgentPorts): DrbdAdapter {
  let a = drbdAdapters.get(p);
  if (a === undefined) drbdAdapters.set(p, (a = createDrbdAdapter({ run: p.run, readProcDrbd: procDrbdReader(p.files) })));
  return a;
}

export async function listDomains(p: AgentPorts, kind: ToolstackKind): Promise<DomainsRead> {
  const r = await createToolstack(kind, { run: p.run }).list();
  return r.ok ? { ok: true, domains: r.value } : { ok: false, code: r.error.code, message: r.error.message };
}

export async function pollDrbd(p: AgentPorts, names: readonly string[]): Promise<{ views: Map<string, DrbdResourceView>; problems: { resource: string; code: ErrorCode; message: string }[] }> {
  const adapter = drbdAdapterFor(p);
  const views = new Map<string, DrbdResourceView>();
  const problems: { resource: string; code: ErrorCode; message: string }[] = [];
  for (const n of names) {
    const r = await adapter.readResource(n);
    if (r.ok) views.set(n, r.value);
    else problems.push({ resource: n, code: r.error.code, message: r.error.message });
  }
  return { views, problems };
}

/**
 * Whether DRBD is here, without ever loading the module: /proc/drbd first; `drbdadm --version`
 * only when it is absent (to tell "tools missing" from "module not loaded"), or when the tools
 * were found missing before (so installing them is noticed).
 */
async function drbdAvailability(p: AgentPorts, recheckTools: boolean): Promise<{ availability: DrbdAvailabilityWord; version: string | null; problem: string | null }> {
  const proc = await procDrbdReader(p.files)();
  if (proc.ok && proc.value !== null && !recheckTools) {
    const parsed = parseProcDrbd(proc.value);
    return { availability: 'ok', version: parsed.ok ? parsed.value.version.version : null, problem: null };
  }
  const avail = await drbdAdapterFor(p).availability();
  if (!avail.ok) return { availability: 'unknown', version: null, problem: `${avail.error.code}: ${avail.error.message}` };
  const a = avail.value;
  return { availability: a.availability, version: a.availability === 'ok' ? a.version : null, problem: null };
}

/**
 * DRBD's presence from /proc/drbd alone, read synchronously (a kernel file: it cannot hang, and
 * the answer is wanted before the first full read's tool runs are spawned): lets `drbdsetup
 * events2` start first instead of after that read. null when /proc/drbd cannot tell (absent or
 * unreadable): the full read finds out, running `drbdadm --version` where needed.
 */
export function procDrbdPresent(p: AgentPorts): { version: string | null } | null {
  const proc = p.files.readTextSync?.('/proc/drbd');
  if (proc === undefined || !proc.ok) return null;
  const parsed = parseProcDrbd(proc.value);
  return { version: parsed.ok ? parsed.value.version.version : null };
}

type ReadFull = Extract<Effect, { e: 'read-full' }>;

/**
 * What one full read keeps for the next (file-cache.ts): per agent, that is per set of host files
 * it reads (one in a process; one per agent where a test runs several in one process).
 */
const caches = new WeakMap<HostFiles, HostFileCache>();
function cacheFor(files: HostFiles): HostFileCache {
  const known = caches.get(files);
  if (known) return known;
  const made = new HostFileCache();
  caches.set(files, made);
  return made;
}

const asRead = (r: Result<InventoryDomain[], AdapterFailure>): DomainsRead => (r.ok ? { ok: true, domains: r.value } : { ok: false, code: r.error.code, message: r.error.message });

/**
 * xl list and xl info, side by side: both only read, and each is a tool run (an `xl` process on a
 * real Dom0, a stand-in process under the simulator) the first decisions wait for. On the first read
 * (or after the toolstack failed) the toolstack is detected meanwhile: `xl info` runs beside the
 * detection, as xl is the answer almost everywhere; only where xend wins is `xm info` run after.
 * Not at all when the effect says so (core/reads.ts: the first read of a host its record names,
 * and later reads without a controller).
 */
async function readToolstack(p: AgentPorts, eff: ReadFull): Promise<{ kind: ToolstackKind | null; domains: DomainsRead; info: XenInfo | null; infoRead: HostRead['info']; problem: XhError | null }> {
  const known = eff.toolstack ?? eff.config.toolstack ?? null;
  const noInfo = Promise.resolve(null);
  // what the info read says of itself: its failure's words (an xl refused its host's physical info, say) are the agent's to log
  const infoOf = (info: Result<XenInfo, AdapterFailure> | null): { info: XenInfo | null; infoRead: HostRead['info'] } =>
    info === null ? { info: null, infoRead: null } : info.ok ? { info: info.value, infoRead: { problem: null } } : { info: null, infoRead: { problem: info.error.message } };
  if (known !== null) {
    const ts = createToolstack(known, { run: p.run });
    const [domains, info] = await Promise.all([ts.list(), eff.readInfo ? ts.info() : noInfo]);
    return { kind: known, domains: asRead(domains), ...infoOf(info), problem: null };
  }
  const [opened, xlInfo] = await Promise.all([openToolstackWithList(p.run, undefined), eff.readInfo ? createToolstack('xl', { run: p.run }).info() : noInfo]);
  if (!opened.ok) return { kind: null, domains: { ok: false, code: opened.error.code, message: opened.error.message }, info: null, infoRead: null, problem: opened.error };
  const kind = opened.value.toolstack.kind;
  const info = !eff.readInfo ? null : kind === 'xl' ? xlInfo : await opened.value.toolstack.info();
  return { kind, domains: asRead(opened.value.domains), ...infoOf(info), problem: null };
}

export async function readHost(p: AgentPorts, eff: ReadFull): Promise<HostRead> {
  const { config } = eff;
  // the parts read the same configs: once each per full read, and not at all when unchanged
  // since the last one; what needs no host name is read while the toolstack lists the domains
  const files = cacheFor(p.files).session(p.files, p.clock.now());
  const toolstack = readToolstack(p, eff);
  // the configs are read by the rules of the toolstack that starts them (xend takes files valid in
  // both syntaxes otherwise than xl does): while it is being detected, they wait for its answer
  const kind = eff.toolstack ?? config.toolstack ?? (await toolstack).kind;
  // still null: no toolstack answered, so nothing can start, yet the guarded entries and their
  // resources are reported all the same; only then is each config's syntax guessed
  const dialect = kind ?? 'auto';
  const [guarded, maintenance, ts, domus] = await Promise.all([
    readGuarded(files, config.guardedDir, dialect),
    readMaintenanceFlag(files, config.stateDir),
    toolstack,
    readDomuConfigs(files, config, dialect),
  ]);
  const host = ts.info?.host ?? eff.host;
  const [ledger, homes] = await Promise.all([readLedgerPart(files, p.stateDirReal, host, config, guarded.entries, dialect), readHomes({ files, config, host }, guarded)]);
  const drbd = await drbdAvailability(p, eff.recheckDrbdTools);
  const poll = eff.pollDrbd && drbd.availability === 'ok' ? await pollDrbd(p, resourcesHeld([...guarded.entries, ...ledger.visitors], domus, host)) : null;
  return {
    host: ts.info?.host ?? null,
    toolstack: ts.kind,
    toolstackProblem: ts.problem ? { code: ts.problem.code, message: ts.problem.message } : null,
    info: ts.infoRead,
    domains: ts.domains,
    guarded: guarded.entries,
    guardedProblem: guarded.problem,
    visitors: ledger.visitors,
    ledger: ledger.ledger,
    ledgerProblem: ledger.problem,
    maintenance,
    memory: ts.info ? { totalMiB: ts.info.totalMemoryMiB, freeMiB: ts.info.freeMemoryMiB } : null,
    xen: ts.info ? xenRelease(ts.info) : null,
    homes: [...homes.homes.values()],
    homesProblem: homes.problems.map((x) => x.message).join('; ') || null,
    domus,
    drbd: { ...drbd, polled: poll?.views ?? null, pollProblems: poll?.problems ?? [] },
  };
}
