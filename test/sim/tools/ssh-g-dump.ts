import { createHash } from 'node:crypto';
import { SSH_G_9_2_LINES } from '../render/ssh-g-template.js';

/**
 * `ssh -G HOST`'s dump as OpenSSH 9.2 prints it for root, from the options root's ssh_config files
 * set (`ssh-config.ts`): the real dump captured with every host-key option and a ProxyJump set
 * (`render/ssh-g-template.ts`) is the template, each line in its place, and
 * the lines the agent reads are made from the options: the route (host, user, hostname, port,
 * ProxyJump or ProxyCommand) and how ssh checks the host key (CheckHostIP, StrictHostKeyChecking,
 * VerifyHostKeyDNS, UpdateHostKeys, HostKeyAlias, RevokedHostKeys, KnownHostsCommand and the
 * known_hosts files). The rest are the template's defaults whatever the files say.
 */

/** STDERR: what the simulated ssh prints as it fails, exit 255 */
export type Dump = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly stderr: string };

class Unmodelled extends Error {}

/** ssh gave up as OpenSSH 9.2 does (fatal), with its stderr lines as it prints them, CR LF ended */
class SshFatal extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('; '));
  }
}

/** each keyword's words as readconf.c takes them, and as dump_client_config prints each */
const STRICT: Readonly<Record<string, string>> = { yes: 'true', true: 'true', no: 'false', false: 'false', off: 'false', ask: 'ask', 'accept-new': 'accept-new' };
const YES_NO_ASK: Readonly<Record<string, string>> = { yes: 'true', true: 'true', no: 'false', false: 'false', ask: 'ask' };
const FLAG: Readonly<Record<string, string>> = { yes: 'yes', true: 'yes', no: 'no', false: 'no' };

function word(opts: ReadonlyMap<string, string>, key: string, words: Readonly<Record<string, string>>, fallback: string): string {
  const v = opts.get(key);
  if (v === undefined) return fallback;
  const w = words[v.toLowerCase()];
  if (w === undefined) throw new Unmodelled(`${key} ${v}`);
  return w;
}

/** readconf.c's argv_split: words split at blanks, "double quotes" and a backslash keeping one together */
export function configWords(value: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && i + 1 < value.length) cur = (cur ?? '') + (value[++i] ?? '');
    else if (c === '"') (quoted = !quoted), (cur = cur ?? '');
    else if (!quoted && /\s/.test(c)) {
      if (cur !== null) out.push(cur);
      cur = null;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) out.push(cur);
  return out;
}

interface Names {
  /** this Dom0's own name, as gethostname gives it (ssh's %l; %L is it up to its first dot) */
  readonly thishost: string;
  /** the name as given on the command line */
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly user: string;
  readonly alias: string | undefined;
}

/**
 * RevokedHostKeys as OpenSSH 9.2 prints it: its one word, quotes gone, nothing expanded; `none`
 * unsets it and -G then prints no line.
 */
function revokedLine(value: string | undefined): string | null {
  const path = value === undefined ? undefined : configWords(value)[0];
  return path === undefined || path.toLowerCase() === 'none' ? null : `revokedhostkeys ${path}`;
}

/**
 * UserKnownHostsFile as ssh expands it before -G prints it (ssh.c: tilde_expand_filename, then
 * default_client_percent_dollar_expand), for root: `~`, then every token of OpenSSH 9.2's client
 * set (sshconnect.h DEFAULT_CLIENT_PERCENT_EXPAND_ARGS): %C the connection hash (sshconnect.c
 * ssh_connection_hash: SHA-1 in hex of this host's name, the hostname, the port and the user), %L
 * and %l this host's name short and whole, and %d %h %i %k %n %p %r %u. Another token (%j and %T
 * are 9.4's) or a `%` ending the path stops ssh as misc.c vdollar_percent_expand does; `${VAR}`
 * reads ssh's environment, which the simulator does not model.
 */
