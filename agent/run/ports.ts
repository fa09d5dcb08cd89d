import type { Clock } from '../../shared/clock/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ToolRunner } from '../adapters/exec.js';
import type { HostFiles } from '../adapters/host-files.js';
import type { SpawnStream } from '../adapters/line-stream.js';
import type { SdNotify } from '../adapters/sd-notify.js';
import type { StartIntent } from './start-intents.js';

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
  readonly notify: SdNotify | null;
}
