import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ToolRunner } from '../adapters/exec.js';
import type { HostFiles } from '../host/files.js';
import type { SpawnStream } from '../adapters/line-stream.js';
import type { SdNotify } from '../../shared/systemd/sd-notify.js';
import type { Link } from '../../shared/link/link.js';
import type { ChildCommand } from '../core/effects.js';
import type { Result } from '../../shared/result.js';
import type { CommandOutcome } from '../../shared/protocol/ctl-api.js';
import type { StartIntent } from './start-intents.js';
import type { LinkStateDisk } from '../../shared/protocol/state-disk.js';

/**
 * Everything the agent's effect runner reaches outside its own memory, passed in by the
 * composition root (real tools, files and clock) or by a test harness (the fleet simulator in
 * the same process, its deterministic clock). Nothing below run/ imports a side effect directly.
 */
export interface StartIntentStore {
  write(intent: StartIntent): void;
  remove(name: string): void;
  readAll(): StartIntent[];
  /** is the `xl create` this intent recorded still running? */
  stillRunning(intent: StartIntent): boolean;
}

export interface AgentPorts {
  readonly clock: Clock;
  readonly log: Logger;
  readonly run: ToolRunner;
  readonly spawn: SpawnStream;
  /** this host's files (under XENHERD_HOST_ROOT in the simulator) */
  readonly files: HostFiles;
  /** real paths of the state dir and the runtime dir (the control socket's dir) */
  readonly stateDirReal: string;
  readonly intents: StartIntentStore;
  readonly saveBootRecord: (names: readonly string[]) => void;
  /** the free space under the state and runtime dirs, and a test write there (adapters/state-disk.ts), at AT (ISO) */
  readonly readStateDisks: (at: string) => Promise<readonly LinkStateDisk[]>;
  /** keeps the name `xl info` gave this host for the next start (host-name-record.ts) */
  readonly saveHostName: (host: string) => void;
  readonly notify: SdNotify | null;
  /** opens the link to the controller at URL index URL (0: `url`, then `standbyUrls`); null: no controller configured */
  readonly connectController: ((url: number) => Promise<Result<Link, { readonly kind: string; readonly message: string; readonly retryAfterMs?: number }>>) | null;
  /** whether the primary controller (`url`) answers: a link opened and closed at once; absent: never asked */
  readonly probePrimary?: () => Promise<boolean>;
  /** runs a controller's migrate, reverse, shutdown or start with the agent's own CLI code (a child process, or in a test's process) */
  readonly runCommand: (command: ChildCommand, progress: (line: string) => void) => Promise<CommandOutcome>;
}
