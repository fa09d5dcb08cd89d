import { describe, expect, it } from 'vitest';
import { caseHintText, domuCaseHint } from '../../shared/domu-case-hint.js';

describe('domuCaseHint', () => {
  it('names the domUs equal but for case, sorted, and nothing when the name itself is known or none matches', () => {
    expect(domuCaseHint('WEB1', ['web1', 'db1'])).toBe(' (domU names are case-sensitive: did you mean web1?)');
    expect(domuCaseHint('web1', ['Web1', 'WEB1', 'db1'])).toBe(' (domU names are case-sensitive: did you mean WEB1 or Web1?)');
    expect(domuCaseHint('web1', ['web1', 'WEB1'])).toBe('');
    expect(domuCaseHint('web2', ['web1'])).toBe('');
    expect(domuCaseHint('x', [])).toBe('');
  });
  it('lists at most five, escapes what it shows', () => {
    expect(caseHintText(['a', 'b', 'c', 'd', 'e', 'f'])).toBe(' (domU names are case-sensitive: did you mean a, b, c, d, e, ... (6 names)?)');
    expect(caseHintText(['a\x1b[2J'])).toBe(' (domU names are case-sensitive: did you mean a\\x1b[2J?)');
  });
});
