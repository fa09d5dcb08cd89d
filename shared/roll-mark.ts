/**
 * What marks a maintenance flag's operation id as a roll's. A drain's flag and a roll group's
 * drain look alike to the agent (draining, an owner, an id); an operator told `xenherdctl drain
 * HOST continues it` of a roll's Dom0 would empty it and leave it in maintenance, never rebooted
 * nor restored, while the roll it was part of waited to be asked again. So a roll's drain claims
 * its flag with an id ending `.roll`; the maintenance flag it sets next keeps that id and adds
 * `.boot.BOOTID` (plan/roll-resume.ts), as does its restoring flag's new id, and that mark alone
 * is a roll's too, even where the id was cut to fit. The controller's `jobs` and `check`, and a
 * roll asked of another controller (plan/foreign-roll.ts), read it here; the agent keeps the id
 * as any other.
 */
const ROLL_MARK = '.roll';
const BOOT_MARK = '.boot.';
const MAX_OPERATION_ID = 100;

/** OPERATIONID marked as a roll's (cut to fit the flag's 100 characters). */
export const withRollMark = (operationId: string): string => `${operationId.slice(0, MAX_OPERATION_ID - ROLL_MARK.length)}${ROLL_MARK}`;

/** Whether OPERATIONID is a roll's: marked by its drain, or by the boot id it set maintenance or restoring with. */
export function isRollOperation(operationId: string | null): boolean {
  if (operationId === null) return false;
  return operationId.endsWith(ROLL_MARK) || operationId.includes(`${ROLL_MARK}.`) || operationId.lastIndexOf(BOOT_MARK) > 0;
}

/** What continues HOST's roll operation cut mid-way, in `jobs` and `check`. */
export const rollAgainWords = (host: string): string =>
  `the same roll asked again continues it (\`xenherdctl roll\` with that roll's Dom0s, ${host} among them; \`xenherdctl drain ${host}\` would only empty it, neither rebooting nor restoring it)`;
