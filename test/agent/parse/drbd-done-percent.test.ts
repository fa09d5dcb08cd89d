import { describe, expect, it } from 'vitest';
import { drbdDonePercent } from '../../../agent/parse/drbd-done-percent.js';

describe('drbdDonePercent', () => {
  it.each([
    ['37.50', 37.5],
    ['0.00', 0],
    ['100.00', 100],
    ['nan', null],
    ['-nan', null],
    ['inf', null],
    ['-inf', null],
    ['-3.27', null],
    ['100.01', null],
    ['-549739692404.00', null],
    ['184467440737095516.15', null],
    ['abc', undefined],
    ['12', undefined],
    ['', undefined],
    ['1e3', undefined],
    ['37.5', undefined],
  ] as const)('%j → %j', (text, expected) => {
    expect(drbdDonePercent(text)).toBe(expected);
  });
});
