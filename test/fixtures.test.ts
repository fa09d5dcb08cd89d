import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from './fixture.js';

// Fixtures are verbatim real outputs (or generated from an exact printf format, and then they
// must say so): a fixture without its source named cannot be trusted or re-checked.
describe('fixtures', () => {
  const all = listFixtures('.');

  it('exist', () => {
    expect(all.length).toBeGreaterThan(50);
  });

  it.each(all)('%s names its source in a #@ header', (rel) => {
    const f = readFixture(rel);
    expect(f.source.length).toBeGreaterThan(0);
    expect(f.source.join(' ').trim().length).toBeGreaterThan(10);
  });
});
