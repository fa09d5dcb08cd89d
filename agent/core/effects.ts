import type { ControlResponse } from '../../shared/protocol/agent-control.js';
import type { ToolstackKind } from '../adapters/toolstack-detect.js';
import type { AgentConfig } from '../config/schema.js';
import type { GuardedEntry } from '../state/snapshot.js';
import type { WatcherName } from './events.js';

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
   * pollDrbd: also read `drbdadm status` of the guarded resources (the agent polls DRBD);
   * recheckDrbdTools: the DRBD tools were missing: ask `drbdadm --version` again
   */
  | { readonly e: 'read-full'; readonly config: AgentConfig; readonly host: string; readonly toolstack: ToolstackKind | null; readonly pollDrbd: boolean; readonly recheckDrbdTools: boolean }
  | { readonly e: 'read-domains'; readonly toolstack: ToolstackKind }
  | { readonly e: 'watch'; readonly watcher: WatcherName; readonly gen: number }
  | { readonly e: 'unwatch'; readonly watcher: WatcherName; readonly gen: number }
  | { readonly e: 'poll-drbd'; readonly names: readonly string[] }
  | { readonly e: 'recheck'; readonly name: string; readonly toolstack: ToolstackKind; readonly pollNames: readonly string[] | null }
  | { readonly e: 'create'; readonly name: string; readonly configPath: string; readonly toolstack: ToolstackKind }
  /** answer a control request; keepOpen: a granted hold keeps its connection until the client closes it */
  | { readonly e: 'reply'; readonly id: number; readonly response: ControlResponse; readonly keepOpen: boolean }
  | { readonly e: 'notify'; readonly ready: boolean; readonly status: string }
  | { readonly e: 'save-boot-record'; readonly names: readonly string[] }
  | { readonly e: 'read-coexistence'; readonly guarded: readonly GuardedEntry[] }
  /** nothing runs any more: the process may exit */
  | { readonly e: 'stopped' };

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

export const log = (level: LogLevel, msg: string, fields: Readonly<Record<string, unknown>> = {}): Effect => ({ e: 'log', level, fields, msg });
