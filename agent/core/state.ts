import type { ErrorCode } from '../../shared/errors.js';
import type { DrbdResourceView, InventoryDomain, ToolstackKind } from '../../shared/inventory.js';
import type { Hold } from '../../shared/protocol/agent-control.js';
import { ONLINE, type HostState, type LinkDomuConfig, type LinkXen, type Maintenance } from '../../shared/protocol/agent-link-state.js';
import type { HomeEntry } from '../decide/home-claim.js';
import { CAPABILITY, LINK_FEATURE, type CommandMessage, type ViewWord } from '../../shared/protocol/agent-link.js';
import type { AgentConfig } from '../config/schema.js';
import { emptyDrbdState, type DrbdState } from '../state/drbd-reducer.js';
import type { Ledger } from '../state/ledger.js';
import type { LinkStateDisk } from '../../shared/protocol/state-disk.js';
import type { BootRecordLost, DrbdAvailabilityWord, GuardedEntry } from '../state/snapshot.js';
import { initialWatcher, type WatcherState } from './watcher.js';
import type { HomeAgainSeen } from './home-again.js';
import type { MismatchSeen } from './ledger-mismatches.js';
import type { HalfSeen } from './stranded-half.js';
import type { LeftoverCreate } from './leftover-creates.js';
import type { ReplicationSeen } from './replication-watch.js';
import { NO_RENAME_WATCH, type RenameWatch } from './rename-watch.js';

export type { DomuRecord } from './domu-record.js';
import type { DomuRecord } from './domu-record.js';
import { firstUrl } from './link-urls.js';
import type { LinkState } from './link-state.js';
export type { LinkState } from './link-state.js';
export type { Forced, StartJob } from './start-job.js';
import type { StartJob } from './start-job.js';
import type { XenStart } from './start-times.js';
import type { Naming } from './xenstore-names.js';

/** A granted hold and the control connection that keeps it. */
export interface HeldDomu {
  readonly hold: Hold;
  readonly conn: number;
}

/** A read many events ask for: one runs at a time, and one more runs after it when asked meanwhile. */
export interface ReadState {
  readonly running: boolean;
  readonly again: boolean;
  /** reads completed so far; a reply waiting for "a read started after my request" waits for this count */
  readonly done: number;
}

export interface WaitingReply {
  readonly id: number;
  /** reply once this many full reads have completed */
  readonly afterRead: number;
  readonly message: string;
}

export interface DrbdFacts {
  readonly availability: DrbdAvailabilityWord;
  readonly version: string | null;
  /** the events2 reducer's state of the current stream (empty until its dump completes) */
  readonly events: DrbdState;
  /** the last `drbdadm status` poll, per resource */
  readonly polled: ReadonlyMap<string, DrbdResourceView>;
  readonly watcher: WatcherState;
  /** why the last poll could not read a resource, per resource (absent: none recorded) */
  readonly pollProblems?: ReadonlyMap<string, string>;
}

/**
 * Everything the agent's event loop knows, as plain data. Only the reducer (core/reduce.ts)
 * makes a new one; the loop keeps the latest. Times are milliseconds from the injected clock.
 */
