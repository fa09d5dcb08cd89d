import { standInReadings, type StateDiskStandIn } from '../../../agent/adapters/state-disk-stand-in.js';
import type { LinkStateDisk, StateDirRole } from '../../../shared/protocol/state-disk.js';
import type { HostState, StateDiskFault } from './types.js';

/** Every simulated Dom0's filesystem under the agent's dirs: fixed, so a test's reading never depends on the machine's own disk. */
export const SIM_STATE_DISK = { totalBytes: 16 * 1024 ** 3, freeBytes: 8 * 1024 ** 3, lowBytes: 20 * 1024 ** 2 } as const;

/**
 * What statfs and the agent's test write answer on a Dom0's filesystem with FAULT (adapters/state-disk.ts
 * on a real Dom0): room to spare, little left (LOW_BYTES: root's writes still land), none left
 * (df's Avail 0, the test write ENOSPC), or a filesystem gone read-only (space left, EROFS).
 * An agent process on the simulator reads the same in its stand-in file (sim.ts `env`).
 */
export function simStandIn(fault: StateDiskFault | undefined): StateDiskStandIn {
  const freeBytes = fault === 'full' ? 0 : fault === 'low' ? SIM_STATE_DISK.lowBytes : SIM_STATE_DISK.freeBytes;
  return { freeBytes, totalBytes: SIM_STATE_DISK.totalBytes, writeErrno: fault === 'full' ? 'ENOSPC' : fault === 'read-only' ? 'EROFS' : null };
}

/** What an agent in the test's process on H reads of its state and runtime dirs. */
export const simStateDisks = (h: HostState | undefined, dirs: readonly { readonly role: StateDirRole; readonly dir: string }[], at: string): LinkStateDisk[] =>
standInReadings(dirs, simStandIn(h?.stateDisk), at);
