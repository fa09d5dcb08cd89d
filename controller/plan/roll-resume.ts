import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { OPERATION_ID_RE } from '../../shared/protocol/agent-link-values.js';

/**
 * Where a roll takes up one of its hosts, from facts that outlive the controller: the host's
 * maintenance flag (kept on the Dom0's disk) and the boot id its agent reports in its hello.
 *
 * The roll records one thing: when it sets a host in maintenance (empty, about to be rebooted) the
 * flag's operation id carries the boot id the host had then (`withBootMark`). So a roll asked again
 * after a Ctrl-C, a timeout or a controller restart knows, for each host it left:
 * - restoring: the roll sets restoring only once the host came back, so the reboot is done; the
 *   restore is continued (its operation id kept), never a new drain;
 * - maintenance, marked, and the agent now reports another boot id: rebooted since it was emptied;
 *   it is restored, not asked to reboot again;
 * - maintenance, marked, same boot id: empty and waiting for its reboot; asked again, no drain;
 * - anything else (online, draining, maintenance set by hand or by `drain`): drained as before,
 *   a draining flag's operation continued (drainClaim).
 * A host whose boot id is not known (no agent report) is never counted as rebooted.
 */
export type RollResume =
  | { readonly step: 'drain' }
  /** empty and in maintenance; BOOTID is the boot it must come back from */
  | { readonly step: 'reboot'; readonly bootId: string }
  /** rebooted within this roll: only its restore is left */
  | { readonly step: 'restore'; readonly why: 'restoring' | 'rebooted' };

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

/** Where a roll takes up a host whose flag is FLAG and whose agent reports BOOTID now (null: not known). */
export function rollResume(flag: Maintenance, bootId: string | null): RollResume {
  if (flag.state === 'restoring') return { step: 'restore', why: 'restoring' };
  if (flag.state !== 'maintenance') return { step: 'drain' };
  const marked = bootMarkOf(flag.operationId);
  if (marked === null) return { step: 'drain' };
  if (bootId !== null && bootId !== marked) return { step: 'restore', why: 'rebooted' };
  return { step: 'reboot', bootId: marked };
}
