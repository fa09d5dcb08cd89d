import { execFile } from 'node:child_process';
import { err, ok, type Result } from '../result.js';

/**
 * sd_notify through the `systemd-notify` binary (part of systemd on every machine that runs it):
 * Node has no unix datagram socket to write NOTIFY_SOCKET itself. Only when NOTIFY_SOCKET is set,
 * i.e. under a Type=notify unit. Shared by both daemons: the agent (root) and the controller
 * (DynamicUser, no capabilities).
 *
 * The message comes from a child process, so both units set NotifyAccess=all. `--pid=` names the
 * daemon: as root the kernel lets systemd-notify claim that pid, so systemd attributes the message
 * to a process that is still alive; unprivileged (the controller) sendmsg refuses the claim and
 * systemd-notify sends it as itself. Either way systemd-notify (systemd >= 246, Debian 12 has 252)
 * then waits on sd_notify_barrier() until PID 1 has processed the message, so the child is still
 * alive, and found in the unit's cgroup, when systemd reads it: the race of a notifier exiting
 * before PID 1 looks it up does not arise (test:package restarts the controller to prove it).
 * Bounded like every tool call; never throws: a failure is returned as a sentence for the log.
 */
export interface SdMessage {
  readonly ready?: boolean;
  readonly status?: string;
  /** WATCHDOG=1: the event loop is alive (WatchdogSec=) */
  readonly watchdog?: boolean;
}
export type SdNotify = (message: SdMessage) => Promise<string | null>;

/** How a notifier runs systemd-notify: the agent passes its bounded tool runner, the controller execRunner. */
export type NotifyRunner = (tool: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<Result<unknown, { readonly message: string }>>;

const NOTIFY_TIMEOUT_MS = 5_000;

export function createSdNotify(env: Readonly<Record<string, string | undefined>>, run: NotifyRunner, pid: number): SdNotify | null {
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

/**
 * A plain runner for a process with no tool runner of its own (the controller): execFile, killed
 * at the bound. systemd-notify starts nothing, so no process group needs ending.
 */
export const execRunner: NotifyRunner = (tool, args, options) =>
  new Promise((resolve) => {
    execFile(tool, [...args], { timeout: options.timeoutMs, encoding: 'utf8' }, (e, _stdout, stderr) => {
      if (e === null) resolve(ok(null));
      else resolve(err({ message: `${tool}: ${stderr.trim() || e.message}` }));
    });
  });

/** Half of WatchdogSec (systemd passes it as WATCHDOG_USEC), when it is for this process. */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usec = Number(env['WATCHDOG_USEC']);
  const forPid = env['WATCHDOG_PID'];
  if (!Number.isFinite(usec) || usec <= 0 || (forPid !== undefined && Number(forPid) !== pid)) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
