import type { XhError } from '../../shared/errors.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { err, ok, type Result } from '../../shared/result.js';
import { decideAutostart } from './autostart.js';
import { homeHere } from './home-claim.js';
import type { LedgerChange, MigrationFacts } from './migration-plan.js';
import { notReadyForLiveMigration, type DrbdHereFacts } from './preflight.js';

/**
 * The cold move, the fallback when live migration keeps failing: the source shuts NAME down and
 * demotes its DRBD resources (`shutdown`), then the target starts it from its own config under
 * the guarded-autostart DRBD rules (`start`). Both halves decided here from one read each, pure;
 * agent/migrate/cold-stop.ts and cold-start.ts carry them out.
 */

/** How long `xl shutdown -w` may wait for the guest, unless the command says otherwise. */
export const DEFAULT_SHUTDOWN_WAIT_MS = 180_000;

export interface ColdStopRequest {
  readonly name: string;
  readonly target: string;
  /** the away record's reason: a controller's drain (its cold fallback), or an operator's move by hand */
  readonly reason: 'drain' | 'manual';
  readonly operationId: string;
  readonly shutdownWaitMs: number;
}

export interface ColdStopFacts extends MigrationFacts {
  /** per DRBD resource of NAME: the hosts its `.res` file names, or why it could not be read */
  readonly resourceHosts: ReadonlyMap<string, { readonly hosts: readonly string[]; readonly file: string } | { readonly problem: string }>;
  /** this Dom0's DRBD view of each resource of NAME, read after the hold, as a live move's preflight reads it */
  readonly drbd: DrbdHereFacts;
}

export interface ColdStopPlan {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly operationId: string;
  readonly resources: readonly string[];
  /** written before the shutdown, so nothing here starts NAME again; undone if it keeps running */
  readonly change: LedgerChange;
  readonly shutdownWaitMs: number;
}

export function planColdStop(f: ColdStopFacts, r: ColdStopRequest): Result<ColdStopPlan, XhError> {
  if (f.homesProblem) return err(f.homesProblem);
  const d = f.domains.find((x) => x.name === r.name || x.baseName === r.name);
  if (!d) return err({ code: 'XH_ERR_NOT_FOUND', message: `${r.name} does not run on ${f.host}: nothing to shut down` });
  if (d.migration !== null) return err({ code: 'XH_ERR_LOCKED', message: `${r.name} is mid-migration here (xl list shows ${d.name}): wait for that migration to end` });
  if (r.target === f.host) return err({ code: 'XH_ERR_REFUSED', message: `${r.name} already runs on ${r.target}` });
  if (f.resources === null) return err({ code: 'XH_ERR_REFUSED', message: `${f.host} holds no config for ${r.name}: which hosts hold its disks is unknown, so it is not shut down for ${r.target}` });
  for (const res of f.resources) {
    const h = f.resourceHosts.get(res);
    if (!h || 'problem' in h) return err({ code: 'XH_ERR_CONFIG', message: `cannot tell who holds DRBD resource ${res} of ${r.name}: ${h && 'problem' in h ? h.problem : 'not read'}; nothing was shut down` });
    if (!h.hosts.includes(r.target)) return err({ code: 'XH_ERR_REFUSED', message: `${r.target} holds no replica of ${res} (${h.file} names ${h.hosts.join(', ') || 'no host'}): ${r.name} could not start there, so it is not shut down` });
    const unready = drbdRefusal(f.drbd, res, r.target, h.hosts);
    if (unready !== null) return err({ code: unready.code, message: `${r.name} is not shut down for ${r.target}, it still runs on ${f.host}: ${unready.message}` });
  }
  const home = homeHere(f.homes, f.ledger, r.name);
  const change: LedgerChange = home ? { kind: 'away', currentHost: r.target, reason: r.reason } : { kind: 'forget' };
  return ok({ name: r.name, from: f.host, to: r.target, operationId: r.operationId, resources: f.resources, change, shutdownWaitMs: r.shutdownWaitMs });
}

/**
 * The live move's DRBD gate (agent/decide/preflight.ts, the same rule): a start at the target on
 * a pair not in step runs the domU on a replica missing writes. The target's start judges only
 * its own side, and a DRBD 9 target cut off from this Dom0 (beside a tiebreaker) sees nothing amiss.
 */
