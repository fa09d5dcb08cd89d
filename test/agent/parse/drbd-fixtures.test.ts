import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../../fixture.js';

describe('DRBD fixtures', () => {
  it('each names its source in a #@ header and has a body', () => {
    const all = listFixtures('drbd');
    expect(all.length).toBeGreaterThanOrEqual(40);
    for (const f of all) {
      const fx = readFixture(f);
      expect(fx.source.length, f).toBeGreaterThan(0);
      expect(fx.source.join(' '), f).toMatch(/verbatim|GENERATED|exact string|from /);
      expect(fx.body.length, f).toBeGreaterThan(0);
    }
  });
});
