import { dirname } from 'node:path';
import type { BootRecordLost } from '../state/snapshot.js';
import { asideName } from '../../shared/fs/set-aside.js';

/** What a lost boot record means for autostart, in the log and the decisions. */
export const NOTHING_ON_ITS_OWN = 'what autostart handled since boot (an operator\'s stops among them) is not known, so it starts no guarded domU on its own until the next boot';

/**
 * What an operator does about a lost record: the ways `autostart status` names too (agent/core/status.ts).
 * A reload reads the record again (readAgain), so a file mended or moved away ends the loss.
 */
export const lostFix = ({ file }: BootRecordLost): string =>
  `start each guarded domU that should run with \`xenherd-agent autostart start --force NAME --reason TEXT\` (${file} may still name the ones handled); ` +
  `one stopped on purpose: move its config out of the guarded dir of each Dom0 guarding it, then \`xenherd-agent autostart reload\` there; ` +
  `once ${file} is mended (a {"handled":[…]} record naming the domUs handled this boot) or moved out of ${dirname(file)}, \`xenherd-agent autostart reload\` reads it again: autostart then starts every guarded domU not running and not named there`;

/** A record that could not be read and could not be set aside either (an errno), left as it is. */
export const notSetAside = (file: string, failed: string): string => `it could not be set aside as ${asideName(file)} (${failed}), so it is left as it is, not written over`;
