import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { OPERATION_ID_RE } from '../../shared/protocol/agent-link-values.js';

/**
 * Where a roll takes up one of its hosts, from facts that outlive the controller: the host's
 * maintenance flag (kept on the Dom0's disk), the boot id its agent reports in its hello, and the
 * roll's own record of the hosts it finished (roll-record.ts, in the controller's state dir).
 *
 * The roll marks the flags it sets (`withBootMark`): maintenance carries the boot id the host had
 * when emptied, restoring the boot id it came back with. So a roll asked again after a Ctrl-C, a
 * timeout or a controller restart knows, for each host it left:
 * - restoring, marked: the roll sets restoring only once the host came back, so the reboot is
 *   done; the restore is continued (its operation id kept), never a new drain;
 * - restoring without a mark (an operator's own `restore`, or a roll from before the mark): no
 *   reboot of this roll is known; drained and rebooted as usual;
 * - maintenance, marked, and the agent now reports another boot id: rebooted since it was emptied;
 *   it is restored, not asked to reboot again;
 * - maintenance, marked, same boot id: empty and waiting for its reboot; asked again, no drain;
 * - online, and the roll's record says it finished this host on the boot it still runs: done,
 *   skipped; rebooted since (the record's boot id gone), it is rolled again;
 * - anything else (online, draining, maintenance set by hand or by `drain`): drained as before,
 *   a draining flag's operation continued (drainClaim).
 * A host whose boot id is not known (no agent report) is never counted as rebooted nor as done.
 */
export type RollResume =
  | { readonly step: 'drain' }
  /** empty and in maintenance; BOOTID is the boot it must come back from */
  | { readonly step: 'reboot'; readonly bootId: string }
  /** rebooted within this roll: only its restore is left */
  | { readonly step: 'restore'; readonly why: 'restoring' | 'rebooted' }
  /** finished by this roll before it stopped, and still on the boot it came back with */
  | { readonly step: 'done'; readonly bootId: string };

const MARK = '.boot.';
const BOOT_ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const MAX_OPERATION_ID = 100;

/** OPERATION with BOOTID carried in it (cut to fit the flag's 100 characters); OPERATION alone when the boot id is not one. */
export function withBootMark(operationId: string, bootId: string | null): string {
  if (bootId === null || !BOOT_ID_RE.test(bootId)) return operationId;
  const base = operationId.slice(0, MAX_OPERATION_ID - MARK.length - bootId.length);
  const marked = `${base}${MARK}${bootId}`;
  return OPERATION_ID_RE.test(marked) ? marked : operationId;
}

/** The boot id a roll marked OPERATION with, or null when it carries none. */
export function bootMarkOf(operationId: string | null): string | null {
  if (operationId === null) return null;
  const at = operationId.lastIndexOf(MARK);
  if (at <= 0) return null;
  const boot = operationId.slice(at + MARK.length);
  return BOOT_ID_RE.test(boot) ? boot : null;
}

/**
 * Where a roll takes up a host whose flag is FLAG and whose agent reports BOOTID now (null: not
 * known); FINISHED: the boot id the roll's record says it finished the host on (null: none).
 */
export function rollResume(flag: Maintenance, bootId: string | null, finished: string | null = null): RollResume {
  if (flag.state === 'online') return finished !== null && bootId === finished ? { step: 'done', bootId } : { step: 'drain' };
  if (flag.state === 'restoring') return bootMarkOf(flag.operationId) === null ? { step: 'drain' } : { step: 'restore', why: 'restoring' };
  if (flag.state !== 'maintenance') return { step: 'drain' };
  const marked = bootMarkOf(flag.operationId);
  if (marked === null) return { step: 'drain' };
  if (bootId !== null && bootId !== marked) return { step: 'restore', why: 'rebooted' };
  return { step: 'reboot', bootId: marked };
}

/** What a roll asked now does with a host, in the roll plan's words (`xenherdctl plan roll`). */
export type RollStep = 'drain' | 'reboot' | 'restore' | 'done';

/** Each of HOSTS (once each, in order) with what a roll asked now does with it: FLAG and BOOT as the controller sees them, MARKS the roll's record (roll-record.ts). */
export function rollResumes(hosts: readonly string[], flag: (h: string) => Maintenance, boot: (h: string) => string | null, marks: ReadonlyMap<string, string>): Array<{ host: string; step: RollStep; resume: RollResume }> {
  return [...new Set(hosts)].map((host) => {
    const resume = rollResume(flag(host), boot(host), marks.get(host) ?? null);
    return { host, step: resume.step, resume };
  });
}
