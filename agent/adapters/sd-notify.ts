import type { ToolRunner } from './exec.js';

/**
 * sd_notify through the `systemd-notify` binary (part of systemd on every Dom0 that runs it): Node
 * has no unix datagram socket to write NOTIFY_SOCKET itself. Only when NOTIFY_SOCKET is set, i.e.
 * under a Type=notify unit; the unit sets NotifyAccess=all because the message comes from that
 * child, which names the agent's pid. Bounded like every tool call; never throws: a failure is
 * returned as a sentence for the log.
 */
export interface SdMessage {
  readonly ready?: boolean;
  readonly status?: string;
  /** WATCHDOG=1: the event loop is alive (WatchdogSec=) */
  readonly watchdog?: boolean;
}
export type SdNotify = (message: SdMessage) => Promise<string | null>;

const NOTIFY_TIMEOUT_MS = 5_000;

export function createSdNotify(env: Readonly<Record<string, string | undefined>>, run: ToolRunner, pid: number): SdNotify | null {
  if (!env['NOTIFY_SOCKET']) return null;
  return async (m) => {
    const args = [`--pid=${pid}`];
    if (m.ready) args.push('READY=1');
    if (m.status !== undefined) args.push(`STATUS=${m.status.replace(/\n/g, ' ')}`);
    if (m.watchdog) args.push('WATCHDOG=1');
    const r = await run('systemd-notify', args, { timeoutMs: NOTIFY_TIMEOUT_MS });
    return r.ok ? null : `systemd-notify failed: ${r.error.message}`;
  };
}

/** Half of WatchdogSec (systemd passes it as WATCHDOG_USEC), when it is for this process. */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usec = Number(env['WATCHDOG_USEC']);
  const forPid = env['WATCHDOG_PID'];
  if (!Number.isFinite(usec) || usec <= 0 || (forPid !== undefined && Number(forPid) !== pid)) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
