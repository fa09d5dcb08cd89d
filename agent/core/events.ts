import type { ErrorCode } from '../../shared/errors.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import type { ControlRequest } from '../../shared/protocol/agent-control.js';
import type { ControllerMessage } from '../../shared/protocol/agent-link.js';
import type { LinkDomuConfig, LinkXen, Maintenance } from '../../shared/protocol/agent-link-state.js';
import type { LinkStateDisk } from '../../shared/protocol/state-disk.js';
import type { HomeEntry } from '../decide/home-claim.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { ToolstackKind } from '../../shared/inventory.js';
import type { AgentConfig } from '../config/schema.js';
import type { Events2Line } from '../parse/events2.js';
import type { XenstoreOpenFailure } from '../parse/xenstore-stderr.js';
import type { Ledger } from '../state/ledger.js';
import type { BootRecordLost, DrbdAvailabilityWord, GuardedEntry } from '../state/snapshot.js';

/** What a reload made of a lost boot record: still LOST (null: the loss ended), and the domUs it names as handled this boot. */
export interface BootRecordAgain {
  readonly lost: BootRecordLost | null;
  readonly handled: readonly string[];
}

/**
 * Everything that can happen to the agent, as typed events on one queue: the sources (watchers,
 * polls, timers), the control socket, the results of the reads and starts the agent asked for,
 * and the process (reload, stop). The reducer is the only thing that looks at them.
 */
/** renames: the watch on incoming domains' name nodes (core/rename-watch.ts), beside the domain watch */
/** A domain's start_time read (core/start-times.ts): VALUE as xenstore-read printed it (null: no such key), or the PROBLEM of the read. */
export interface StartTimeAnswer {
  readonly domid: number;
  readonly name: string;
  readonly value: string | null;
  readonly problem: string | null;
}

/** A read back of domUs' naming (core/xenstore-names.ts): what each area held (null: no such node), or the PROBLEM of the whole read. */
export type NamesReadAnswer =
  | { readonly ok: true; readonly reads: readonly { readonly domid: number; readonly name: string; readonly dom0: string | null; readonly since: string | null }[] }
  | { readonly ok: false; readonly problem: string };

export type WatcherName = 'drbd' | 'domains' | 'renames';

export type DomainsRead = { readonly ok: true; readonly domains: readonly InventoryDomain[] } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** One full re-read of the host: files, ledger, toolstack, DRBD availability. */
export interface HostRead {
  /** the toolstack's host name (`xl info`), when it was asked */
  readonly host: string | null;
  readonly toolstack: ToolstackKind | null;
  readonly toolstackProblem: { readonly code: ErrorCode; readonly message: string } | null;
  /** the `xl info` this read ran: null when it ran none, else why it failed (null: it answered) */
  readonly info: { readonly problem: string | null } | null;
  readonly domains: DomainsRead;
  readonly guarded: readonly GuardedEntry[];
  readonly guardedProblem: string | null;
  readonly visitors: readonly GuardedEntry[];
  readonly ledger: Ledger | null;
  readonly ledgerProblem: string | null;
  readonly maintenance: { readonly flag: Maintenance; readonly problem: string | null };
  readonly memory: { readonly totalMiB: number | null; readonly freeMiB: number | null } | null;
  /** the hypervisor's release, from the same `xl info` (null: not asked, or not read) */
  readonly xen: LinkXen | null;
  readonly homes: readonly HomeEntry[];
  /** migrate-tab or the guarded dir unreadable: which domUs this host is home of is not known */
  readonly homesProblem: string | null;
  readonly domus: readonly LinkDomuConfig[];
  readonly drbd: {
    readonly availability: DrbdAvailabilityWord;
    readonly version: string | null;
    readonly problem: string | null;
    /** `drbdadm status` of the resources held here (core/drbd.ts resourcesHeld), when the agent polls (null on events) */
    readonly polled: ReadonlyMap<string, DrbdResourceView> | null;
    /** the resources that poll could not read, and why */
    readonly pollProblems?: readonly { readonly resource: string; readonly message: string }[];
  };
}

