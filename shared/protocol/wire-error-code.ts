import * as z from 'zod';
import { isErrorCode, type ErrorCode } from '../errors.js';

/**
 * An error code as the other end of a link sends it. The catalog grows with releases, and the
 * controller is upgraded before its agents, but not always: a newer agent's `result` carrying a
 * code this build has never heard of must still be taken, or the command's outcome is lost and
 * the link closed over a word. So the wire takes any code of the catalog's form, and the reader
 * maps one it does not know with `knownCodeOf`.
 */
export const WireErrorCodeSchema = z.string().regex(/^XH_ERR_[A-Z0-9_]{1,48}$/, 'an XH_ERR_ error code');

/**
 * CODE as this build knows it. An unknown code becomes XH_ERR_INTERNAL, the code whose outcome
 * nobody can tell (the controller's jobs then ask both hosts where a domU is instead of guessing
 * from the word), and MESSAGE keeps the original code, so the operator sees what the agent said.
 */
export function knownCodeOf(code: string, message: string, max: number): { code: ErrorCode; message: string } {
  if (isErrorCode(code)) return { code, message };
  const note = ` (error code ${code}, which this build does not know: the sender is newer; upgrade this side to read it)`;
  return { code: 'XH_ERR_INTERNAL', message: `${message.slice(0, Math.max(0, max - note.length))}${note}` };
}
