import type { ErrorCode } from '../../shared/errors.js';
import { blobType, hostsMatch, readKnownHosts, type KnownHostsEntry } from '../parse/known-hosts-lines.js';
import { knownHostsName } from '../parse/known-hosts-name.js';
import type { SshHostKeyOptions } from '../parse/ssh-g-host-keys.js';
import { judgeRevokedFile, type RevokedFileRead } from './revoked-host-keys.js';

/** One known_hosts file root's ssh reads, as read here: its text, absent (ssh skips it), or why not. */
export type KnownHostsRead =
  | { readonly file: string; readonly text: string }
  | { readonly file: string; readonly missing: true }
  | { readonly file: string; readonly problem: string };

/**
 * What decides whether `xl migrate`'s own ssh (root's, to `ssh -G PEER`'s route) takes the peer's
 * host key without asking: its host-key options, the files they name, and the keys the agent's
 * own known_hosts vouches for the peer with (its own connection to the peer's forced command is
 * refused on any other, so they are the keys that peer shows).
 */
export interface RootSshTrustFacts {
  readonly peer: string;
  /** `ssh -G PEER`'s hostname and port: where ssh connects */
  readonly hostname: string;
  readonly port: number;
  readonly options: SshHostKeyOptions;
  /** every file ssh reads, UserKnownHostsFile's first, then GlobalKnownHostsFile's */
  readonly files: readonly KnownHostsRead[];
  readonly vouched: readonly Buffer[];
  /** the agent's known_hosts file, as the words name it */
  readonly vouchedBy: string;
  /** RevokedHostKeys' file as read here, null when none is set */
  readonly revokedFile: RevokedFileRead | null;
  /**
   * under CheckHostIP, the address ssh connects to, whose own lines it checks too (at most one:
   * ssh checks no other address of the name); empty when it checks none (CheckHostIP no, a proxy,
   * a loopback address, or the hostname an address at port 22)
   */
  readonly addresses: readonly string[];
  /** why the known_hosts files ssh -G names cannot be told apart (a blank inside a path), refused first */
  readonly listInDoubt?: string;
}

export type TrustVerdict = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly code: ErrorCode; readonly detail: string };

interface Hit {
  readonly file: string;
  readonly entry: KnownHostsEntry;
}

const at = (h: Hit): string => `${h.file}:${h.entry.line}`;
const listOf = (hits: readonly Hit[]): string => hits.map(at).join(', ');
const sameKey = (h: Hit, keys: readonly Buffer[]): boolean => keys.some((k) => k.equals(h.entry.blob));

/** every line of every readable file naming one of NAMES, as ssh loads them (load_hostkeys) */
function hitsFor(files: readonly KnownHostsRead[], names: readonly string[]): Hit[] {
  return files.flatMap((f) => ('text' in f ? readKnownHosts(f.text).entries.filter((e) => hostsMatch(e.hosts, names)).map((entry) => ({ file: f.file, entry })) : []));
}

/** the lines naming one of NAMES that ssh skips as it reads them (a key that does not decode, an unknown marker), with why */
function skippedFor(files: readonly KnownHostsRead[], names: readonly string[]): string[] {
  return files.flatMap((f) => ('text' in f ? readKnownHosts(f.text).skipped.filter((x) => x.hosts !== null && hostsMatch(x.hosts, names)).map((x) => `${f.file}:${x.line} (${x.why})`) : []));
}

/**
 * The name ssh looks the key up under (sshconnect.c get_hostfile_hostname_ipaddr): HostKeyAlias
 * as it is, else the host (`ssh -G`'s `host` line) at port 22, `[host]:port` at another; and the
 * bare host it tries next at another port when no plain key is listed for `[host]:port`.
 */
export function lookupNames(f: Pick<RootSshTrustFacts, 'peer' | 'port' | 'options'>): { readonly first: string; readonly bare: string | null } {
  const alias = f.options.hostKeyAlias;
  if (alias !== null) return { first: alias, bare: null };
  const host = f.options.host ?? f.peer.toLowerCase();
  return { first: knownHostsName(host, f.port), bare: f.port === 22 ? null : host };
}

