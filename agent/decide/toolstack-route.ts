import type { ErrorCode } from '../../shared/errors.js';
import { knownHostsName } from '../parse/known-hosts-name.js';
import type { SshProxy } from '../parse/ssh-g.js';
import { unsetVariableWords, type OptionWithVariable } from '../parse/ssh-g-env.js';
import { andList } from '../../shared/text/and-list.js';
import type { RootSshTrustFacts } from './root-ssh-trust.js';

/** Every address of a name here, or why it has none (agent/adapters/ssh-route.ts resolves). */
export type RouteAddresses = { readonly ok: true; readonly addresses: readonly string[] } | { readonly ok: false; readonly why: string };

/**
 * The host key the sshd at the toolstack's route shows (`ssh-keygen -lf` style fingerprint), and
 * whether known_hosts lists it for the peer; or why none was seen.
 */
export type ToolHostKey = { readonly listed: boolean; readonly fingerprint: string } | { readonly unseen: string };

/**
 * What decides whether the toolstack's own move reaches the Dom0 the preflight checked. The
 * preflight's ssh2 goes to `migration.peers.PEER.address` (else the name PEER) at its port; `xl
 * migrate` goes where root's ssh takes the name PEER (`ssh -G PEER`), `xm migrate` where the
 * system resolver takes it (xend's relocation server there).
 */
export interface RouteFacts {
  readonly peer: string;
  readonly toolstack: 'xl' | 'xm';
  /**
   * where the agent's checks reach PEER: configured true when migration.peers.PEER.address says
   * so. Addresses null: not resolved, as the toolstack goes to the very same name.
   */
  readonly checked: { readonly address: string; readonly port: number; readonly configured: boolean; readonly addresses: RouteAddresses | null };
  /**
   * where the toolstack goes: xl: `ssh -G PEER`'s hostname and port, and its ProxyJump or
   * ProxyCommand, and the name it was canonicalized from if ssh did; xm: PEER itself, port null,
   * no proxy. Addresses null: not resolved (the same
   * name as the checks', or a hostname resolved beyond a proxy)
   */
  readonly tool:
    | {
        readonly hostname: string;
        readonly port: number | null;
        readonly proxy: SshProxy | null;
        readonly canonicalizedFrom?: string;
        readonly addresses: RouteAddresses | null;
        /** IdentityFile or CertificateFile `${VAR}`s the environment `xl migrate`'s ssh gets leaves unset (xl only) */
        readonly unsetOnceConnected?: readonly OptionWithVariable[];
      }
    | { readonly problem: string; readonly code: ErrorCode };
  /**
   * the host key shown at the toolstack's route, read when its name or port differs from the
   * checks' and no proxy stands between (null: not read): a Dom0 reached over another network (a
   * migration LAN in agent.json, the public name in root's ssh config) or at another port of its
   * own shows the key known_hosts lists for it, another Dom0 does not
   */
  readonly toolKey: ToolHostKey | null;
  /**
   * xl only: whether root's ssh takes the peer's host key there without asking, as `ssh -G PEER`
   * says it checks one (agent/decide/root-ssh-trust.ts); absent when ssh -G printed no host-key
   * lines or the route could not be read
   */
  readonly trust?: RootSshTrustFacts;
}

export type RouteVerdict = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly code: ErrorCode; readonly detail: string };

/** IPv4 written as IPv6 (::ffff:10.0.0.2) is the IPv4 address; IPv6 in one case. */
const canonical = (a: string): string => a.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

const listed = (r: RouteAddresses): string => (r.ok ? r.addresses.join(', ') : r.why);

/** What the toolstack's route showed of itself, for a refusal: a key not the peer's, or none seen. */
function keyWords(f: RouteFacts): string {
  const key = f.toolKey;
  if (key === null) return '';
  if ('unseen' in key) return `; no host key read there: ${key.unseen}`;
  if (key.listed) return '';
  // at another port than 22 a key listed bare (port 22's) counts only while no line lists one for that port: say so
  const port = 'hostname' in f.tool ? (f.tool.port ?? f.checked.port) : f.checked.port;
  const under = [...new Set([knownHostsName(f.peer, port), knownHostsName(f.checked.address, port)])];
  const names = port === 22 ? '' : ` as ssh takes a key at port ${port}: under ${under.join(' or ')}, or bare while no line lists one so`;
  return `; it shows host key ${key.fingerprint}, which known_hosts does not list for ${f.peer}${names}`;
}

