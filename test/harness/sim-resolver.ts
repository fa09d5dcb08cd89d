import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { RouteAddresses } from '../../agent/decide/toolstack-route.js';
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