/** What `inspect` read just now: NAME's xl list rows and its DRBD resources, or the tool failure. */
export type InspectRead =
  | { readonly ok: true; readonly rows: readonly InventoryDomain[]; readonly resources: readonly DrbdResourceView[] }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export type AgentEvent =
  /** the loop runs (leftover starts of an earlier agent are over) */
  | { readonly t: 'start' }
  | { readonly t: 'full-read'; readonly read: HostRead }
  /** tookMs: how long the read took, on the agent's clock */
  | { readonly t: 'domains-read'; readonly read: DomainsRead; readonly tookMs: number }
  /** `xl info` alone (read-info): host, memory and the hypervisor's release, or why not */
  /** the state and runtime dirs' free space read (core/state-disks.ts) */
  | { readonly t: 'state-disks-read'; readonly readings: readonly LinkStateDisk[] }
  | { readonly t: 'info-read'; readonly host: string | null; readonly memory: { readonly totalMiB: number | null; readonly freeMiB: number | null } | null; readonly xen: LinkXen | null; readonly problem: string | null }
  /** before the first full read: /proc/drbd says DRBD is loaded (loaded false: it cannot tell) */
  | { readonly t: 'drbd-probed'; readonly loaded: boolean; readonly version: string | null }
  /** a read ended without an answer (a bug in the reading code): nothing learnt, the read is over */
  | { readonly t: 'read-failed'; readonly read: 'full' | 'list'; readonly message: string }
  /** a line from the watcher of this generation: a parsed events2 line, or a domain-change hint */
  | { readonly t: 'watch-line'; readonly watcher: 'drbd'; readonly gen: number; readonly line: Events2Line }
  | { readonly t: 'watch-line'; readonly watcher: 'domains' | 'renames'; readonly gen: number }
  | { readonly t: 'watch-bad-line'; readonly watcher: WatcherName; readonly gen: number; readonly message: string; readonly text: string }
  | { readonly t: 'watch-exit'; readonly watcher: WatcherName; readonly gen: number; readonly stoppedByUs: boolean; readonly notFound: boolean; readonly why: string; readonly cannotOpen: XenstoreOpenFailure | null }
  | { readonly t: 'drbd-polled'; readonly views: ReadonlyMap<string, DrbdResourceView>; readonly problems: readonly { readonly resource: string; readonly code: ErrorCode; readonly message: string }[] }
  | { readonly t: 'timer'; readonly name: string }
  | { readonly t: 'control'; readonly id: number; readonly conn: number; readonly req: ControlRequest }
  | { readonly t: 'conn-closed'; readonly conn: number }
  /** the re-check right before an `xl create`: xl list again ('current': the state's list is), and DRBD polled again when polling */
  | { readonly t: 'rechecked'; readonly name: string; readonly domains: DomainsRead | 'current'; readonly polled: ReadonlyMap<string, DrbdResourceView> | null }
  /** a claim's outcome: what it made Primary, the resources as read right after, or why it stopped short */
  | { readonly t: 'claimed'; readonly name: string; readonly promoted: readonly string[]; readonly views: ReadonlyMap<string, DrbdResourceView>; readonly problem: string | null }
  /** a release ended: why each resource DRBD did not take back (empty: all given back) */
  | { readonly t: 'released'; readonly name: string; readonly problems: readonly string[] }
  | { readonly t: 'created'; readonly name: string; readonly ok: boolean; readonly message: string }
  | { readonly t: 'coexistence'; readonly warnings: readonly string[] }
  /**
   * an `xl create` an earlier agent left running: still running (the domU waits), or ended and its
   * claim given back; KEPT: it has ended, but DRBD refused to give these back (the domU waits while
   * they are tried again)
   */
  | { readonly t: 'leftover-create'; readonly name: string; readonly createPid: number; readonly running: boolean; readonly kept?: readonly string[] }
  | { readonly t: 'link-open'; readonly gen: number }
  | { readonly t: 'link-primary-probed'; readonly gen: number; readonly answers: boolean }
  /** RETRYAFTERMS: the least wait the controller's address asked for (an HTTP Retry-After) */
  | { readonly t: 'link-failed'; readonly gen: number; readonly kind: string; readonly message: string; readonly retryAfterMs?: number }
  | { readonly t: 'link-message'; readonly gen: number; readonly message: ControllerMessage }
  | { readonly t: 'link-bad-message'; readonly gen: number; readonly why: string }
  | { readonly t: 'link-closed'; readonly gen: number; readonly code: number; readonly reason: string }
  | { readonly t: 'command-progress'; readonly commandId: string; readonly line: string }
  | { readonly t: 'command-done'; readonly commandId: string; readonly outcome: CommandOutcome }
  | { readonly t: 'maintenance-written'; readonly problem: string | null }
  | { readonly t: 'away-ended'; readonly name: string; readonly problem: string | null }
  | { readonly t: 'visitor-ended'; readonly name: string; readonly problem: string | null }
  | { readonly t: 'inspected'; readonly commandId: string; readonly read: InspectRead }
  /** the domUs of one xenstore-write effect named, and those that could not be, each with why */
  | { readonly t: 'xenstore-written'; readonly named: readonly { readonly domid: number; readonly name: string }[]; readonly failed: readonly { readonly domid: number; readonly name: string; readonly problem: string }[] }
  /** what the xenstore areas of one xenstore-read-names effect's domUs held (core/xenstore-names.ts) */
  | { readonly t: 'xenstore-names-read'; readonly domus: readonly { readonly domid: number; readonly name: string }[]; readonly read: NamesReadAnswer }
  /** VALUE: start_time as xenstore-read printed it, null when not written; PROBLEM: the read failed */
  | { readonly t: 'start-times-read'; readonly reads: readonly StartTimeAnswer[] }
  /** SIGHUP with a valid new config */
  /** configFile: the file it was read from (null: none, the defaults); absent: the one the agent runs with */
  /** a reload: the config, and the boot record read again when it was lost (what it now says) */
  | { readonly t: 'config'; readonly config: AgentConfig; readonly configFile?: string | null; readonly bootRecord?: BootRecordAgain }
  | { readonly t: 'stop' }
  /** the queue is empty and facts changed: decide */
  | { readonly t: 'settled' };