/**
 * The known_hosts part: whether root's ssh would take PEER's host key at `xl migrate` as OpenSSH's check_host_key
 * does: a plain key listed for the name and equal to one the agent vouches with passes; a listed
 * key of a type the agent vouches with but another key is a changed key, which ssh refuses unless
 * StrictHostKeyChecking is no; a key marked @revoked likewise. A name with no key passes only
 * under accept-new or no (ssh adds the key it is shown), or when a @cert-authority line or a
 * KnownHostsCommand may vouch (said, not checked here); under ask ssh would prompt, with no one
 * to answer during a migration, and under yes it refuses. Without a key vouched by the agent a
 * listed key passes unchecked, as before this check read root's files.
 */
const DEV_NULL = '/dev/null';

function knownHostsVerdict(f: RootSshTrustFacts): TrustVerdict {
  const { first, bare } = lookupNames(f);
  const strict = f.options.strict;
  const named = f.options.hostKeyAlias !== null ? `${first} (HostKeyAlias)` : first;
  const files = fileWords(f);
  const unread = f.files.flatMap((x) => ('problem' in x ? [`${x.file}: ${x.problem}`] : []));
  const unreadWords = unread.length > 0 ? `; not read here: ${unread.join('; ')}` : '';
  // /dev/null keeps nothing (`UserKnownHostsFile /dev/null`, common where hosts come and go): a
  // key is pinned in the first file ssh reads that can hold one, and a key ssh adds goes to the
  // first user file, so with /dev/null there it is taken anew at every connection
  const listedFiles = [...f.options.userFiles, ...f.options.globalFiles];
  const target = listedFiles.length === 0 ? '/root/.ssh/known_hosts' : listedFiles.find((file) => file !== DEV_NULL);
  const keepsNone = f.options.userFiles[0] === DEV_NULL;
  const scanned = knownHostsName(f.hostname.toLowerCase(), f.port);
  const scan = (into: string): string => `ssh-keyscan${f.port === 22 ? '' : ` -p ${f.port}`} ${f.hostname}${scanned === first ? '' : ` | sed 's/^[^ ]*/${first}/'`} >> ${into}`;
  const addFix =
    target === undefined
      ? `name a known_hosts file in root's ssh_config (UserKnownHostsFile or GlobalKnownHostsFile; every one it names is ${DEV_NULL}) and add ${f.peer}'s key there after checking its fingerprint (\`${scan('FILE')}\`)`
      : `add ${f.peer}'s key after checking its fingerprint (\`${scan(target)}\`; \`ssh-keygen -F '${first}' -f ${target}\` shows what is listed)`;
  const takes = keepsNone ? `ssh takes the key it is shown at every connection and keeps none (UserKnownHostsFile ${DEV_NULL})` : 'ssh adds the key it is shown at the first connection';
  const how = howLooked(f, named, files);
  // under yes ssh takes a DNSSEC-signed SSHFP record of the key before known_hosts: DNSSEC is not
  // looked up here, so a key listed nowhere passes said, as KnownHostsCommand's does, and a changed
  // one is still refused (the record could vouch for it, but a wrong pass costs a failed move)
  const dns = f.options.verifyHostKeyDns === 'yes';

  const firstHits = hitsFor(f.files, [first]);
  const bareHits = bare === null ? [] : hitsFor(f.files, [bare]);
  const revoked = [...firstHits, ...bareHits].filter((h) => h.entry.marker === 'revoked');
  const isRevoked = (k: Buffer): Hit | undefined => revoked.find((r) => r.entry.blob.equals(k));
  const plainFirst = firstHits.filter((h) => h.entry.marker === null);
  const plainBare = bareHits.filter((h) => h.entry.marker === null);
  const revokedVerdict = (r: Hit): TrustVerdict =>
    strict === 'no'
      ? { ok: true, detail: `${how}; the key ${f.peer} shows is marked @revoked at ${at(r)}, which ssh warns of and goes on past only under StrictHostKeyChecking no` }
      : { ok: false, code: 'XH_ERR_REFUSED', detail: `${how}, and the key ${f.peer} shows (${f.vouchedBy} lists it) is marked @revoked at ${at(r)}: ssh refuses it; if ${f.peer}'s key was replaced, list the new one in ${f.vouchedBy}${target === undefined ? '' : ` and ${target}`}` };

  // the key ssh finds equal under the first name, else (another port, nothing listed there) bare
  const found = (hits: readonly Hit[]): Hit | undefined => hits.find((h) => sameKey(h, f.vouched));
  const match = found(plainFirst) ?? (plainFirst.length === 0 ? found(plainBare) : undefined);
  if (match !== undefined) {
    const r = isRevoked(match.entry.blob);
    if (r !== undefined) return revokedVerdict(r);
    return { ok: true, detail: `${how}, and knows it (${at(match)})` };
  }
  const listed = plainFirst.length > 0 ? plainFirst : plainBare;
  if (f.vouched.length === 0 && listed.length > 0) return { ok: true, detail: `${how}, and lists a key for it (${listOf(listed)}); ${f.vouchedBy} lists none to compare it with` };
  if (plainFirst.length > 0) {
    const types = new Set(f.vouched.map(blobType));
    const clash = plainFirst.filter((h) => types.has(h.entry.keyType));
    if (clash.length === 0) {
      return { ok: true, detail: `${how}, and lists a key of another type than ${f.vouchedBy} does (${listOf(plainFirst)}: ${[...new Set(plainFirst.map((h) => h.entry.keyType))].join(', ')}): not compared` };
    }
    if (strict === 'no') return { ok: true, detail: `${how}; the key listed at ${listOf(clash)} is not the one ${f.peer} shows: ssh warns and goes on under StrictHostKeyChecking no` };
    return {
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: `${how}, and the key listed at ${listOf(clash)} is not the one ${f.peer} shows (${f.vouchedBy} lists another): ssh would refuse it as REMOTE HOST IDENTIFICATION HAS CHANGED${dns ? ' (unless a DNSSEC-signed SSHFP record vouches for the key it shows: VerifyHostKeyDNS yes, not looked up here)' : ''}; fix: if ${f.peer}'s key was replaced, ${[...new Set(clash.map((h) => h.file))].map((file) => `\`ssh-keygen -R '${first}' -f ${file}\``).join(', ')}, then ${addFix}`,
    };
  }
  const shownRevoked = f.vouched.map(isRevoked).find((r) => r !== undefined);
  if (shownRevoked !== undefined) return revokedVerdict(shownRevoked);
  const authorities = firstHits.filter((h) => h.entry.marker === 'cert-authority');
  if (authorities.length > 0) return { ok: true, detail: `${how}, and a @cert-authority line names it (${listOf(authorities)}): ssh takes a host certificate that authority signed (not checked here)` };
  if (f.options.knownHostsCommand !== null) return { ok: true, detail: `${how}, which list no key for it; KnownHostsCommand \`${f.options.knownHostsCommand}\` may (not run here)` };
  if (dns) return { ok: true, detail: `${how}, which list no key for it; under VerifyHostKeyDNS yes ssh takes it from a DNSSEC-signed SSHFP record of ${f.hostname} (not looked up here), and else ${strict === 'yes' || strict === 'ask' ? 'refuses it' : 'adds it'}` };
  const setAside = plainBare.length > 0 && bare !== null ? `; the bare ${bare} lines (${listOf(plainBare)}) list another key, which ssh does not take at port ${f.port}` : '';
  if (strict === 'accept-new' || strict === 'no') {
    return { ok: true, detail: `${how}, which list no key for it${setAside}: ${takes} (StrictHostKeyChecking ${strict}); to pin it, ${addFix}` };
  }
  const why = strict === 'yes' ? 'ssh refuses a host whose key it does not know (StrictHostKeyChecking yes)' : 'ssh would ask whether to trust the key (StrictHostKeyChecking ask), and during a migration no one answers: "Host key verification failed"';
  const skipped = skippedFor(f.files, bare === null ? [first] : [first, bare]);
  const skippedWords = skipped.length > 0 ? `; ssh skips ${skipped.join(', ')}: mend or remove ${skipped.length === 1 ? 'that line' : 'those lines'}` : '';
  return { ok: false, code: 'XH_ERR_FILE', detail: `${how}, which list no key for it${setAside}${unreadWords}${skippedWords}: ${why}; fix: ${addFix}` };
}


