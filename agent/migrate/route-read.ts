import type { AgentConfig } from '../config/schema.js';
import { sameName, type RouteFacts, type ToolHostKey } from '../decide/toolstack-route.js';
import type { MigrationPorts } from './ports.js';

/** Where this host reaches PEER's sshd: `migration.peers.PEER` in the config, else PEER:sshPort. */
export function peerEndpoint(c: { readonly config: AgentConfig }, peer: string): { address: string; port: number; configured: boolean } {
  const m = c.config.migration;
  const over = m.peers[peer];
  return { address: over?.address ?? peer, port: over?.port ?? m.sshPort, configured: over?.address !== undefined };
}

/**
 * Both routes to PEER, read here without connecting anywhere (judged in
 * agent/decide/toolstack-route.ts): the checks' address, and where the toolstack would go, with
 * the host key shown there when the names or ports differ. A name the same on both sides is not resolved.
 */
export async function readRoute(p: MigrationPorts, peer: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<RouteFacts> {
  const ep = peerEndpoint(p, peer);
  const toolstack = p.toolstack.kind;
  const read = toolstack === 'xm' ? { hostname: peer, port: null, proxy: null } : await p.route.ssh(peer).then((r) => (r.ok ? r.value : r.error));
  const checked = { address: ep.address, port: ep.port, configured: ep.configured };
  if ('code' in read) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { problem: `\`ssh -G ${peer}\`: ${read.message}`, code: read.code }, toolKey: null };
  // ENV: what `xl migrate`'s ssh gets, this process's own (adapters/exec.ts adds only the locale)
  const unset = ('expandedOnceConnected' in read ? (read.expandedOnceConnected ?? []) : []).filter((o) => env[o.variable] === undefined);
  const route = unset.length > 0 ? { ...read, unsetOnceConnected: unset } : read;
  // xl migrate's ssh checks the peer's host key in root's files, not the agent's: read them too
  const keys = route.port !== null ? route.hostKeys : undefined;
  const trust = route.port !== null && keys !== undefined && p.route.trust !== undefined ? { trust: await p.route.trust(peer, { ...route, hostKeys: keys }) } : {};
  // ssh looks a name it canonicalized up as the absolute NAME., in DNS alone (glibc's files
  // backend does not match it): so is it looked up here, and one name is no longer one answer
  const canonical = 'canonicalizedFrom' in route && route.canonicalizedFrom !== undefined && route.proxy === null;
  const same = sameName(route.hostname, ep.address) && !canonical;
  // beyond a jump the name is resolved and reached there: nothing read here says which machine that
  // is (refused as such unless it is the checks' own name and port); one name at one port is one
  // resolver's answer: nothing to compare, and no DNS round trip to wait for
  if (route.proxy !== null || (same && (route.port === null || route.port === ep.port))) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { ...route, addresses: null }, toolKey: null, ...trust };
  // xend's relocation server shows no host key: the machine's sshd, at the checks' port, does
  const keyAt = (): Promise<ToolHostKey> => p.route.hostKey(peer, route.hostname, route.port ?? ep.port);
  // the same name at another port: another sshd, known by its host key alone
  if (same) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { ...route, addresses: null }, toolKey: await keyAt(), ...trust };
  const [mine, theirs, toolKey] = await Promise.all([p.route.resolve(ep.address), p.route.resolve(canonical ? `${route.hostname}.` : route.hostname), keyAt()]);
  return { peer, toolstack, checked: { ...checked, addresses: mine }, tool: { ...route, addresses: theirs }, toolKey, ...trust };
}
