import type { ErrorCode } from '../../shared/errors.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import type { Hold } from '../../shared/protocol/agent-control.js';
import type { ToolstackKind } from '../adapters/toolstack-detect.js';
import type { AgentConfig } from '../config/schema.js';
import type { AutostartDecision } from '../decide/autostart.js';
import type { DrbdState } from '../state/drbd-reducer.js';
import { emptyDrbdState } from '../state/drbd-reducer.js';
import type { Ledger } from '../state/ledger.js';
import type { DrbdAvailabilityWord, GuardedEntry } from '../state/snapshot.js';
import { initialWatcher, type WatcherState } from './watcher.js';

/**
 * Everything the agent's event loop knows, as plain data. Only the reducer (core/reduce.ts)
 * makes a new one; the loop keeps the latest. Times are milliseconds from the injected clock.
 */
export interface DomuRecord {
  readonly decision: AutostartDecision | null;
  /** when the decision's kind or reason last changed */
  readonly since: number;
  /** starts in a row that did not keep the domU running */
  readonly attempts: number;
  readonly lastStart: { readonly at: number; readonly ok: boolean; readonly message: string; readonly forced: boolean } | null;
  readonly retryAt: number | null;
}

export interface Forced {
  readonly reason: string;
  readonly operator: string | null;
}

/** One `xl create` the agent wants, from its queue to its outcome. */
export interface StartJob {
  readonly name: string;
  readonly configPath: string;
  readonly forced: Forced | null;
  readonly phase: 'queued' | 'rechecking' | 'creating';
  /** a control request waiting for this start's outcome (`autostart start --force`) */
  readonly replyTo: number | null;
}

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
}

export interface AgentState {
  readonly config: AgentConfig;
  readonly host: string;
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
  readonly maintenance: boolean;
  readonly ledger: Ledger | null;
  readonly ledgerProblem: string | null;
  readonly drbd: DrbdFacts;
  readonly domainWatcher: WatcherState;
  readonly handledThisBoot: ReadonlySet<string>;
  readonly records: ReadonlyMap<string, DomuRecord>;
  readonly holds: readonly HeldDomu[];
  readonly jobs: readonly StartJob[];
  readonly warnings: readonly string[];
  readonly fullRead: ReadState;
  readonly listRead: ReadState;
  readonly waitingReplies: readonly WaitingReply[];
  readonly lastFullRead: number | null;
  /** named timers armed now (the loop arms them on the clock; a `timer` event clears the name) */
  readonly timers: ReadonlySet<string>;
  /** facts changed since the last decisions: decide when the event queue is empty */
  readonly dirty: boolean;
  readonly lastMismatches: string;
  readonly lastStatusLine: string;
  /** state of the pseudo-random sequence for jitter (a seed replays a run exactly) */
  readonly rng: number;
}

export const idleRead: ReadState = { running: false, again: false, done: 0 };

export interface InitialFacts {
  readonly config: AgentConfig;
  /** the host name until the toolstack tells it (`xl info`) */
  readonly host: string;
  readonly pid: number;
  readonly now: number;
  readonly seed: number;
  /** guarded domUs handled since this Dom0 booted, as an earlier agent recorded them */
  readonly handledThisBoot: ReadonlySet<string>;
}

export function initialState({ config, host, pid, now, seed, handledThisBoot }: InitialFacts): AgentState {
  return {
    config,
    host,
    pid,
    startedAt: now,
    phase: 'starting',
    enabled: config.autostart.enabled,
    toolstack: null,
    domains: null,
    guarded: [],
    maintenance: false,
    ledger: null,
    ledgerProblem: null,
    drbd: { availability: 'unknown', version: null, events: emptyDrbdState, polled: new Map(), watcher: initialWatcher(config.events.drbd === 'poll', 'events.drbd is "poll" in the config') },
    domainWatcher: initialWatcher(config.events.domains === 'poll', 'events.domains is "poll" in the config'),
    handledThisBoot,
    records: new Map(),
    holds: [],
    jobs: [],
    warnings: [],
    fullRead: idleRead,
    listRead: idleRead,
    waitingReplies: [],
    lastFullRead: null,
    timers: new Set(),
    dirty: false,
    lastMismatches: '',
    lastStatusLine: '',
    rng: seed >>> 0,
  };
}

/** A reply's failure part: a catalog code and a sentence. */
export interface ReplyError {
  readonly code: ErrorCode;
  readonly message: string;
}