const proxied = (p: SshProxy): string => (p.kind === 'proxyjump' ? `the jump host ${p.value} (ProxyJump)` : `ProxyCommand \`${p.value}\``);

/** How to see each route for oneself, and where each is set (its port apart: `portFix`). */
function where(f: RouteFacts): { see: string; fix: string; portFix: string } {
  const config = `migration.peers.${f.peer}.address in the agent's config`;
  const portFix = `the Port of the Host ${f.peer} entry in root's ~/.ssh/config or /etc/ssh/ssh_config, or migration.peers.${f.peer}.port in the agent's config`;
  if (f.toolstack === 'xl') {
    return {
      see: `\`ssh -G ${f.peer} | grep -E '^(hostname|port|proxyjump|proxycommand) '\` shows root's ssh route, \`getent ahosts NAME\` a name's addresses`,
      fix: `the Host ${f.peer} entry in root's ~/.ssh/config or /etc/ssh/ssh_config, /etc/hosts, DNS, or ${config}`,
      portFix,
    };
  }
  return { see: `\`getent ahosts ${f.peer}\` shows what xend resolves`, fix: `/etc/hosts or DNS for ${f.peer}, or ${config}`, portFix };
}

/** One name on both sides, as ssh compares names (it lower-cases the hostname it connects to). */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The words a verdict is made of: how the toolstack moves, each route, and where to see and fix them. */
interface Words {
  readonly how: string;
  readonly toolRoute: string;
  readonly checkedRoute: string;
  readonly see: string;
  readonly fix: string;
  readonly portFix: string;
}

/**
 * The toolstack's ssh reaching the machine the checks reach (one name, or an address in common) at
 * another port: another sshd, which a port forward may lead to another machine. It passes only
 * when that sshd shows the peer's own host key, as one sshd listening on two ports does.
 */
function otherPort(f: RouteFacts, w: Words, at: string): RouteVerdict {
  const key = f.toolKey;
  if (key === null) return { ok: false, code: 'XH_ERR_INTERNAL', detail: `the host key at ${w.toolRoute} was not read` };
  if ('listed' in key && key.listed) {
    return { ok: true, detail: `${w.how} reaches ${f.peer} at ${w.toolRoute}${at}, where the checks reach it at port ${f.checked.port}, and the sshd there shows ${f.peer}'s host key (${key.fingerprint}): the same Dom0 at another port` };
  }
  return {
    ok: false,
    code: 'XH_ERR_REFUSED',
    detail: `${w.how} would take ${f.peer} to ${w.toolRoute}${at}, another sshd than the one checked at ${w.checkedRoute}${keyWords(f)}: a port forward there may lead to another machine; fix whichever is stale: ${w.portFix}; ${w.see}`,
  };
}

/**
 * Whether the toolstack's move goes to the machine the checks asked: they must share an address
 * and a port, or the machine at the toolstack's route must show the peer's host key.
 * The same name on both sides resolves alike (one resolver), so it passes without comparing;
 * a name that does not resolve is refused, as nothing can say where the domU would go.
 * Through a jump host the name is resolved there: only the very name (and port) the checks use
 * passes, said as going through the jump host, since nothing here can read what it reaches.
 */
