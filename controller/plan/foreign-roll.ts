import type { Maintenance } from '../../shared/protocol/agent-link-values.js';
import { sameOwner } from '../../shared/owner-names.js';
import { isRollOperation } from '../../shared/roll-mark.js';
import { andList } from '../../shared/text/and-list.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { ROLL_RECORDS_NAME } from './roll-record.js';

/**
 * Why a roll of HOSTS by IDENTITY must not begin: another controller's roll was cut on some of
 * them (a flag it holds carries a roll's mark, shared/roll-mark.ts), and others are online with
 * no record here that they were rolled (ROLLEDHERE: this controller's own record, roll-record.ts).
 * That roll's record of the Dom0s it finished is in its controller's state dir alone, and an
 * online flag carries nothing of it: a standby taking over from a primary that died mid-roll
 * drained and rebooted again every Dom0 the primary had finished. It refuses instead, and says
 * what it can continue: the Dom0s that roll left marked (their flags say where each stands), and
 * the rest once their owner's record, or a person, names which are left. Null: nothing of
 * another controller's roll is in the way.
 */
export function foreignRollRefusal(hosts: readonly string[], flag: (h: string) => Maintenance, identity: string, rolledHere: (h: string) => boolean): string | null {
  const unique = [...new Set(hosts)];
  const held = unique.filter((h) => {
    const f = flag(h);
    return f.state !== 'online' && f.owner !== null && isRollOperation(f.operationId) && !sameOwner(f.owner, identity);
  });
  const unknown = unique.filter((h) => flag(h).state === 'online' && !rolledHere(h));
  if (held.length === 0 || unknown.length === 0) return null;
  const owners = [...new Set(held.flatMap((h) => flag(h).owner ?? []))];
  const where = held.map((h) => `${h} ${MAINTENANCE_WORDS[flag(h).state]} (operation ${flag(h).operationId ?? '?'})`);
  const them = unknown.length === 1 ? 'it' : 'them';
  return [
    `a roll of ${andList(owners)} was cut here, leaving ${andList(where)}`,
    `which of ${andList(unknown)} that roll had already rolled (drained, rebooted, restored, online again) is recorded only in that controller's state dir (${ROLL_RECORDS_NAME}), which this controller cannot read: nothing was changed, and none of ${them} is drained again`,
    `\`xenherdctl roll ${held.join(' ')}\` (same options) continues ${andList(held)} here from ${held.length === 1 ? 'its flag' : 'their flags'}; then roll those of ${andList(unknown)} that roll had not finished (the log of ${andList(owners)} names the ones it finished), or ask that controller the same roll again once it answers`,
  ].join('; ');
}
