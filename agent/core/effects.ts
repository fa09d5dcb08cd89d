import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import type { AgentMessage, CommandMessage } from '../../shared/protocol/agent-link.js';
import type { ToolstackKind } from '../../shared/inventory.js';
import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import type { AgentConfig } from '../config/schema.js';
import type { GuardedEntry } from '../state/snapshot.js';
import type { WatcherName } from './events.js';
import type { FailedWrite } from './state-disks.js';

/**
 * What the reducer asks the outside world to do. The effect runner (run/effect-runner.ts) is the
 * only code that acts on them; whatever it learns comes back as an event.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Effect =
  | { readonly e: 'log'; readonly level: LogLevel; readonly fields: Readonly<Record<string, unknown>>; readonly msg: string }
  | { readonly e: 'set-log-level'; readonly level: AgentConfig['logLevel'] }
  | { readonly e: 'timer'; readonly name: string; readonly ms: number }
  | { readonly e: 'cancel-timer'; readonly name: string }
  /**
   * pollDrbd: also read `drbdadm status` of the resources held here (core/drbd.ts resourcesHeld: the agent polls DRBD);
   * recheckDrbdTools: the DRBD tools were missing: ask `drbdadm --version` again
   */
  | { readonly e: 'read-full'; readonly config: AgentConfig; readonly host: string; readonly toolstack: ToolstackKind | null; readonly pollDrbd: boolean; readonly recheckDrbdTools: boolean; readonly readInfo: boolean }
  /** `xl info` (or `xm info`) alone: the host's name and memory (answered by `info-read`) */
  | { readonly e: 'read-info'; readonly toolstack: ToolstackKind }
  /** keep the name `xl info` gave for the next start */
  | { readonly e: 'save-host-name'; readonly host: string }
  | { readonly e: 'read-domains'; readonly toolstack: ToolstackKind }
  /** whether /proc/drbd says DRBD is loaded, before the first full read (answered by `drbd-probed`) */
  | { readonly e: 'probe-drbd' }
  | { readonly e: 'watch'; readonly watcher: Exclude<WatcherName, 'renames'>; readonly gen: number }
  /** `xenstore-watch` on these domains' name nodes (core/rename-watch.ts) */
  | { readonly e: 'watch-renames'; readonly gen: number; readonly domids: readonly number[] }
  | { readonly e: 'unwatch'; readonly watcher: WatcherName; readonly gen: number }
  | { readonly e: 'poll-drbd'; readonly names: readonly string[] }
  /**
   * the re-check before a start: `xl list` (and DRBD when polling) read again; current: the
   * state's list already is what `xl list` says now (core/recheck.ts): no tool run
   */
  | { readonly e: 'recheck'; readonly name: string; readonly toolstack: ToolstackKind; readonly pollNames: readonly string[] | null; readonly current: boolean }
  /**
   * before the `xl create` of a DRBD-backed domU: `drbdadm primary` of each resource in promote,
   * in order, then `drbdadm status` of each in check (answered by `claimed`)
   */
  | { readonly e: 'claim'; readonly name: string; readonly configPath: string; readonly pid: number; readonly promote: readonly string[]; readonly check: readonly string[] }
  /** `drbdadm secondary` of resources a claim made Primary for a start that did not happen */
  | { readonly e: 'release'; readonly name: string; readonly resources: readonly string[] }
  /** claimed: what the claim before it made Primary (kept in the start record while xl create runs) */
  | { readonly e: 'create'; readonly name: string; readonly configPath: string; readonly toolstack: ToolstackKind; readonly claimed: readonly string[] }
  /** answer a control request; keepOpen: a granted hold keeps its connection until the client closes it */
  | { readonly e: 'reply'; readonly id: number; readonly response: ControlResponse; readonly keepOpen: boolean }
  | { readonly e: 'notify'; readonly ready: boolean; readonly status: string }
  | { readonly e: 'save-boot-record'; readonly names: readonly string[] }
  /** statfs and a test write of the state and runtime dirs (answered by `state-disks-read`); after: the write that failed, named in the reading */
  | { readonly e: 'read-state-disks'; readonly after: FailedWrite | null }
  /** toolstack: whose rules the auto dir's configs are read by; null when no toolstack answered yet */
  | { readonly e: 'read-coexistence'; readonly guarded: readonly GuardedEntry[]; readonly toolstack: ToolstackKind | null }
  /** URL: the index of the controller URL to dial (0: the primary, then the standbys) */
  | { readonly e: 'link-connect'; readonly gen: number; readonly url: number }
  /** does the primary controller answer? (answered by `link-primary-probed`) */
  | { readonly e: 'link-probe-primary'; readonly gen: number }
  | { readonly e: 'link-send'; readonly gen: number; readonly message: AgentMessage }
  | { readonly e: 'link-close'; readonly gen: number; readonly code: number; readonly reason: string }
  /** a controller's migrate, reverse, shutdown or start: run by this agent's own CLI */
  | { readonly e: 'run-command'; readonly command: ChildCommand }
  /** the maintenance flag written whole, atomically (answered by `maintenance-written`) */
  | { readonly e: 'write-maintenance'; readonly flag: Maintenance; readonly since: string }
  /** end the ledger's away record of NAME, if it still says currentHost (it runs here again) */
  | { readonly e: 'end-away'; readonly name: string; readonly currentHost: string; readonly host: string }
  /** end the ledger's visitor record of NAME, if it is still the one from HOME of operationId (its home took it back) */
  | { readonly e: 'end-visitor'; readonly name: string; readonly home: string; readonly operationId: string; readonly host: string }
  /**
   * fresh reads for `inspect`: xl list, and `drbdadm status` of NAME's resources when readDrbd
   * (resources null: read them from NAME's config in the config dir)
   */
  | { readonly e: 'inspect'; readonly commandId: string; readonly host: string; readonly name: string; readonly toolstack: ToolstackKind; readonly resources: readonly string[] | null; readonly readDrbd: boolean; readonly config: AgentConfig }
  /** name this Dom0 in running domUs' xenstore areas (each guest reads data/xenherd/dom0), all in one effect (core/xenstore-names.ts) */
  | { readonly e: 'xenstore-write'; readonly domus: readonly { readonly domid: number; readonly name: string; readonly values: Readonly<Record<string, string>> }[] }
  /** read back what running domUs' xenstore areas hold of this Dom0's naming, all in one effect, before the first write of an agent started anew (core/xenstore-names.ts) */
  | { readonly e: 'xenstore-read-names'; readonly domus: readonly { readonly domid: number; readonly name: string }[] }
  /** libxl's start_time of each domain, found from its /vm path, in one pass for them all (core/start-times.ts) */
  | { readonly e: 'read-start-times'; readonly domains: readonly { readonly domid: number; readonly name: string }[] }
  /** systemd's watchdog: the loop is alive */
  | { readonly e: 'watchdog' }
  /** nothing runs any more: the process may exit */
  | { readonly e: 'stopped' };

/** The controller commands that run in a child process of the agent's own CLI. */
export type ChildCommand = Extract<CommandMessage, { op: 'migrate' | 'reverse' | 'shutdown' | 'start' }>;

/** The effects a reducer step collects, in order. */
export type Fx = Effect[];

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

export const log = (level: LogLevel, msg: string, fields: Readonly<Record<string, unknown>> = {}): Effect => ({ e: 'log', level, fields, msg });
