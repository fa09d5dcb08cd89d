import type { MigrationFaultPhase, SimState } from '../model/types.js';
import type { OpResult } from '../ops/result.js';

/** What a fake tool may do: read state, apply operations (serialized by the daemon), wait on the sim clock. */
export interface ToolCtx {
  readonly host: string;
  out(text: string): void;
  err(text: string): void;
  state(): SimState;
  /** apply a pure operation; on success the daemon commits the state and notifies watchers */
  apply(label: string, op: (s: SimState) => OpResult | SimState): OpResult;
  /** read a file under this host's root (a host path like /etc/xen/x.cfg); null if missing */
  readHostFile(path: string): string | null;
  /** the names in a directory under this host's root, sorted; null if it is none */
  listHostDir(path: string): readonly string[] | null;
  /** wait this much simulated time */
  sleep(ms: number): Promise<void>;
  /** called after every committed state change until the returned function is called */
  subscribe(onChange: (before: SimState, after: SimState) => void): () => void;
  /** resolves when the client goes away or the daemon stops */
  readonly closed: Promise<void>;
  /** an injected migration fault for this domain, consumed on read */
  takeMigrationFault(domain: string): MigrationFaultPhase | null;
  /** schedule DRBD connection attempts after a reconnect */
  scheduleConnect(res: string): void;
  /** a stable fake pid for transcripts */
  pid(): number;
}

export type ToolHandler = (ctx: ToolCtx, argv: readonly string[]) => Promise<number>;
