/** A Dom0's toolstack and Xen release as the fleet file words them, when a test does not say. */
export const XL_417 = 'toolstack=xl xen=4.17.7';

/** db1 homed on xen2 with its replica r2 on xen1: the guest going the other way, for pairFleet's `more`. */
export const DB1_ON_XEN2 = 'domu db1 mem=4096 vcpus=4 home=xen2 peer=xen1 drbd=r2 running=xen2\n';

export interface PairFleetOptions {
  /** the option line's simulated copy speed, MiB/s (default 1024) */
  readonly bandwidth?: number;
  /** the option line's DRBD connect delay, ms (default 0) */
  readonly connectDelay?: number;
  /** false: no option line, the simulator's own bandwidth and connect delay */
  readonly optionLine?: boolean;
  /** every Dom0's toolstack and release (default XL_417) */
  readonly tools?: string;
  /** xen1's or xen2's own, where it differs from the others' */
  readonly xen1?: string;
  readonly xen2?: string;
  /** every Dom0's DRBD release as the fleet file words it: 8.4, 8.4.11, 9, 9.0.32-1 (default 8.4) */
  readonly drbd?: string;
  /** the Dom0s keeping a migrate-tab (default xen1 and xen2: web1's home and peer are known from it) */
  readonly migrateTab?: readonly string[];
  /** where web1 runs, or `no` (default its home, xen1) */
  readonly running?: 'xen1' | 'xen2' | 'no';
  /** web1's memory (default 2048) and vcpus (default 2) */
  readonly memMiB?: number;
  readonly vcpus?: number;
  /** a third Dom0, xen3, holding no replica of r1 */
  readonly xen3?: boolean;
  /** further fleet lines (more domUs) */
  readonly more?: string;
}

/**
 * The fleet most tests start from: two Dom0s in a DRBD pair, web1 homed on xen1 with its replica
 * r1 on xen2 (test/sim/README.md words the fleet file). Written once so that a test names only
 * where its fleet differs.
 */
export function pairFleet(o: PairFleetOptions = {}): string {
  const tools = o.tools ?? XL_417;
  const tab = (h: string): string => ((o.migrateTab ?? ['xen1', 'xen2']).includes(h) ? ' migrate-tab=yes' : '');
  const host = (h: string, own?: string): string => `host ${h} mem=32768 cpus=8 ${own ?? tools} drbd=${o.drbd ?? '8.4'}${tab(h)}\n`;
  return (
    (o.optionLine === false ? '' : `option bandwidth=${o.bandwidth ?? 1024} connect-delay=${o.connectDelay ?? 0}\n`) +
    host('xen1', o.xen1) +
    host('xen2', o.xen2) +
    (o.xen3 === true ? host('xen3') : '') +
    `domu web1 mem=${o.memMiB ?? 2048} vcpus=${o.vcpus ?? 2} home=xen1 peer=xen2 drbd=r1 running=${o.running ?? 'xen1'}\n` +
    (o.more ?? '')
  );
}
