import type { XhError } from '../../shared/errors.js';
import type { InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { Ledger, MigrationReason } from '../state/ledger.js';
import { homeHere, peerMayClaim, type HomeEntry } from './home-claim.js';
import { domuCaseHint } from '../../shared/domu-case-hint.js';

/**
 * Migrations as data (Ganeti's moves): `migrate`, `reverse` and the forced `migrate2` each become
 * a plan — the steps to take, in order — decided here from a snapshot of this Dom0, with no I/O.
 * One executor (agent/migrate/plan-executor.ts) runs any plan; `--dry-run` prints it instead.
 */
export type MigrationKind = 'migrate' | 'reverse' | 'migrate2';

/**
 * Why a domU moves. 'restore' sends it back to its home (a restore after maintenance): the
 * home's away record ends, so it is never written into one; it is also the one reason that may
 * move a domU onto a host that is draining or in maintenance.
 */
export type MoveReason = MigrationReason | 'restore';

/** What the preflight asks of the world before anything moves. */
export type PreflightCheck =
  /** NAME is listed here, not mid-migration */
  | { readonly check: 'runs-here' }
  /** the target holds a replica of every DRBD resource of NAME (the `.res` files here say who does) */
  | { readonly check: 'replicas'; readonly target: string; readonly resources: readonly string[] }
  /**
   * the peer's forced command answers `status NAME`: not there already, and its free memory fits;
   * refuseDraining: the peer must not be draining or in maintenance either
   */
  | { readonly check: 'peer-status'; readonly peer: string; readonly wantPresent: boolean; readonly refuseDraining: boolean }
  | { readonly check: 'peer-sshd'; readonly peer: string }
  /**
   * the toolstack's own move (root's ssh for xl, the resolver for xm) goes to the machine the
   * checks over the migration key reach, not to another Dom0 by a stale ssh_config or hosts line
   */
  | { readonly check: 'toolstack-route'; readonly peer: string }
  /** withoutPeer: the command could go on without the peer (migrate --no-peer); a reverse cannot */
  | { readonly check: 'migration-key'; readonly peer: string; readonly withoutPeer: boolean };

export type LedgerChange =
  /** this Dom0 is NAME's home and NAME left for currentHost */
  | { readonly kind: 'away'; readonly currentHost: string; readonly reason: MigrationReason }
  /** NAME's record here ends: a visitor went home, or NAME came back home */
  | { readonly kind: 'forget' };

export type PlanStep =
  /** the domU's lock file, and the running agent's hold (it starts nothing of NAME meanwhile) */
  | { readonly do: 'hold'; readonly purpose: MigrationKind }
  | { readonly do: 'preflight'; readonly checks: readonly PreflightCheck[] }
  /** the local toolstack live-migrates NAME to target */
  | { readonly do: 'migrate'; readonly target: string; readonly options: readonly string[] }
  /** the peer's forced command migrates NAME back here (reverse) */
  | { readonly do: 'ask-peer'; readonly peer: string }
  /** where NAME is now: this host's xl list, and the other host's when the ending leaves doubt */
  | { readonly do: 'verify'; readonly other: string; readonly askOther: boolean }
  | { readonly do: 'record'; readonly change: LedgerChange }
  /**
   * whether NAME's DRBD resources stayed Connected, UpToDate on both sides, through the handover
   * (agent/decide/handover-replication.ts): read beside the step that moves NAME and once after it;
   * last, so a link lost mid-move is an ALARM about the disks of a move the ledgers record as done
   */
  | { readonly do: 'replication'; readonly peer: string; readonly resources: readonly string[] }
  /** `status NAME` on the other host's forced command: it records the visitor, or learns the return */
  /**
   * ask the target's forced command `status NAME`, which updates its ledger: `goingHome` true when
   * the target is NAME's home (it ends its away record), false when NAME becomes its visitor, null
   * when this host cannot tell (neither its home nor holding a visitor record of it)
   */
  | {
      readonly do: 'tell';
      readonly peer: string;
      readonly goingHome: boolean | null;
      /**
       * set with goingHome false when this host is NAME's home by its guarded dir alone: the peer may
       * be its home by its migrate-tab, and when it answers so, this host's away record is dropped
       */
      readonly peerMayBeHome?: true;
    };

export interface MigrationPlan {
  readonly kind: MigrationKind;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly operationId: string;
  readonly reason: MoveReason;
  readonly steps: readonly PlanStep[];
  /** for the operator: what the plan left out or assumed */
  readonly notes: readonly string[];
}

/** What a plan is decided from: one read of this Dom0. */
export interface MigrationFacts {
  readonly host: string;
  readonly ledger: Ledger;
  readonly homes: ReadonlyMap<string, HomeEntry>;
  /** migrate-tab or the guarded dir could not be read: decisions about homes are refused */
  readonly homesProblem: XhError | null;
  readonly domains: readonly InventoryDomain[];
  /** NAME's DRBD resources, from its config here (guarded dir or configDir); null when unknown */
  readonly resources: readonly string[] | null;
  /** NAME's home as the other host of its DRBD resources, for a visitor the ledger does not list */
  readonly drbdPartner: string | null;
  /** this host's maintenance state as its flag says; absent: online */
  readonly maintenance?: 'online' | 'draining' | 'maintenance' | 'restoring';
}

const listedHere = (f: MigrationFacts, name: string): InventoryDomain | undefined => f.domains.find((d) => d.name === name || d.baseName === name);

/** Why NAME cannot be moved from here, in the words of the documented codes. */
function notMovable(f: MigrationFacts, name: string): XhError | null {
  const d = listedHere(f, name);
  if (d && d.migration !== null) return { code: 'XH_ERR_LOCKED', message: `${name} is mid-migration here (xl list shows ${d.name}): wait for that migration to end` };
  if (d) return null;
  const away = f.ledger.away[name];
  if (away) return { code: 'XH_ERR_REFUSED', message: `${name} does not run on ${f.host}: the ledger here says it is on ${away.currentHost} (\`reverse ${name}\` brings it back)` };
  const known = f.homes.has(name) || f.ledger.visitors[name] !== undefined || f.resources !== null;
  if (known) return { code: 'XH_ERR_REFUSED', message: `${name} does not run on ${f.host} (${f.homes.has(name) ? 'its home, ' : ''}xl list here does not show it): run migrate on the Dom0 that runs it` };
  const names = [...f.domains.map((x) => x.baseName ?? x.name), ...f.homes.keys(), ...Object.keys(f.ledger.away), ...Object.keys(f.ledger.visitors)];
  return { code: 'XH_ERR_NOT_FOUND', message: `unknown domU ${name}: not running on ${f.host}, not homed here, not in the ledger, no config in the guarded dir or the config dir${domuCaseHint(name, names)}` };
}

const sshChecks = (peer: string, withoutPeer: boolean): PreflightCheck[] => [{ check: 'migration-key', peer, withoutPeer }, { check: 'peer-sshd', peer }];

export interface MigrateRequest {
  readonly name: string;
  readonly target: string | null;
  readonly reason: MoveReason;
  readonly operationId: string;
  /** do not ask the target's forced command anything (no xenherd keys there, or its sshd is down) */
  readonly noPeer: boolean;
}

/** `migrate NAME [HOST]` on the Dom0 running NAME. */
export function planMigrate(f: MigrationFacts, r: MigrateRequest): Result<MigrationPlan, XhError> {
  if (f.homesProblem) return err(f.homesProblem);
  const blocked = notMovable(f, r.name);
  if (blocked) return err(blocked);
  const home = homeHere(f.homes, f.ledger, r.name);
  const visiting = f.ledger.visitors[r.name];
  const target = r.target ?? home?.peer ?? visiting?.home ?? f.drbdPartner;
  if (target === null) return err({ code: 'XH_ERR_USAGE', message: `${r.name} has no migration partner here (not in migrate-tab, no DRBD peer in its resource files): give the HOST` });
  if (target === f.host) return err({ code: 'XH_ERR_REFUSED', message: `${r.name} already runs on ${target}` });
  // a visitor's disk is replicated between its home and here: it can only go home
  if (visiting && target !== visiting.home) {
    return err({ code: 'XH_ERR_REFUSED', message: `${r.name} is a visitor from ${visiting.home}: it can only go back there (\`migrate ${r.name}\` here, or \`reverse ${r.name}\` on ${visiting.home}), not to ${target}` });
  }
  if (r.reason === 'restore') {
    const refusal = restoreRefusal(f, r.name, target, home);
    if (refusal) return err(refusal);
  }
  const notes = home && home.ignoredOptions.length > 0 ? [`migrate-tab options not on the allowlist, ignored: ${home.ignoredOptions.join(' ')}`] : [];
  if (r.noPeer) notes.push(`--no-peer: ${target}'s forced command is not asked anything; ${target} will not know ${r.name} is its visitor until told`);
  const checks: PreflightCheck[] = [{ check: 'runs-here' }, { check: 'replicas', target, resources: f.resources ?? [] }, { check: 'toolstack-route', peer: target }];
  if (!r.noPeer) checks.push(...sshChecks(target, true), { check: 'peer-status', peer: target, wantPresent: false, refuseDraining: r.reason !== 'restore' });
  const steps: PlanStep[] = [
    { do: 'hold', purpose: 'migrate' },
    { do: 'preflight', checks },
    { do: 'migrate', target, options: home?.options ?? [] },
    { do: 'verify', other: target, askOther: !r.noPeer },
    { do: 'record', change: home && r.reason !== 'restore' ? { kind: 'away', currentHost: target, reason: r.reason } : { kind: 'forget' } },
  ];
  if (!r.noPeer) {
    const goingHome = home && r.reason !== 'restore' ? false : visiting !== undefined || r.reason === 'restore' ? true : null;
    steps.push({ do: 'tell', peer: target, goingHome, ...(goingHome === false && home?.source === 'guarded' ? { peerMayBeHome: true as const } : {}) });
  }
  steps.push(...replicationStep(f, target));
  return ok({ kind: 'migrate', name: r.name, from: f.host, to: target, operationId: r.operationId, reason: r.reason, steps, notes });
}

/** A restore only takes a domU that is away from its home back to that home. */
function restoreRefusal(f: MigrationFacts, name: string, target: string, homeHereEntry: HomeEntry | undefined): XhError | null {
  if (homeHereEntry !== undefined) {
    // Guarded here and on TARGET, its partner, with no record of leaving either: either may be its
    // home, and the controller, which asks for the restore, has seen TARGET's claim (its
    // migrate-tab) win. Refused, a domU started here by hand while TARGET was down could not go back.
    const partnersClaim = homeHereEntry.source === 'guarded' && homeHereEntry.peer === target && f.ledger.away[name] === undefined;
    return partnersClaim ? null : { code: 'XH_ERR_REFUSED', message: `${name}'s home is ${f.host}, where it runs: a restore only brings a domU back to its home` };
  }
  const home = f.ledger.visitors[name]?.home ?? f.drbdPartner;
  if (home === null) return { code: 'XH_ERR_REFUSED', message: `${f.host} does not know ${name}'s home (no visitor record, no single DRBD partner): a restore only brings a domU back to its home` };
  return target === home ? null : { code: 'XH_ERR_REFUSED', message: `a restore brings ${name} back to its home ${home}, not to ${target}` };
}

/** `reverse NAME` on NAME's home: its current host's forced command migrates it back. */
export function planReverse(f: MigrationFacts, name: string): Result<MigrationPlan, XhError> {
  // a host draining or in maintenance takes no domUs (a roll's reboot would kill them): a
  // restore brings them home, and it first sets the host restoring
  if (f.maintenance === 'draining' || f.maintenance === 'maintenance') {
    return err({ code: 'XH_ERR_REFUSED', message: `${f.host} is ${f.maintenance === 'draining' ? 'draining' : 'in maintenance'}: it takes no domUs until it is online again; \`xenherdctl restore ${f.host}\` brings its domUs home` });
  }
  const away = f.ledger.away[name];
  if (!away) {
    if (f.homesProblem) return err(f.homesProblem);
    return err({ code: 'XH_ERR_REFUSED', message: `the ledger of ${f.host} has no record of ${name} having left: nothing to reverse` });
  }
  const d = listedHere(f, name);
  if (d) {
    return err({ code: 'XH_ERR_LEDGER_MISMATCH', message: `${name} already runs on ${f.host} (${d.name}) although the ledger says it is on ${away.currentHost}: check both hosts, then \`xenherd-agent reconcile ${name}\` records it as back` });
  }
  const peer = away.currentHost;
  return ok({
    kind: 'reverse',
    name,
    from: peer,
    to: f.host,
    operationId: away.operationId,
    reason: 'reverse',
    steps: [
      { do: 'hold', purpose: 'reverse' },
      { do: 'preflight', checks: [...sshChecks(peer, false), { check: 'peer-status', peer, wantPresent: true, refuseDraining: false }] },
      { do: 'ask-peer', peer },
      { do: 'verify', other: peer, askOther: true },
      { do: 'record', change: { kind: 'forget' } },
      ...replicationStep(f, peer),
    ],
    notes: [],
  });
}

/** NAME's disks on DRBD: their link to PEER is watched through the move (none on shared storage) */
const replicationStep = (f: MigrationFacts, peer: string): PlanStep[] => (f.resources !== null && f.resources.length > 0 ? [{ do: 'replication', peer, resources: f.resources }] : []);

/**
 * The forced command's `migrate2 NAME` from PEER: only PEER's own domU running here goes back to
 * PEER. The asking home checks its own xl list afterwards, so an unclear ending is an alarm here.
 */
export function planMigrate2(f: MigrationFacts, name: string, peer: string, operationId: string): Result<MigrationPlan, XhError> {
  const blocked = notMovable(f, name);
  if (blocked) return err(blocked.code === 'XH_ERR_NOT_FOUND' ? { code: 'XH_ERR_REFUSED', message: `${name} does not run on ${f.host}` } : blocked);
  const claim = peerClaim(f, name, peer);
  if (claim) return err(claim);
  return ok({
    kind: 'migrate2',
    name,
    from: f.host,
    to: peer,
    operationId,
    reason: 'reverse',
    steps: [
      { do: 'hold', purpose: 'migrate2' },
      // the way home is a live migration like any other: the same DRBD state is needed for it
      { do: 'preflight', checks: [{ check: 'runs-here' }, { check: 'replicas', target: peer, resources: f.resources ?? [] }, { check: 'toolstack-route', peer }, { check: 'peer-sshd', peer }] },
      { do: 'migrate', target: peer, options: [] },
      { do: 'verify', other: peer, askOther: false },
      { do: 'record', change: { kind: 'forget' } },
    ],
    notes: [],
  });
}

/** May PEER take NAME back from here? null when it may. */
export function peerClaim(f: MigrationFacts, name: string, peer: string): XhError | null {
  if (f.homesProblem && !f.ledger.visitors[name]) return f.homesProblem;
  if (!peerMayClaim(f.homes, name, peer)) return { code: 'XH_ERR_REFUSED', message: `${name} is not a domU of ${peer}: its home is ${f.host}` };
  if (f.homes.has(name)) {
    // guarded on both Dom0s of the pair: it is PEER's unless our ledger says it left us
    const away = f.ledger.away[name];
    return away ? { code: 'XH_ERR_REFUSED', message: `${name} is a domU of ${f.host}: the ledger here says it left for ${away.currentHost}` } : null;
  }
  const home = f.ledger.visitors[name]?.home ?? f.drbdPartner;
  // no record here and no DRBD pair say whose it is (a domU on shared storage, its config not
  // here or without DRBD disks): the peer that sent it here, or asks for it back, is the only one
  // who can say. Refused, a drain moved such a domU and its restore could not bring it home.
  if (home === null && (f.resources === null || f.resources.length === 0)) return null;
  return home === peer ? null : { code: 'XH_ERR_REFUSED', message: `${name} is not a domU of ${peer} (its home is ${home ?? 'unknown here'}): a peer may only take back its own domUs` };
}
