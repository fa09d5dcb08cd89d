import type { Clock } from '../../shared/clock/clock.js';
import type { SdNotify } from '../../shared/systemd/sd-notify.js';
import type { HeapGrowth } from '../heap-growth.js';

/** What the composition root (controller/main-full.ts) gives the commands: the process's side effects. */
export interface ControllerHooks {
  readonly clock: Clock;
  /** a fresh unique id (randomUUID) */
  readonly newId: () => string;
  /** this machine's host name (for certificates and default URLs) */
  readonly hostname: () => string;
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT' | 'SIGHUP', handler: () => void) => void;
  /** running as root: it works, but the controller is meant to run as its own unprivileged user */
  readonly isRoot: boolean;
  /** how the process set V8's old-space growth for serve (controller/heap-growth.ts); absent in process */
  readonly heapGrowth?: HeapGrowth;
  /** serve's clock keeps its own steady time (shared/clock/steady-clock.ts): FN hears of each step of the system clock */
  readonly onClockStep?: (fn: (differenceMs: number) => void) => void;
  /** sd_notify for serve under its Type=notify unit; absent or null when not run by systemd */
  readonly notify?: SdNotify | null;
}

export const DEFAULT_CONFIG_PATH = '/etc/xenherd/controller.json';
