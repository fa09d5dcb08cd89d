import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { RouteAddresses, ToolHostKey } from '../../agent/decide/toolstack-route.js';
import { keyFingerprint } from '../../agent/adapters/peer-ssh-refusals.js';
import { simHostKeyBlob } from '../sim/model/host-keys.js';
import type { Sim } from '../sim/sim.js';

/**
 * The system resolver of a simulated Dom0, as getaddrinfo answers with nsswitch's `files dns`:
 * an address is itself; then the host's own /etc/hosts (under its root); then "DNS", where each
 * Dom0 of the fleet is 192.0.2.N by the order of its name (N from 1). Anything else does not resolve.
 */
export function simResolver(sim: Sim, host: string): (name: string) => Promise<RouteAddresses> {
  return async (name) => {
    if (isIP(name) !== 0) return { ok: true, addresses: [name] };
    let hosts = '';
    try {
      hosts = readFileSync(join(sim.hostRoot(host), 'etc/hosts'), 'utf8');
    } catch {
      // no hosts file: DNS alone
    }
    const n = name.toLowerCase();
    const files = hosts.split('\n').flatMap((line) => {
      const [address, ...names] = (line.split('#')[0] ?? '').trim().split(/\s+/);
      return address !== undefined && isIP(address) !== 0 && names.some((x) => x.toLowerCase() === n) ? [address] : [];
    });
    if (files.length > 0) return { ok: true, addresses: files };
    const i = Object.keys(sim.state().hosts).sort().indexOf(n);
    return i >= 0 ? { ok: true, addresses: [`192.0.2.${i + 1}`] } : { ok: false, why: `${name} does not resolve (ENOTFOUND)` };
  };
}

/**
 * The host key a simulated Dom0's sshd shows at NAME: the fleet's Dom0 whose DNS address NAME
 * resolves to, by the fingerprint of its key (sim/model/host-keys.ts) as the agent's own read of
 * an sshd words it, listed for PEER when that Dom0 is PEER. Any other address has no sshd in the simulator.
 */
export function simHostKey(sim: Sim, host: string): (peer: string, name: string, port: number) => Promise<ToolHostKey> {
  const resolve = simResolver(sim, host);
  return async (peer, name, port) => {
    const r = await resolve(name);
    if (!r.ok) return { unseen: `${name} port ${port}: getaddrinfo ENOTFOUND ${name}` };
    const owner = r.addresses.map((a) => dom0At(sim, a)).find((h) => h !== undefined);
    if (owner === undefined) return { unseen: `${name} port ${port}: connect ECONNREFUSED ${r.addresses[0] ?? name}:${port}` };
    return { listed: owner === peer.toLowerCase(), fingerprint: keyFingerprint(simHostKeyBlob(owner)) };
  };
}

/** the Dom0 whose DNS address (192.0.2.N, as simResolver gives them) ADDRESS is */
function dom0At(sim: Sim, address: string): string | undefined {
  const m = /^192\.0\.2\.(\d+)$/.exec(address);
  return m ? Object.keys(sim.state().hosts).sort()[Number(m[1]) - 1] : undefined;
}

/** Whether a TCP connect from a simulated Dom0 to ADDRESS succeeds: a powered-on Dom0's sshd answers at any port, nothing else does. */
export function simAccepts(sim: Sim): (address: string, port: number) => Promise<boolean> {
  return async (address) => {
    const dom0 = dom0At(sim, address);
    return dom0 !== undefined && sim.state().hosts[dom0]?.power === 'on';
  };
}