export interface AgentState {
  readonly config: AgentConfig;
  /** the agent config file it runs with (`--config`, else the default path), null: none read, the defaults apply */
  readonly configFile: string | null;
  readonly host: string;
  /** host came from the host-name record, not yet from this run's `xl info` */
  readonly hostToConfirm: boolean;
  /** the agent process's pid, for `status` */
  readonly pid: number;
  readonly startedAt: number;
  /** starting: before the first decisions; running; stopping: no new starts, waiting for running ones */
  readonly phase: 'starting' | 'running' | 'stopping' | 'stopped';
  readonly enabled: boolean;
  readonly toolstack: ToolstackKind | null;
  /** null while `xl list` cannot be read */
  readonly domains: readonly InventoryDomain[] | null;
  /** this host's guarded domUs, then the visitors its ledger records (guarded like its own) */
  readonly guarded: readonly GuardedEntry[];
  /** the maintenance state this agent keeps for its host (online: none) */
  readonly maintenance: Maintenance;
  /** `xl info` memory at the last full read, and what the domUs used then */
  readonly memory: { readonly totalMiB: number | null; readonly freeMiB: number | null; readonly domuMiBAtRead: number } | null;
  /** the hypervisor's release from the last `xl info` that gave one */
  readonly xen: LinkXen | null;
  /** the free space under the state and runtime dirs as last read, a write there that failed for want of it (core/state-disks.ts) */
  readonly stateDisks: readonly LinkStateDisk[];
  /** the domUs this host is home of (guarded dir, migrate-tab) with their partners */
  readonly homes: readonly HomeEntry[];
  /** every domU this host holds a config for, with the hosts its resources name */
  readonly domus: readonly LinkDomuConfig[];
  readonly ledger: Ledger | null;
  readonly ledgerProblem: string | null;
  readonly homesProblem: string | null;
  /** the guarded dir's read problem as last logged: logged again only when it changes */
  readonly guardedProblem: string | null;
  /** why the last full read's `xl info` (or `xm info`) failed, as last logged: logged again only when it changes */
  readonly infoProblem: string | null;
  /** why no toolstack answered the last full read (null: one did, or none was read yet), quoted where that refuses */
  readonly toolstackProblem: string | null;
  /** DRBD resources of domUs run or guarded here: whether their link was seen connected, and what the journal was told (replication-watch.ts) */
  readonly replication: ReadonlyMap<string, ReplicationSeen>;
  readonly drbd: DrbdFacts;
  readonly domainWatcher: WatcherState;
  readonly handledThisBoot: ReadonlySet<string>;
  /** the record of handledThisBoot could not be read and may be this boot's: nothing is started on its own */
  readonly bootRecordLost: BootRecordLost | null;
  readonly records: ReadonlyMap<string, DomuRecord>;
  readonly holds: readonly HeldDomu[];
  readonly jobs: readonly StartJob[];
  readonly warnings: readonly string[];
  readonly fullRead: ReadState;
  readonly listRead: ReadState;
  readonly waitingReplies: readonly WaitingReply[];
  readonly lastFullRead: number | null;
  /** until when the first decisions wait for the controller's view (its `initial-fleet` timer), for `autostart status`; null: no such wait */
  readonly fleetWaitUntil: number | null;
  /** named timers armed now (the loop arms them on the clock; a `timer` event clears the name) */
  readonly timers: ReadonlySet<string>;
  readonly link: LinkState;
  /** systemd's watchdog: WATCHDOG=1 this often from the loop itself (null: no watchdog) */
  readonly watchdogMs: number | null;
  readonly commands: readonly RunningCommand[];
  /** ledger records being ended: away records of domUs running here again (core/home-again.ts), visitor records of domUs back home (core/visitor-gone-home.ts) */
  readonly endingAway: ReadonlySet<string>;
  /** away records' domUs seen running here again, waiting out the grace before the record ends (core/home-again.ts) */
  readonly homeAgain: ReadonlyMap<string, HomeAgainSeen>;
  /** `NAME--migratedaway` rows standing here with no migration of NAME held, since when (core/stranded-half.ts) */
  readonly strandedHalves: ReadonlyMap<string, HalfSeen>;
  /** `xl create`s an earlier agent left running, by domU: nothing is done about that domU until each ends (core/leftover-creates.ts) */
  readonly leftoverCreates: ReadonlyMap<string, LeftoverCreate>;
  /** since when `xl list` has shown a migration row without a break (core/migration-rows.ts); null: none now */
  readonly migrationRowsSince: number | null;
  /** the xenstore-watch on the name nodes of the incoming rows among them (core/rename-watch.ts) */
  readonly renameWatch: RenameWatch;
  /** the controller's maintenance commands and the lease of the active state (core/maintenance-command.ts) */
  readonly maintenanceKeeping: MaintenanceKeeping;
  /** domain changes seen whose `xl list` re-read has not landed: the list read (by count) covering each, and since when (core/view-lag.ts) */
  readonly domainsBehind: readonly { readonly since: number; readonly untilList: number }[];
  /** domid → the naming of this Dom0 in that domU's xenstore area, done or tried (core/xenstore-names.ts) */
  readonly xenstoreNamed: ReadonlyMap<number, Naming>;
  /** domid → since when Xen has run it here, once read (core/start-times.ts) */
  readonly startTimes: ReadonlyMap<number, XenStart>;
  /** facts changed since the last decisions: decide when the event queue is empty */
  readonly dirty: boolean;
  /** ledger mismatches seen, by kind and domU: each logged once it has stood long enough (core/ledger-mismatches.ts) */
  readonly mismatches: ReadonlyMap<string, MismatchSeen>;
  readonly lastStatusLine: string;
  /** state of the pseudo-random sequence for jitter (a seed replays a run exactly) */
  readonly rng: number;
}

export const idleRead: ReadState = { running: false, again: false, done: 0 };

export interface InitialFacts {
  readonly config: AgentConfig;
  readonly configFile?: string | null;
  /** the host name until the toolstack tells it (`xl info`) */
  readonly host: string;
  /** host is what `xl info` said before (host-name-record.ts): the first read skips it, READY reads it */
  readonly hostToConfirm?: boolean;
  readonly pid: number;
  readonly now: number;
  readonly seed: number;
  /** guarded domUs handled since this Dom0 booted, as an earlier agent recorded them */
  readonly handledThisBoot: ReadonlySet<string>;
  /** that record could not be read and may be this boot's (agent/run/boot-record.ts `lost`); absent: it was read */
  readonly bootRecordLost?: BootRecordLost | null;
  /** for the controller link's hello */
  readonly bootId: string;
  readonly agentVersion: string;
  /** half of systemd's WatchdogSec, or null */
  readonly watchdogMs: number | null;
}