export function judgeRoute(f: RouteFacts): RouteVerdict {
  const how = f.toolstack === 'xl' ? `xl migrate (root's ssh)` : `xm migrate (xend, by the system resolver)`;
  if ('problem' in f.tool) return { ok: false, code: f.tool.code, detail: `cannot tell where ${how} would take ${f.peer}: ${f.tool.problem}` };
  const tool = f.tool;
  // ssh -G prints these as written and succeeds; the ssh of the move connects and then stops at them
  const unset = tool.unsetOnceConnected ?? [];
  if (unset.length > 0) {
    const held = [...new Set(unset.map((o) => `${o.option} ${o.value}`))];
    const words = unsetVariableWords([...new Set(unset.map((o) => o.variable))], held.length, 'ssh stops there after connecting');
    return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would not get past its connection to ${f.peer}: root's ssh_config gives ${f.peer} ${andList(held)}, which ssh expands only once connected, and ${words}` };
  }
  // a name root's ssh canonicalized is looked up as NAME. (readRoute): the same name the checks
  // use may still lead elsewhere, so it is compared by its addresses
  const renamedFrom = tool.proxy === null ? tool.canonicalizedFrom : undefined;
  const places = where(f);
  const w: Words = {
    how,
    toolRoute: `${tool.hostname}${tool.port === null ? '' : ` port ${tool.port}`}${renamedFrom === undefined ? '' : ` (canonicalized from ${renamedFrom}: looked up in DNS as ${tool.hostname}.)`}`,
    checkedRoute: `${f.checked.address} port ${f.checked.port} (${f.checked.configured ? `migration.peers.${f.peer}.address` : 'its name; no migration.peers entry'})`,
    ...places,
    see: renamedFrom === undefined ? places.see : `${places.see}; \`ssh -v -G ${f.peer} 2>&1 | grep Canonicalized\` shows root's ssh canonicalizing the name (CanonicalizeHostname, CanonicalDomains)`,
  };
  // xend's relocation port is not ssh's: only root's ssh has a port to compare
  const portDiffers = tool.port !== null && tool.port !== f.checked.port;
  if (sameName(tool.hostname, f.checked.address) && renamedFrom === undefined) {
    if (tool.proxy === null) return portDiffers ? otherPort(f, w, '') : { ok: true, detail: `${how} reaches ${f.peer} at ${w.toolRoute}, the address the checks use` };
    if (portDiffers) {
      return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would reach ${f.peer} through ${proxied(tool.proxy)} at ${w.toolRoute}, another port than the checks' ${w.checkedRoute}: nothing here can read which sshd the jump host reaches there; fix: ${w.portFix}; ${w.see}` };
    }
    // the same name is taken to be the same machine wherever it is resolved (refusing would stop
    // every jumped setup); what the checks cannot vouch for is said, so a dry run shows it
    return { ok: true, detail: `${how} reaches ${f.peer} at ${w.toolRoute}, the name the checks use, but through ${proxied(tool.proxy)}: that end resolves the name itself, and the domU's memory passes through it` };
  }
  // through a jump the hostname is resolved (and reached) from the jump host: an address read here
  // could refuse a good route or pass a wrong one
  if (tool.proxy !== null) return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would reach ${f.peer} through ${proxied(tool.proxy)}, which resolves ${w.toolRoute} itself: nothing here can say which machine that is, and the checks reach it at ${w.checkedRoute}; fix: set migration.peers.${f.peer}.address to ${JSON.stringify(tool.hostname)} (the hostname root's ssh uses), or drop the jump for Dom0-to-Dom0 moves (the Host ${f.peer} entry in root's ~/.ssh/config or /etc/ssh/ssh_config); ${w.see}` };
  if (f.checked.addresses === null || tool.addresses === null) return { ok: false, code: 'XH_ERR_INTERNAL', detail: `the addresses of ${f.checked.address} and ${tool.hostname} were not read` };
  if (!f.checked.addresses.ok) return { ok: false, code: 'XH_ERR_REFUSED', detail: `the checks reach ${f.peer} at ${w.checkedRoute}, and ${f.checked.addresses.why}: fix ${w.fix}; ${w.see}` };
  if (!tool.addresses.ok) {
    return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would take ${f.peer} to ${w.toolRoute}, and ${tool.addresses.why}; the checks reach it at ${w.checkedRoute}: fix ${w.fix}; ${w.see}` };
  }
  const mine = new Set(f.checked.addresses.addresses.map(canonical));
  const shared = tool.addresses.addresses.map(canonical).filter((a) => mine.has(a));
  if (shared.length === 0) {
    const key = f.toolKey;
    if (key !== null && 'listed' in key && key.listed) {
      return { ok: true, detail: `${how} reaches ${f.peer} at ${w.toolRoute} (${listed(tool.addresses)}), not the address the checks use (${f.checked.address}${portDiffers ? ` port ${f.checked.port}` : ''}), and the machine there shows ${f.peer}'s host key (${key.fingerprint}): the same Dom0 over another network` };
    }
    return {
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: `${how} would take ${f.peer} to another machine than the one checked: to ${w.toolRoute} (${listed(tool.addresses)}${keyWords(f)}), while the checks reached ${w.checkedRoute} (${listed(f.checked.addresses)}); fix whichever is stale: ${w.fix}; ${w.see}`,
    };
  }
  if (portDiffers) return otherPort(f, w, ` (${shared.join(', ')})`);
  return { ok: true, detail: `${how} reaches ${f.peer} at ${w.toolRoute} (${shared.join(', ')}), where the checks reach it (${f.checked.address})` };
}
