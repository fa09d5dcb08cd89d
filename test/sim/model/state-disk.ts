import type { LinkStateDisk, StateDirRole } from '../../../shared/protocol/state-disk.js';
import type { HostState } from './types.js';

/** Every simulated Dom0's filesystem under the agent's dirs: fixed, so a test's reading never depends on the machine's own disk. */
export const SIM_STATE_DISK = { totalBytes: 16 * 1024 ** 3, freeBytes: 8 * 1024 ** 3, lowBytes: 20 * 1024 ** 2 } as const;

/**
 * What an agent on H reads of its state and runtime dirs (adapters/state-disk.ts on a real Dom0):
 * room to spare, little left (LOW_BYTES: root's writes still land), none left (df's Avail 0, its
 * test write ENOSPC), or a filesystem gone read-only (space left, its test write EROFS).
 */
export function simStateDisks(h: HostState | undefined, dirs: readonly { readonly role: StateDirRole; readonly dir: string }[], at: string): LinkStateDisk[] {
  const fault = h?.stateDisk;
  return dirs.map((d) => ({
    role: d.role,
    dir: d.dir,
    totalBytes: SIM_STATE_DISK.totalBytes,
    freeBytes: fault === 'full' ? 0 : fault === 'low' ? SIM_STATE_DISK.lowBytes : SIM_STATE_DISK.freeBytes,
    readAt: at,
    failure: fault === undefined || fault === 'low' ? null : { code: fault === 'full' ? 'ENOSPC' : 'EROFS', at, what: 'a test write' },
  }));
}
