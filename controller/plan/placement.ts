import type { Blocker, HostBlock } from '../../shared/protocol/ctl-jobs.js';
import type { Capacity } from './capacity.js';
import { drbdBlock, type DrbdNotReady } from './drbd-ready.js';
import { candidateTargets, liveMoveBlock, targetBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';

/**
 * The target for one domU leaving FROM: among the hosts its disks allow, those that may receive
 * now, whose DRBD pair with FROM is in step, and have room (with the reserve), the one with the
 * most memory left after it — so a drain spreads over its targets instead of filling the first.
 */
export function chooseTarget(facts: PlanFacts, cap: Capacity, d: FactDomu, from: string, emptied: ReadonlySet<string>): { readonly to: string } | Blocker {
  const cands = candidateTargets(d, facts.hostNames);
  if (!Array.isArray(cands)) return cands as Blocker;
  const hosts = cands as readonly string[];
  const blocked: { host: string; why: HostBlock }[] = [];
  const usable: string[] = [];
  for (const h of hosts) {
    const why = emptied.has(h) ? 'being-emptied' : (targetBlock(facts.host(h)) ?? liveMoveBlock(facts.host(from), facts.host(h)));
    if (why === null) usable.push(h);
    else blocked.push({ host: h, why });
  }
  if (usable.length === 0) {
    if (d.visitorHome !== null) return { kind: 'visitor', home: d.visitorHome, why: blocked[0]?.why ?? 'not-reported' };
    // a domU without DRBD disks could go anywhere: name a few, not the whole fleet
    return { kind: 'targets-unavailable', targets: blocked.slice(0, 8) };
  }
  const inStep: string[] = [];
  const outOfStep: DrbdNotReady[] = [];
  for (const h of usable) {
    const drbd = drbdBlock(facts, d, from, h);
    if (drbd === null) inStep.push(h);
    else outOfStep.push(drbd);
  }
  let best: { host: string; left: number } | null = null;
  let roomiest: { host: string; freeMiB: number } | null = null;
  for (const h of inStep) {
    const free = cap.free(h) ?? 0;
    if (!roomiest || free > roomiest.freeMiB) roomiest = { host: h, freeMiB: free };
    if (!cap.fits(h, d.memMiB)) continue;
    const left = free - d.memMiB;
    if (!best || left > best.left || (left === best.left && h < best.host)) best = { host: h, left };
  }
  if (!best) {
    // DRBD is the reason when it alone keeps it off a target with room
    const drbd = outOfStep.find((b) => cap.fits(b.target, d.memMiB)) ?? (inStep.length === 0 ? outOfStep[0] : undefined);
    return drbd ?? { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: roomiest };
  }
  return { to: best.host };
}
