import { describe, expect, it } from 'vitest';
import { printable } from '../../../shared/text/printable.js';

describe('printable', () => {
  it('escapes what could steer a terminal or reorder text, and leaves names alone', () => {
    expect(printable('web1.example-01_a')).toBe('web1.example-01_a');
    expect(printable('evil\x1b]0;owned\x07')).toBe('evil\\x1b]0;owned\\x07');
    expect(printable('a\rb\nc\td')).toBe('a\\x0db\\x0ac\\x09d');
    expect(printable('x\u202eexe.cod')).toBe('x\\u{202e}exe.cod');
    expect(printable('\u009b31m')).toBe('\\x9b31m');
    expect(printable('zero\u200bwidth\ufeff')).toBe('zero\\u{200b}width\\u{feff}');
    expect(printable('Grüße, 日本')).toBe('Grüße, 日本');
  });
});
