import { describe, expect, it } from 'vitest';
import { conflictScan } from '../../../controller/fleet/conflicts.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { TICK } from '../../../controller/fleet/scan-tick.js';
import { scavengesDuring } from '../../fuzz/heap-after-gc.js';
import { hostState, primary, record } from '../states.js';

const fresh = { now: 1_000_000, staleAfterMs: 15_000 };

describe('the look for conflicts over a quiet fleet', () => {
  it("steps through every host's DRBD resources with no garbage per resource: the held section is frozen, and for-of over it made a result object each", async () => {
    const index = new FleetIndex();
    // DRBD pairs, every resource Secondary on both: nothing for the look to hold or say
    for (let h = 0; h < 100; h++) {
      const resources = Array.from({ length: 40 }, (_, i) => primary(`r${h >> 1}-${i}`, `xen${h ^ 1}`, 'Secondary'));
      index.put(record(`xen${h}`, hostState({ drbd: { availability: 'ok', resources } })));
    }
    expect(Object.isFrozen(index.record('xen0')?.state?.drbd.resources)).toBe(true);
    const looks = (n: number) => () => {
      for (let i = 0; i < n; i++) for (const f of conflictScan(index, fresh)) if (f !== TICK) throw new Error(`a quiet fleet gave a finding: ${f.kind} ${f.subject}`);
    };
    // optimized first: unoptimized code makes an iterator result for every for-of, frozen or not
    looks(2_000)();
    // 4,000 resources a look, 5,000 looks: 53 scavenges with for-of, 4 stepping by index (what
    // each look itself makes: its generators and lists)
    expect(await scavengesDuring(looks(5_000))).toBeLessThanOrEqual(10);
  });
});
