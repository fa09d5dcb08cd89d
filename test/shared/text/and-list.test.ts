import { describe, expect, it } from 'vitest';
import { andList } from '../../../shared/text/and-list.js';

describe('names in a sentence', () => {
  it.each([
    [[], ''],
    [['xen1'], 'xen1'],
    [['xen1', 'xen2'], 'xen1 and xen2'],
    [['xen1', 'xen2', 'tb'], 'xen1, xen2 and tb'],
  ])('%j → %j', (xs, want) => {
    expect(andList(xs)).toBe(want);
  });
});
