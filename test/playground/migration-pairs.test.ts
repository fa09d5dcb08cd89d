import { describe, expect, it } from 'vitest';
import { parseFleet } from '../sim/model/fleet-file.js';
import { migrationPairs } from './migration-pairs.js';

const HOST = (n: number): string => `host xen${n} mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes`;
const hosts = (n: number): string => Array.from({ length: n }, (_, i) => HOST(i + 1)).join('\n');
const sorted = (ps: readonly { from: string; to: string }[]): string[] => ps.map((p) => `${p.from}>${p.to}`).sort();

describe('playground migration pairs', () => {
  it('a 12-Dom0 fleet of DRBD pairs needs each domU home and peer both ways, not all 132 pairs', () => {
    // a ring: xenN's domU is replicated to xenN+1
    const domus = Array.from({ length: 12 }, (_, i) => `domu vm${i + 1} mem=1024 vcpus=1 home=xen${i + 1} peer=xen${((i + 1) % 12) + 1} drbd=r${i + 1} running=xen${i + 1}`);
    const r = migrationPairs(parseFleet(`${hosts(12)}\n${domus.join('\n')}\n`));
    expect(r.anyHostFor).toBeNull();
    expect(r.pairs).toHaveLength(24);
    expect(sorted(r.pairs)).toContain('xen12>xen1');
    expect(sorted(r.pairs)).toContain('xen1>xen12');
    expect(sorted(r.pairs)).toContain('xen1>xen2');
    expect(sorted(r.pairs)).not.toContain('xen1>xen3');
  });

  it('a domU with several DRBD resources counts each pair once', () => {
    const r = migrationPairs(parseFleet(`${hosts(3)}\ndomu db1 mem=1024 vcpus=1 home=xen2 peer=xen3 drbd=r1,r2 running=xen2\ndomu db2 mem=1024 vcpus=1 home=xen3 peer=xen2 drbd=r3\n`));
    expect(sorted(r.pairs)).toEqual(['xen2>xen3', 'xen3>xen2']);
  });

  it('a domU without DRBD disks may go to any Dom0: every ordered pair, and which domU asked for it', () => {
    const r = migrationPairs(parseFleet(`${hosts(4)}\ndomu web1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r1\ndomu plain mem=512 vcpus=1 home=xen3 running=xen3\n`));
    expect(r.anyHostFor).toBe('plain');
    expect(r.pairs).toHaveLength(12);
  });
});
