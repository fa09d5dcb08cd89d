import type { Blocker, HostBlock } from '../../shared/protocol/ctl-jobs.js';
import type { Capacity } from './capacity.js';
import { candidateTargets, targetBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';

/**
 * The target for one domU leaving its host: among the hosts its disks allow, those that may
 * receive now and have room (with the reserve), the one with the most memory left after it —
 * so a drain spreads over its targets instead of filling the first.
 */
export function chooseTarget(facts: PlanFacts, cap: Capacity, d: FactDomu, emptied: ReadonlySet<string>): { readonly to: string } | Blocker {
  const cands = candidateTargets(d, facts.hostNames);
  if (!Array.isArray(cands)) return cands as Blocker;
  const hosts = cands as readonly string[];
  const blocked: { host: string; why: HostBlock }[] = [];
  const usable: string[] = [];
  for (const h of hosts) {
    const why = emptied.has(h) ? 'being-emptied' : targetBlock(facts.host(h));
    if (why === null) usable.push(h);
    else blocked.push({ host: h, why });
  }
  if (usable.length === 0) {
    if (d.visitorHome !== null) return { kind: 'visitor', home: d.visitorHome, why: blocked[0]?.why ?? 'not-reported' };
    // a domU without DRBD disks could go anywhere: name a few, not the whole fleet
    return { kind: 'targets-unavailable', targets: blocked.slice(0, 8) };
  }
  let best: { host: string; left: number } | null = null;
  let roomiest: { host: string; freeMiB: number } | null = null;
  for (const h of usable) {
    const free = cap.free(h) ?? 0;
    if (!roomiest || free > roomiest.freeMiB) roomiest = { host: h, freeMiB: free };
    if (!cap.fits(h, d.memMiB)) continue;
    const left = free - d.memMiB;
    if (!best || left > best.left || (left === best.left && h < best.host)) best = { host: h, left };
  }
  if (!best) return { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: roomiest };
  return { to: best.host };
}
