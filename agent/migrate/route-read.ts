import type { AgentConfig } from '../config/schema.js';
import type { RouteFacts } from '../decide/toolstack-route.js';
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
 * the host key shown there when the names differ. A name the same on both sides is not resolved.
 */
export async function readRoute(p: MigrationPorts, peer: string): Promise<RouteFacts> {
  const ep = peerEndpoint(p, peer);
  const toolstack = p.toolstack.kind;
  const route = toolstack === 'xm' ? { hostname: peer, port: null, proxy: null } : await p.route.ssh(peer).then((r) => (r.ok ? r.value : r.error));
  const checked = { address: ep.address, port: ep.port, configured: ep.configured };
  if ('code' in route) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { problem: `\`ssh -G ${peer}\`: ${route.message}`, code: route.code }, toolKey: null };
  // one name, one resolver: nothing to compare, and no DNS round trip to wait for
  if (route.hostname.toLowerCase() === ep.address.toLowerCase()) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { ...route, addresses: null }, toolKey: null };
  // beyond a jump the name is resolved and reached there: nothing read here says which machine that is (refused as such)
  if (route.proxy !== null) return { peer, toolstack, checked: { ...checked, addresses: null }, tool: { ...route, addresses: null }, toolKey: null };
  // xend's relocation server shows no host key: the machine's sshd, at the checks' port, does
  const [mine, theirs, toolKey] = await Promise.all([p.route.resolve(ep.address), p.route.resolve(route.hostname), p.route.hostKey(peer, route.hostname, route.port ?? ep.port)]);
  return { peer, toolstack, checked: { ...checked, addresses: mine }, tool: { ...route, addresses: theirs }, toolKey };
}
