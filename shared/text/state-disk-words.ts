import type { NoRoomErrno, StateDirRole } from '../protocol/state-disk.js';

/**
 * What an agent cannot keep when the filesystem under one of its directories refuses writes, in the
 * words `check`, `status` and `hosts` use, so an operator paged for it knows what is at stake.
 */
export const cannotRecordWords = (role: StateDirRole): string =>
  role === 'state'
    ? 'its migration ledger cannot record migrations or the homes of domUs (a migrate or reverse there fails), nor its maintenance flag change'
    : 'autostart cannot record the domUs it handled this boot (an agent restarted this boot no longer knows them) and migrations there cannot take their lock';

/** "no space left", as the errno says it. */
export const noRoomWords = (code: NoRoomErrno): string =>
  code === 'EROFS' ? 'the filesystem is read-only' : code === 'EDQUOT' ? 'the disk quota is exceeded' : 'no space left on the device';

/** How to mend it on HOST: the fix names the command that shows it. */
export function noRoomFix(code: NoRoomErrno | null, host: string, dir: string): string {
  if (code === 'EROFS') return `on ${host}, find why the filesystem holding ${dir} went read-only (dmesg) and remount it read-write (findmnt -T ${dir})`;
  if (code === 'EDQUOT') return `on ${host}, raise the quota or free space on the filesystem holding ${dir} (quota; df -h ${dir})`;
  return `on ${host}, free space on the filesystem holding ${dir} (df -h ${dir}; du -xsh ${dir})`;
}