function userFile(path: string, n: Names): string {
  if (path.startsWith('~') && !/^~(root)?(\/|$)/.test(path)) throw new Unmodelled(`UserKnownHostsFile ${path} (another user's home)`);
  if (path.includes('${')) throw new Unmodelled(`UserKnownHostsFile ${path} (\${VAR} is read from the environment ssh runs in)`);
  const home = path.replace(/^~(root)?(?=\/|$)/, '/root');
  const hash = createHash('sha1').update(`${n.thishost}${n.hostname}${n.port}${n.user}`).digest('hex');
  const short = n.thishost.split('.')[0] ?? n.thishost;
  const tokens: Readonly<Record<string, string>> = { '%': '%', C: hash, L: short, l: n.thishost, h: n.hostname, p: n.port, r: n.user, u: 'root', d: '/root', i: '0', k: n.alias ?? n.host, n: n.host };
  return home.replace(/%(.?)/gs, (_m: string, t: string) => {
    const v = tokens[t];
    if (v !== undefined) return v;
    throw new SshFatal([t === '' ? 'vdollar_percent_expand: invalid format' : `vdollar_percent_expand: unknown key %${t}`, 'percent_dollar_expand: failed']);
  });
}

/**
 * ProxyJump and ProxyCommand exclude each other, the first one set winning: a ProxyCommand (even
 * `none`) shuts out a later ProxyJump, a ProxyJump a later ProxyCommand, but `ProxyJump none`
 * does not (OpenSSH 9.2, tried). `none` unsets. The one left is printed in the ProxyJump's place
 * near the end of the dump, nothing when neither is (test/fixtures/ssh/ has both as captured).
 */
function proxyLine(opts: ReadonlyMap<string, string>): string | null {
  const set = (v: string | undefined): v is string => v !== undefined && v.toLowerCase() !== 'none';
  const jump = opts.get('proxyjump');
  const command = opts.get('proxycommand');
  const jumpFirst = [...opts.keys()].find((k) => k === 'proxyjump' || k === 'proxycommand') === 'proxyjump';
  if (jumpFirst && set(jump)) return `proxyjump ${jump}`;
  return set(command) ? `proxycommand ${command}` : null;
}

/** THISHOST: the simulated Dom0's own name, which ssh's %l, %L and %C read */
export function sshGDump(host: string, opts: ReadonlyMap<string, string>, thishost: string): Dump {
  try {
    const hostname = (opts.get('hostname') ?? '%h').replace(/%(%|h)/g, (_m: string, c: string) => (c === 'h' ? host : '%')).toLowerCase();
    const n: Names = { thishost, host, hostname, port: opts.get('port') ?? '22', user: opts.get('user') ?? 'root', alias: opts.get('hostkeyalias') };
    const users = opts.get('userknownhostsfile');
    const dns = word(opts, 'verifyhostkeydns', YES_NO_ASK, 'false');
    const lines: Readonly<Record<string, () => string | null>> = {
      host: () => `host ${host}`,
      user: () => `user ${n.user}`,
      hostname: () => `hostname ${hostname}`,
      port: () => `port ${n.port}`,
      checkhostip: () => `checkhostip ${word(opts, 'checkhostip', FLAG, 'no')}`,
      stricthostkeychecking: () => `stricthostkeychecking ${word(opts, 'stricthostkeychecking', STRICT, 'ask')}`,
      verifyhostkeydns: () => `verifyhostkeydns ${dns}`,
      // ssh turns it off itself when UserKnownHostsFile is set or VerifyHostKeyDNS yes (tried)
      updatehostkeys: () => `updatehostkeys ${word(opts, 'updatehostkeys', YES_NO_ASK, users === undefined && dns !== 'true' ? 'true' : 'false')}`,
      hostkeyalias: () => (n.alias === undefined ? null : `hostkeyalias ${n.alias}`),
      revokedhostkeys: () => revokedLine(opts.get('revokedhostkeys')),
      knownhostscommand: () => (opts.has('knownhostscommand') ? `knownhostscommand ${opts.get('knownhostscommand') ?? ''}` : null),
      globalknownhostsfile: () => `globalknownhostsfile ${configWords(opts.get('globalknownhostsfile') ?? '/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2').join(' ')}`,
      userknownhostsfile: () => `userknownhostsfile ${configWords(users ?? '~/.ssh/known_hosts ~/.ssh/known_hosts2').map((f) => userFile(f, n)).join(' ')}`,
      proxyjump: () => proxyLine(opts),
    };
    const out = SSH_G_9_2_LINES.flatMap((line) => {
      const make = lines[line.split(' ')[0] ?? ''];
      const made = make === undefined ? line : make();
      return made === null ? [] : [made];
    });
    return { ok: true, text: `${out.join('\n')}\n` };
  } catch (e) {
    if (e instanceof Unmodelled) return { ok: false, stderr: `ssh (simulator): cannot model ${e.message}; write root's ssh_config without it\n` };
    if (e instanceof SshFatal) return { ok: false, stderr: e.lines.map((l) => `${l}\r\n`).join('') };
    throw e;
  }
}
