import type { RebalancePolicy } from './policy.js';

export interface ScoredHost {
  readonly name: string;
  readonly totalMiB: number;
  readonly usedMiB: number;
  readonly vcpus: number;
}

/** Σx and Σx² of one metric over the hosts, so a move rescored is O(1), not O(hosts). */
class Moments {
  sum = 0;
  sq = 0;
  add(x: number, sign: 1 | -1): void {
    this.sum += sign * x;
    this.sq += sign * x * x;
  }
  std(n: number): number {
    if (n === 0) return 0;
    const mean = this.sum / n;
    return Math.sqrt(Math.max(0, this.sq / n - mean * mean));
  }
}

/**
 * The fleet's score, lower is better: the population std-dev of memory use
 * (used / total) over the hosts, plus the std-dev of vCPU load (vCPUs on a host over the fleet's
 * mean: hosts do not report their CPU count, so every host counts as equal), plus a penalty per
 * domU away from a healthy home. Weighted by the policy.
 */
export class ScoreBoard {
  private readonly i = new Map<string, number>();
  private readonly used: number[];
  private readonly vcpu: number[];
  private readonly total: number[];
  private readonly mem = new Moments();
  private readonly cpu = new Moments();
  private readonly meanVcpu: number;

  constructor(
    hosts: readonly ScoredHost[],
    private away: number,
    private readonly w: RebalancePolicy['weights'],
  ) {
    hosts.forEach((h, k) => this.i.set(h.name, k));
    this.used = hosts.map((h) => h.usedMiB);
    this.vcpu = hosts.map((h) => h.vcpus);
    this.total = hosts.map((h) => Math.max(1, h.totalMiB));
    const n = hosts.length;
    this.meanVcpu = n === 0 ? 1 : Math.max(1e-9, this.vcpu.reduce((a, b) => a + b, 0) / n);
    for (let k = 0; k < n; k++) this.account(k, 1);
  }

  get size(): number {
    return this.used.length;
  }

  score(): number {
    return this.combine(this.mem.std(this.size), this.cpu.std(this.size), this.away);
  }

  /** The score if a domU of memMiB and vcpus moved from → to, changing the away count by awayDelta. */
  scoreIfMoved(from: string, to: string, memMiB: number, vcpus: number, awayDelta: number): number {
    this.shift(from, to, memMiB, vcpus);
    const s = this.combine(this.mem.std(this.size), this.cpu.std(this.size), this.away + awayDelta);
    this.shift(to, from, memMiB, vcpus);
    return s;
  }

  apply(from: string, to: string, memMiB: number, vcpus: number, awayDelta: number): void {
    this.shift(from, to, memMiB, vcpus);
    this.away += awayDelta;
  }

  /** memory use (0..1) of HOST in the plan so far */
  memUse(host: string): number {
    const k = this.i.get(host);
    return k === undefined ? 1 : (this.used[k] as number) / (this.total[k] as number);
  }

  vcpuLoad(host: string): number {
    const k = this.i.get(host);
    return k === undefined ? Infinity : (this.vcpu[k] as number) / this.meanVcpu;
  }

  private combine(memStd: number, cpuStd: number, away: number): number {
    return this.w.memory * memStd + this.w.vcpu * cpuStd + this.w.away * away;
  }

  private account(k: number, sign: 1 | -1): void {
    this.mem.add((this.used[k] as number) / (this.total[k] as number), sign);
    this.cpu.add((this.vcpu[k] as number) / this.meanVcpu, sign);
  }

  private shift(from: string, to: string, memMiB: number, vcpus: number): void {
    const a = this.i.get(from);
    const b = this.i.get(to);
    if (a === undefined || b === undefined) return;
    this.account(a, -1);
    this.account(b, -1);
    this.used[a] = (this.used[a] as number) - memMiB;
    this.vcpu[a] = (this.vcpu[a] as number) - vcpus;
    this.used[b] = (this.used[b] as number) + memMiB;
    this.vcpu[b] = (this.vcpu[b] as number) + vcpus;
    this.account(a, 1);
    this.account(b, 1);
  }
}