function drbdRefusal(drbd: DrbdHereFacts, res: string, target: string, hosts: readonly string[]): XhError | null {
  const seen = drbd.resources.get(res);
  const need = 'a cold move needs it Connected UpToDate/UpToDate, as a live one does';
  if (!seen) return { code: 'XH_ERR_REFUSED', message: `the DRBD state of ${res} here was not read: ${need}` };
  if ('code' in seen) return { code: seen.code, message: `cannot read the DRBD state of ${res} here (${seen.message}): ${need}` };
  const unready = notReadyForLiveMigration(drbd.host, target, seen, 'source', hosts);
  return unready === null ? null : { code: 'XH_ERR_REFUSED', message: `DRBD ${unready}` };
}

export interface ColdStartRequest {
  readonly name: string;
  /** the host it was shut down on */
  readonly from: string;
  readonly operationId: string;
}

export interface ColdStartFacts extends MigrationFacts {
  /** NAME's config here (guarded dir, else config dir) and the DRBD resources it names; null: none */
  readonly config: { readonly path: string; readonly resources: readonly string[] } | null;
  readonly maintenance: Maintenance['state'];
  readonly drbd: { readonly availability: 'ok' | 'tools-missing' | 'module-not-loaded'; readonly resources: ReadonlyMap<string, DrbdResourceView> };
  /** the hosts each resource's `.res` file names (one that could not be read left out) */
  readonly resHosts: ReadonlyMap<string, readonly string[]>;
}

/** What the start records here: NAME's home is here (its away record ends), or it is a visitor. */
export type ColdStartRecord = { readonly kind: 'forget' } | { readonly kind: 'visitor'; readonly home: string };

export interface ColdStartPlan {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly operationId: string;
  readonly configPath: string;
  readonly resources: readonly string[];
  readonly record: ColdStartRecord;
}

export function planColdStart(f: ColdStartFacts, r: ColdStartRequest): Result<ColdStartPlan, XhError> {
  if (f.homesProblem) return err(f.homesProblem);
  if (f.config === null) return err({ code: 'XH_ERR_NOT_FOUND', message: `${f.host} holds no config for ${r.name} (guarded dir or config dir): it cannot be started here` });
  const here = f.domains.filter((x) => x.name === r.name || x.baseName === r.name);
  if (here.length > 0) return err({ code: 'XH_ERR_REFUSED', message: `xl list on ${f.host} already shows ${here.map((x) => x.name).join(', ')}: not started a second time` });
  const home = homeHere(f.homes, f.ledger, r.name);
  const away = Object.hasOwn(f.ledger.away, r.name) ? f.ledger.away[r.name] : undefined;
  if (home && away && away.currentHost !== r.from) {
    return err({ code: 'XH_ERR_REFUSED', message: `the ledger of ${f.host} says ${r.name} is on ${away.currentHost}, not ${r.from}: check both hosts before starting it here` });
  }
  const decision = decideAutostart({
    name: r.name,
    drbdResources: f.config.resources,
    domains: f.domains,
    maintenance: f.maintenance === 'draining' || f.maintenance === 'maintenance',
    // its away record names the host it is being moved back from: that is this very move
    awayTo: null,
    unsettled: Object.hasOwn(f.ledger.unsettled, r.name) ? (f.ledger.unsettled[r.name] ?? null) : null,
    // the controller's view was checked by the agent before this command ran
    fleetRunningOn: null,
    localHost: f.host,
    // the Dom0 it left holds the writes: a kernel here with no connection to it (DRBD 9 beside a
    // tiebreaker) cannot see whether this disk has them, as guarded autostart judges its partner
    expectedPeer: { host: r.from, resHosts: f.resHosts },
    drbd: f.drbd,
  });
  if (decision.kind !== 'start') return err({ code: 'XH_ERR_REFUSED', message: `${r.name} is not started on ${f.host}: ${decision.detail}` });
  const record: ColdStartRecord = home ? { kind: 'forget' } : { kind: 'visitor', home: (Object.hasOwn(f.ledger.visitors, r.name) ? f.ledger.visitors[r.name]?.home : undefined) ?? f.drbdPartner ?? r.from };
  return ok({ name: r.name, from: r.from, to: f.host, operationId: r.operationId, configPath: f.config.path, resources: f.config.resources, record });
}