/** What this agent offers the controller: the `command` ops it runs, and that it takes `fleet` views. */
export const CAPABILITIES = [CAPABILITY.migrate, CAPABILITY.reverse, 'fleet-view', CAPABILITY.maintenance, CAPABILITY.inspect, CAPABILITY.coldMigrate, LINK_FEATURE.viewLag, LINK_FEATURE.unsettled, LINK_FEATURE.domainRows, LINK_FEATURE.fleetSilent, LINK_FEATURE.snapshotView, LINK_FEATURE.reconnectSpread, LINK_FEATURE.incomingMoves, LINK_FEATURE.xenVersion, LINK_FEATURE.drbdClient, LINK_FEATURE.drbdLocalClient, LINK_FEATURE.stateDisk, LINK_FEATURE.domainStarted] as const;

export function initialState({ config, configFile, host, hostToConfirm, pid, now, seed, handledThisBoot, bootRecordLost, bootId, agentVersion, watchdogMs }: InitialFacts): AgentState {
  return {
    config,
    configFile: configFile ?? null,
    host,
    hostToConfirm: hostToConfirm ?? false,
    pid,
    startedAt: now,
    phase: 'starting',
    enabled: config.autostart.enabled,
    toolstack: null,
    domains: null,
    guarded: [],
    maintenance: ONLINE,
    memory: null,
    xen: null,
    stateDisks: [],
    homes: [],
    domus: [],
    ledger: null,
    ledgerProblem: null,
    homesProblem: null,
    guardedProblem: null,
    infoProblem: null,
    toolstackProblem: null,
    replication: new Map(),
    drbd: { availability: 'unknown', version: null, events: emptyDrbdState, polled: new Map(), watcher: initialWatcher(config.events.drbd === 'poll', 'events.drbd is "poll" in the config') },
    domainWatcher: initialWatcher(config.events.domains === 'poll', 'events.domains is "poll" in the config'),
    handledThisBoot,
    bootRecordLost: bootRecordLost ?? null,
    records: new Map(),
    holds: [],
    jobs: [],
    warnings: [],
    fullRead: idleRead,
    listRead: idleRead,
    waitingReplies: [],
    lastFullRead: null,
    fleetWaitUntil: null,
    timers: new Set(),
    link: {
      configured: config.controller !== undefined,
      url: firstUrl(config),
      phase: 'off',
      gen: 0,
      failures: 0,
      backoff: {},
      seq: 0,
      sent: null,
      heartbeatMs: 5_000,
      staleAfterMs: 15_000,
      fleet: null,
      hello: { bootId, agentVersion, capabilities: [...CAPABILITIES] },
      refused: false,
      problem: null,
      accepts: [], reconnectSpreadMs: null,
      viewSent: 'current',
      doneIds: [],
      unreported: [],
      owners: {},
      failbackHeld: null,
    },
    commands: [],
    endingAway: new Set(),
    homeAgain: new Map(),
    strandedHalves: new Map(),
    leftoverCreates: new Map(),
    migrationRowsSince: null,
    renameWatch: NO_RENAME_WATCH,
    maintenanceKeeping: { leaseUntil: null, queue: [], serving: null, staleReadsUpTo: 0 },
    xenstoreNamed: new Map(),
    startTimes: new Map(),
    domainsBehind: [],
    watchdogMs,
    dirty: false,
    mismatches: new Map(),
    lastStatusLine: '',
    rng: seed >>> 0,
  };
}

/** A controller command running here (core/commands.ts): its progress and result go back on the link it came on. */
export interface RunningCommand {
  readonly commandId: string;
  readonly op: CommandMessage['op'];
  /** the domU it is about; null for `maintenance` (about the host) */
  readonly name: string | null;
  readonly by: string;
  /** the link generation it came on */
  readonly gen: number;
  readonly startedAt: number;
}

export type MaintenanceCommand = Extract<CommandMessage, { op: 'maintenance' }>;

/**
 * The host's maintenance flag as the controller changes it: one command served at a time (the
 * others wait in `queue`), and the lease of an active state on this agent's clock.
 */
export interface MaintenanceKeeping {
  /** when the active state's lease ends (null: no lease); kept in memory only */
  readonly leaseUntil: number | null;
  /** maintenance commands in arrival order; the first is the one being served */
  readonly queue: readonly MaintenanceCommand[];
  /** what the first waits for: an `xl list` read started after it (rule 4), or its flag's write */
  readonly serving: { readonly phase: 'list'; readonly afterList: number } | { readonly phase: 'write'; readonly flag: Maintenance; readonly leaseMs: number | null } | null;
  /** full reads numbered up to this one may have read the flag from before the last write: theirs is ignored */
  readonly staleReadsUpTo: number;
}

/** A reply's failure part: a catalog code and a sentence. */
export interface ReplyError {
  readonly code: ErrorCode;
  readonly message: string;
}
