import type { XhError } from '../../shared/errors.js';
import type { PeerStatus } from '../../shared/protocol/peer.js';
import type { PreflightCheck } from '../decide/migration-plan.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { judge, type CheckVerdict, type DrbdHereFacts, type PreflightFacts, type ToolsFacts } from '../decide/preflight.js';
import { xenRelease } from '../parse/xl-info.js';
import { resourceHosts } from '../host/homes.js';
import type { MigrationPorts } from './ports.js';
import { askStatus } from './peer-requests.js';
import { readRoute } from './route-read.js';
import type { RouteFacts } from '../decide/toolstack-route.js';

/**
 * Finds out what a plan's preflight checks ask (read-only: xl list, files, `drbdadm status` of
 * NAME's resources, `ssh -G` and name lookups for the toolstack's route, a TCP connect, the
 * peer's `status NAME`) and judges each
 * (agent/decide/preflight.ts). A peer whose key or sshd check failed is not asked its status.
 */
export async function runPreflight(p: MigrationPorts, name: string, checks: readonly PreflightCheck[]): Promise<{ verdicts: CheckVerdict[]; facts: PreflightFacts } | XhError> {
  const list = await p.toolstack.list();
  if (!list.ok) return list.error;
  const here = list.value.find((d) => d.name === name || d.baseName === name);
  const resources = checks.flatMap((c) => (c.check === 'replicas' ? c.resources : []));
  const keys = new Map<string, Awaited<ReturnType<MigrationPorts['peer']['keys']>>>();
  const sshd = new Map<string, Awaited<ReturnType<MigrationPorts['peer']['sshd']>>>();
  const status = new Map<string, PeerStatus | XhError>();
  const routes = new Map<string, RouteFacts>();
  for (const c of checks) {
    if (c.check === 'toolstack-route') routes.set(c.peer, await readRoute(p, c.peer));
    if (c.check === 'migration-key') keys.set(c.peer, await p.peer.keys(c.peer));
    if (c.check === 'peer-sshd') sshd.set(c.peer, await p.peer.sshd(c.peer));
  }
  for (const c of checks) {
    if (c.check !== 'peer-status') continue;
    const k = keys.get(c.peer);
    const s = sshd.get(c.peer);
    if ((k && (!k.keyReadable || k.keyOpenMode !== null || !k.knownHost)) || (s && !s.reachable)) continue;
    // the peer is asked its tools too, as the target of a migrate or the sender of a reverse: a
    // live move between the toolstacks or down a Xen release is refused before anything is sent
    status.set(c.peer, await askStatus(p, c.peer, name, false, true));
  }
  const tools = checks.some((c) => c.check === 'peer-status') ? await toolsHere(p) : undefined;
  const facts: PreflightFacts = { name, here, resourceHosts: await resourceHosts(p, resources), keys, sshd, status, drbd: await drbdHere(p, resources), routes, ...(tools ? { tools } : {}) };
  return { verdicts: checks.map((c) => judge(c, facts)), facts };
}

/** This Dom0's toolstack and Xen release (null: `xl info` could not say), to set beside the target's. */
async function toolsHere(p: MigrationPorts): Promise<ToolsFacts> {
  const info = await p.toolstack.info();
  return { toolstack: p.toolstack.kind, xen: info.ok ? xenRelease(info.value) : null };
}

/**
 * Read last, right before the judging: the link state is what decides whether the target's disk
 * is current, and the ssh round trips before can take seconds. Each resource on its own, so one
 * that cannot be read is named, not the whole. A cold move's shutdown reads the same
 * (migrate/cold-facts.ts), after its hold.
 */
export async function drbdHere(p: MigrationPorts, resources: readonly string[]): Promise<DrbdHereFacts> {
  const out = new Map<string, DrbdResourceView | XhError>();
  for (const r of resources) {
    const v = await p.drbd.readResource(r);
    out.set(r, v.ok ? v.value : { code: v.error.code, message: v.error.message });
  }
  return { host: p.host, resources: out };
}
