import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import type { PeerLine } from '../../shared/protocol/peer.js';
import type { Result } from '../../shared/result.js';
import type { DrbdAdapter } from '../adapters/drbd.js';
import type { LedgerStore } from '../adapters/ledger-store.js';
import type { Toolstack } from '../adapters/toolstack.js';
import type { AdapterFailure } from '../adapters/tool-failure.js';
import type { RouteAddresses, ToolHostKey } from '../decide/toolstack-route.js';
import type { SshRoute } from '../parse/ssh-g.js';
import type { SshHostKeyOptions } from '../parse/ssh-g-host-keys.js';
import type { RootSshTrustFacts } from '../decide/root-ssh-trust.js';
import type { MigrationKind } from '../decide/migration-plan.js';
import type { KeyFacts } from '../decide/preflight.js';
import type { HostView } from '../host/homes.js';

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
  /** set when the answer's last line was cut mid-write: that, in words (the lines before it stand) */
  readonly cut?: string;
  /** set when the connection dropped before the command ended: that, in words (it may have run on there) */
  readonly dropped?: string;
}

export interface PeerPort {
  /** this Dom0's migration key and the peer's host key, as files here */
  keys(peer: string): Promise<KeyFacts>;
  /** does the peer's sshd accept a TCP connection (nothing sent)? */
  sshd(peer: string): Promise<{ readonly reachable: true } | { readonly reachable: false; readonly why: string }>;
  /** one request to the peer's forced command; every line it answers, parsed, as it arrives */
  ask(peer: string, command: string, onLine?: (line: PeerLine) => void): Promise<Result<PeerAnswer, XhError>>;
}

/** Where a name leads from here, read without connecting (the toolstack-route check). */
export interface RoutePort {
  /** `ssh -G NAME`: the hostname and port root's ssh (and so xl migrate) would use */
  ssh(name: string): Promise<Result<SshRoute, AdapterFailure>>;
  /** every address of a name by the system resolver */
  resolve(name: string): Promise<RouteAddresses>;
  /** the host key the sshd at HOST:PORT shows, and whether known_hosts lists it for PEER (a key exchange, nothing authenticated) */
  hostKey(peer: string, host: string, port: number): Promise<ToolHostKey>;
  /**
   * the known_hosts files root's ssh reads for PEER (ROUTE's host-key options name them) and the
   * keys the agent's own known_hosts vouches for it with; a port without it (the simulator's) has
   * no root ssh whose files to read
   */
  trust?(peer: string, route: SshRoute & { readonly hostKeys: SshHostKeyOptions }): Promise<RootSshTrustFacts>;
}

export interface HeldDomu {
  /** the running agent holds it too (false: no agent runs here, the lock file alone applies) */
  readonly viaDaemon: boolean;
  /**
   * Asked right before a step that cannot be undone: null when the running agent holds the domU
   * (taken again after a restart, waited for a bounded time: migrate/kept-hold.ts), or when no
   * agent ran at the start; else why the step must not start.
   */
  stillHeld(progress: (line: string) => void): Promise<XhError | null>;
  release(): void;
}

/** What holds a domU: a migration plan of this kind, or one half of a cold move. */
export type HoldPurpose = MigrationKind | 'move-stop' | 'move-start';

/** The daemon's holds know the migration kinds only: a cold move's halves hold as a migration, their `by` names them. */
export const controlPurpose = (p: HoldPurpose): MigrationKind => (p === 'move-stop' || p === 'move-start' ? 'migrate' : p);

export interface MigrationPorts extends HostView {
  readonly clock: Clock;
  readonly toolstack: Toolstack;
  /** `drbdadm` here: a cold move reads roles and demotes (never called where DRBD is not loaded) */
  readonly drbd: DrbdAdapter;
  readonly store: LedgerStore;
  readonly peer: PeerPort;
  readonly route: RoutePort;
  /** the domU's lock file and the running agent's hold, for the whole plan */
  hold(name: string, purpose: HoldPurpose, operationId: string): Promise<Result<HeldDomu, XhError>>;
  /** after a ledger change: the running agent reads again at once, WHY in its journal (no agent is fine) */
  nudge(why: string): Promise<void>;
  newOperationId(): string;
}