const fileWords = (f: RootSshTrustFacts): string => f.files.map((x) => x.file).join(', ') || 'none (UserKnownHostsFile and GlobalKnownHostsFile none)';

const howLooked = (f: RootSshTrustFacts, named: string, files: string): string => `root's ssh (xl migrate's) looks ${f.peer}'s host key up as ${named} in ${files}`;

/**
 * CheckHostIP: with the host's key known (or added), ssh also looks the address it connected to
 * up, `[address]:port` off port 22, and refuses a key of the same type listed there that is not
 * the one shown, unless StrictHostKeyChecking is no (sshconnect.c check_host_key: "the … host key
 * for '…' differs from the key for the IP address"; under ask it would prompt, and no one answers).
 */
function addressClash(f: RootSshTrustFacts): { address: string; hit: Hit } | null {
  if (!f.options.checkHostIp || f.vouched.length === 0) return null;
  const types = new Set(f.vouched.map(blobType));
  for (const address of f.addresses) {
    const hits = hitsFor(f.files, [knownHostsName(address, f.port)]).filter((h) => h.entry.marker === null);
    if (hits.some((h) => sameKey(h, f.vouched))) continue;
    const hit = hits.find((h) => types.has(h.entry.keyType));
    if (hit !== undefined) return { address, hit };
  }
  return null;
}

