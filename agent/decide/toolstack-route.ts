import type { ErrorCode } from '../../shared/errors.js';
import type { SshProxy } from '../parse/ssh-g.js';

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
   * ProxyCommand; xm: PEER itself, port null, no proxy. Addresses null: not resolved (the same
   * name as the checks', or a hostname resolved beyond a proxy)
   */
  readonly tool: { readonly hostname: string; readonly port: number | null; readonly proxy: SshProxy | null; readonly addresses: RouteAddresses | null } | { readonly problem: string; readonly code: ErrorCode };
  /**
   * the host key shown at the toolstack's route, read when its name differs from the checks' and no
   * proxy stands between (null: not read): a Dom0 reached over another network (a migration LAN in
   * agent.json, the public name in root's ssh config) shows the key known_hosts lists for it,
   * another Dom0 does not
   */
  readonly toolKey: ToolHostKey | null;
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
  return key.listed ? '' : `; it shows host key ${key.fingerprint}, which known_hosts does not list for ${f.peer}`;
}

const proxied = (p: SshProxy): string => (p.kind === 'proxyjump' ? `the jump host ${p.value} (ProxyJump)` : `ProxyCommand \`${p.value}\``);

/** How to see each route for oneself, and where each is set. */
function where(f: RouteFacts): { see: string; fix: string } {
  const config = `migration.peers.${f.peer}.address in the agent's config`;
  if (f.toolstack === 'xl') {
    return {
      see: `\`ssh -G ${f.peer} | grep -E '^(hostname|port|proxyjump|proxycommand) '\` shows root's ssh route, \`getent ahosts NAME\` a name's addresses`,
      fix: `the Host ${f.peer} entry in root's ~/.ssh/config or /etc/ssh/ssh_config, /etc/hosts, DNS, or ${config}`,
    };
  }
  return { see: `\`getent ahosts ${f.peer}\` shows what xend resolves`, fix: `/etc/hosts or DNS for ${f.peer}, or ${config}` };
}

/**
 * Whether the toolstack's move goes to the machine the checks asked: they must share an address.
 * The same name on both sides resolves alike (one resolver), so it passes without comparing;
 * a name that does not resolve is refused, as nothing can say where the domU would go.
 */
export function judgeRoute(f: RouteFacts): RouteVerdict {
  const how = f.toolstack === 'xl' ? `xl migrate (root's ssh)` : `xm migrate (xend, by the system resolver)`;
  const { see, fix } = where(f);
  if ('problem' in f.tool) return { ok: false, code: f.tool.code, detail: `cannot tell where ${how} would take ${f.peer}: ${f.tool.problem}` };
  const tool = f.tool;
  const toolRoute = `${tool.hostname}${tool.port === null ? '' : ` port ${tool.port}`}`;
  const checkedRoute = `${f.checked.address} port ${f.checked.port} (${f.checked.configured ? `migration.peers.${f.peer}.address` : 'its name; no migration.peers entry'})`;
  if (tool.hostname.toLowerCase() === f.checked.address.toLowerCase()) {
    return { ok: true, detail: `${how} reaches ${f.peer} at ${toolRoute}, the address the checks use` };
  }
  // through a jump the hostname is resolved (and reached) from the jump host: an address read here
  // could refuse a good route or pass a wrong one
  if (tool.proxy !== null) return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would reach ${f.peer} through ${proxied(tool.proxy)}, which resolves ${toolRoute} itself: nothing here can say which machine that is, and the checks reach it at ${checkedRoute}; fix: set migration.peers.${f.peer}.address to ${JSON.stringify(tool.hostname)} (the hostname root's ssh uses), or drop the jump for Dom0-to-Dom0 moves (the Host ${f.peer} entry in root's ~/.ssh/config or /etc/ssh/ssh_config); ${see}` };
  if (f.checked.addresses === null || tool.addresses === null) return { ok: false, code: 'XH_ERR_INTERNAL', detail: `the addresses of ${f.checked.address} and ${tool.hostname} were not read` };
  if (!f.checked.addresses.ok) return { ok: false, code: 'XH_ERR_REFUSED', detail: `the checks reach ${f.peer} at ${checkedRoute}, and ${f.checked.addresses.why}: fix ${fix}; ${see}` };
  if (!tool.addresses.ok) {
    return { ok: false, code: 'XH_ERR_REFUSED', detail: `${how} would take ${f.peer} to ${toolRoute}, and ${tool.addresses.why}; the checks reach it at ${checkedRoute}: fix ${fix}; ${see}` };
  }
  const mine = new Set(f.checked.addresses.addresses.map(canonical));
  const shared = tool.addresses.addresses.map(canonical).filter((a) => mine.has(a));
  if (shared.length === 0) {
    const key = f.toolKey;
    if (key !== null && 'listed' in key && key.listed) {
      return { ok: true, detail: `${how} reaches ${f.peer} at ${toolRoute} (${listed(tool.addresses)}), not the address the checks use (${f.checked.address}), and the machine there shows ${f.peer}'s host key (${key.fingerprint}): the same Dom0 over another network` };
    }
    return {
      ok: false,
      code: 'XH_ERR_REFUSED',
      detail: `${how} would take ${f.peer} to another machine than the one checked: to ${toolRoute} (${listed(tool.addresses)}${keyWords(f)}), while the checks reached ${checkedRoute} (${listed(f.checked.addresses)}); fix whichever is stale: ${fix}; ${see}`,
    };
  }
  return { ok: true, detail: `${how} reaches ${f.peer} at ${toolRoute} (${shared.join(', ')}), where the checks reach it (${f.checked.address})` };
}
