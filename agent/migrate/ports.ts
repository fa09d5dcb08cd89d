import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import type { PeerLine } from '../../shared/protocol/peer.js';
import type { Result } from '../../shared/result.js';
import type { LedgerStore } from '../adapters/ledger-store.js';
import type { Toolstack } from '../adapters/toolstack.js';
import type { MigrationKind } from '../decide/migration-plan.js';
import type { HostView } from './homes.js';

/**
 * What running a migration plan needs from the world, passed in: a CLI process gets the real ones
 * (migrate/process-ports.ts: ssh2, the lock file, the control socket), a test the fleet simulator
 * and the other Dom0's forced command in the same process.
 */
export interface PeerAnswer {
  /** null when the command ended without an exit status (killed, connection lost) */
  readonly exitCode: number | null;
  readonly lines: readonly PeerLine[];
  /** the peer's stderr, for a person when something went wrong */
  readonly stderr: string;
}

export interface PeerPort {
  /** this Dom0's migration key and the peer's host key, as files here */
  keys(peer: string): Promise<{ readonly keyFile: string; readonly keyReadable: boolean; readonly knownHostsFile: string; readonly knownHost: boolean }>;
  /** does the peer's sshd accept a TCP connection (nothing sent)? */
  sshd(peer: string): Promise<{ readonly reachable: true } | { readonly reachable: false; readonly why: string }>;
  /** one request to the peer's forced command; every line it answers, parsed, as it arrives */
  ask(peer: string, command: string, onLine?: (line: PeerLine) => void): Promise<Result<PeerAnswer, XhError>>;
}

export interface HeldDomu {
  /** the running agent holds it too (false: no agent runs here, the lock file alone applies) */
  readonly viaDaemon: boolean;
  release(): void;
}

export interface MigrationPorts extends HostView {
  readonly clock: Clock;
  readonly toolstack: Toolstack;
  readonly store: LedgerStore;
  readonly peer: PeerPort;
  /** the domU's lock file and the running agent's hold, for the whole plan */
  hold(name: string, purpose: MigrationKind, operationId: string): Promise<Result<HeldDomu, XhError>>;
  /** after a ledger change: the running agent reads again at once (no agent is fine) */
  nudge(): Promise<void>;
  newOperationId(): string;
}
