import type { Blocker, HostBlock } from '../../shared/protocol/ctl-jobs.js';
import type { Capacity } from './capacity.js';
import { drbdBlock, type DrbdNotReady } from './drbd-ready.js';
import { candidateTargets, liveMoveBlock, targetBlock, toolstackBlock, xenBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';

/**
 * The target for one domU leaving FROM: among the hosts its disks allow, those that may receive
 * now, whose DRBD pair with FROM is in step, and have room (with the reserve), the one with the
 * most memory left after it — so a drain spreads over its targets instead of filling the first.
 * COLD (--cold-fallback): a Dom0 on an older Xen release may take it too, by a cold move, but only
 * when no target it can go to live has room: a cold move stops the domU for a while.
 */
export function chooseTarget(facts: PlanFacts, cap: Capacity, d: FactDomu, from: string, emptied: ReadonlySet<string>, cold = false): { readonly to: string } | Blocker {
  const cands = candidateTargets(d, facts.hostNames);
  if (!Array.isArray(cands)) return cands as Blocker;
  const hosts = cands as readonly string[];
  const blocked: { host: string; why: HostBlock }[] = [];
  const usable: string[] = [];
  for (const h of hosts) {
    // a cold start needs no migration stream, but an xl config on an xm Dom0 (or back) is not known to start alike
    const tools = cold ? toolstackBlock : liveMoveBlock;
    const why = emptied.has(h) ? 'being-emptied' : (targetBlock(facts.host(h)) ?? tools(facts.host(from), facts.host(h)));
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
  let best: { host: string; left: number; live: boolean } | null = null;
  let roomiest: { host: string; freeMiB: number } | null = null;
  for (const h of inStep) {
    const free = cap.free(h) ?? 0;
    if (!roomiest || free > roomiest.freeMiB) roomiest = { host: h, freeMiB: free };
    if (!cap.fits(h, d.memMiB)) continue;
    const left = free - d.memMiB;
    const live = xenBlock(facts.host(from), facts.host(h)) === null;
    const better = !best || (live && !best.live) || (live === best.live && (left > best.left || (left === best.left && h < best.host)));
    if (better) best = { host: h, left, live };
  }
  if (!best) {
    // DRBD is the reason when it alone keeps it off a target with room
    const drbd = outOfStep.find((b) => cap.fits(b.target, d.memMiB)) ?? (inStep.length === 0 ? outOfStep[0] : undefined);
    return drbd ?? { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: roomiest };
  }
  return { to: best.host };
}
