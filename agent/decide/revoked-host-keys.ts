import { keyOfType } from '../parse/known-hosts-lines.js';

/**
 * RevokedHostKeys as root's ssh applies it (sshconnect.c verify_host_key, before any known_hosts
 * file and whatever StrictHostKeyChecking says): the host key is refused when the file lists it,
 * and every key is refused when the file cannot be read or holds a line that is no key
 * (OpenSSH 9.2, tried: "Error checking host key … in revoked keys file …: No such file or
 * directory", "…: invalid format"). A KRL (the binary form `ssh-keygen -k` writes) is not read
 * here: the preflight refuses to judge it rather than guess. OpenSSH 9.2 opens the path exactly
 * as `ssh -G` prints it: it expands no `~`, `%` token or `${VAR}` in RevokedHostKeys (9.4 and
 * later expand them before -G prints the path, so the printed path is the one opened there too).
 */
export type RevokedFileRead =
  | { readonly file: string; readonly text: string }
  | { readonly file: string; readonly missing: true }
  | { readonly file: string; readonly problem: string }
  /** not an absolute path: ssh opens it from whatever directory it runs in, unknown here */
  | { readonly file: string; readonly relative: true };

/** what a KRL file starts with (krl.c KRL_MAGIC) */
const KRL_MAGIC = 'SSHKRL\n\0';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** what OpenSSH 9.2 leaves as written in the path, named: an operator may expect it expanded */
function unexpandedWords(file: string): string {
  const found = [...new Set([...(file.startsWith('~') ? ['~'] : []), ...(file.match(/%.|\$\{[^}]*\}/g) ?? [])])];
  return found.length === 0 ? '' : ` (OpenSSH 9.2 expands nothing in RevokedHostKeys and opens it as written: ${found.join(', ')} taken as ${found.length === 1 ? 'it stands' : 'they stand'}; 9.4 and later expand them)`;
}

export type RevokedVerdict = { readonly revoked: false; readonly note: string } | { readonly revoked: true; readonly detail: string };

/** sshkey_in_file: blank and # lines skipped, each other line a key as `TYPE BASE64 [comment]` */
function listedKeys(text: string): { keys: { line: number; blob: Buffer }[]; bad: number | null } {
  const keys: { line: number; blob: Buffer }[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const [type, b64] = line.split(/[ \t]+/);
    const blob = b64 !== undefined && BASE64.test(b64) && b64.length % 4 === 0 ? Buffer.from(b64, 'base64') : null;
    if (blob === null || type === undefined || !keyOfType(blob, type)) return { keys, bad: i + 1 };
    keys.push({ line: i + 1, blob });
  }
  return { keys, bad: null };
}

/**
 * Whether RevokedHostKeys makes root's ssh refuse the key PEER shows (one of SHOWN, the keys the
 * agent's own known_hosts vouches for it with); `revoked: false` carries what the verdict's
 * words add. No file set: nothing to say.
 */
export function judgeRevokedFile(r: RevokedFileRead | null, peer: string, shown: readonly Buffer[]): RevokedVerdict {
  if (r === null) return { revoked: false, note: '' };
  const fix = `mend RevokedHostKeys in root's ssh_config (an empty file revokes nothing)`;
  const literal = unexpandedWords(r.file);
  if ('relative' in r) return { revoked: true, detail: `RevokedHostKeys ${r.file} is not a whole path${literal}: ssh opens it from whatever directory it runs in, and refuses every host key where it finds no such file; ${fix}, giving the whole path` };
  if ('missing' in r) return { revoked: true, detail: `RevokedHostKeys ${r.file} does not exist${literal}, and ssh refuses every host key while it cannot read it ("Error checking host key … in revoked keys file"): create it or ${fix}` };
  if ('problem' in r) return { revoked: true, detail: `RevokedHostKeys ${r.file} cannot be read (${r.problem}), and ssh refuses every host key while it cannot: ${fix}` };
  if (r.text.startsWith(KRL_MAGIC)) {
    return { revoked: true, detail: `RevokedHostKeys ${r.file} is a KRL, which the preflight does not read, so whether it revokes ${peer}'s key is not judged here: \`ssh-keygen -Q -f ${r.file} KEY.pub\` with ${peer}'s /etc/ssh/ssh_host_*_key.pub tells; list revoked keys as a plain file of public keys to have them checked` };
  }
  const { keys, bad } = listedKeys(r.text);
  if (bad !== null) return { revoked: true, detail: `RevokedHostKeys ${r.file} line ${bad} is not a public key ("TYPE BASE64 [comment]"), and ssh refuses every host key then ("invalid format"): mend or remove that line` };
  const hit = keys.find((k) => shown.some((s) => s.equals(k.blob)));
  if (hit !== undefined) return { revoked: true, detail: `the key ${peer} shows is listed in RevokedHostKeys ${r.file} line ${hit.line}: ssh refuses it ("revoked by file"); if ${peer} was re-keyed, list its new key in the agent's known_hosts and root's` };
  return { revoked: false, note: shown.length === 0 ? `; RevokedHostKeys ${r.file} not compared (no key to compare)` : '' };
}
