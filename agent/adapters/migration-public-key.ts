// ssh2 is CommonJS: Node's ESM loader (dev tools run the sources as ESM) finds no named exports in it
import ssh2 from 'ssh2';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

const { utils } = ssh2;

/** A migration key's public half as an authorized_keys line ends: "ssh-ed25519 BASE64 COMMENT". */
export interface MigrationPublicKey {
  readonly line: string;
  /** the key material alone ("ssh-ed25519 BASE64"), what two lines for one key share */
  readonly material: string;
}

/**
 * The public half of the private key in KEY_FILE (its text: PRIVATE_TEXT), read by ssh2, the
 * library that signs with it on every migration. The .pub beside it is not trusted for this: a
 * key replaced without its .pub would put a public key on the peer that no migration can use,
 * and the refusal that follows ("authorize the key: keys setup") would print the same wrong line
 * again.
 */
export function migrationPublicKey(keyFile: string, privateText: string): Result<MigrationPublicKey, XhError> {
  const parsed = utils.parseKey(privateText);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || key instanceof Error) {
    const why = key instanceof Error ? key.message : 'no key in it';
    const fix = /encrypted|passphrase/i.test(why)
      ? 'the agent migrates unattended, so its key has no passphrase: remove it with `ssh-keygen -p -N "" -f ' + keyFile + '`, or remove the key and its .pub to create one'
      : `remove ${keyFile} and its .pub to create one`;
    return err({ code: 'XH_ERR_REFUSED', message: `${keyFile} is not a private key ssh can use (${why}): ${fix}` });
  }
  if (key.type !== 'ssh-ed25519') return err({ code: 'XH_ERR_REFUSED', message: `${keyFile} is a ${key.type} key, not ed25519: remove ${keyFile} and its .pub to create one` });
  const material = `${key.type} ${key.getPublicSSH().toString('base64')}`;
  const comment = key.comment.trim();
  return ok({ material, line: comment === '' ? material : `${material} ${comment}` });
}

/** Whether the text of a .pub file holds the same key as MATERIAL (its comment aside). */
export const pubFileMatches = (pubText: string, material: string): boolean => pubText.trim().split(/\s+/).slice(0, 2).join(' ') === material;