/**
 * Whether root's ssh would take PEER's host key at `xl migrate`, in the order OpenSSH checks:
 * RevokedHostKeys first (`revoked-host-keys.ts`), then the known_hosts files under the name it
 * looks up, then under CheckHostIP the address's own lines.
 */
export function judgeRootSshTrust(f: RootSshTrustFacts): TrustVerdict {
  if (f.listInDoubt !== undefined) return { ok: false, code: 'XH_ERR_FILE', detail: `root's ssh (xl migrate's) host-key files for ${f.peer}: ${f.listInDoubt}` };
  const revoked = judgeRevokedFile(f.revokedFile, f.peer, f.vouched);
  const files = fileWords(f);
  const { first } = lookupNames(f);
  const named = f.options.hostKeyAlias !== null ? `${first} (HostKeyAlias)` : first;
  if (revoked.revoked) return { ok: false, code: 'XH_ERR_REFUSED', detail: `${howLooked(f, named, files)}, but first ${revoked.detail}` };
  const v = knownHostsVerdict(f);
  if (!v.ok) return v;
  const clash = addressClash(f);
  if (clash === null) return { ok: true, detail: `${v.detail}${revoked.note}` };
  const where = `${clash.address}'s own line (${at(clash.hit)}, CheckHostIP yes) lists another ${clash.hit.entry.keyType} key than ${f.peer} shows`;
  if (f.options.strict === 'no') return { ok: true, detail: `${v.detail}; ${where}, which ssh warns of and goes on past under StrictHostKeyChecking no` };
  const file = f.options.userFiles[0] ?? clash.hit.file;
  return {
    ok: false,
    code: 'XH_ERR_REFUSED',
    detail: `${v.detail}; but ${where}: ssh refuses it ("differs from the key for the IP address"${f.options.strict === 'ask' ? ', asked with no one to answer' : ''}); fix: if ${f.peer}'s key was replaced, \`ssh-keygen -R '${knownHostsName(clash.address, f.port)}' -f ${clash.hit.file}\`${file === clash.hit.file ? '' : ` (ssh adds the new one to ${file})`}, or set CheckHostIP no for ${f.peer} in root's ssh_config`,
  };
}
