import { describe, expect, it } from 'vitest';
import { sanitiseXenstoreValue, unsanitiseXenstoreValue } from '../../../agent/parse/xenstore-value.js';

// xenstore-read escapes what it prints; xenstore-write interprets backslashes in its argument.
describe('xenstore value escaping', () => {
  it('decodes what sanitise_value prints', () => {
    expect(unsanitiseXenstoreValue('a\\tb\\nc\\\\d\\001\\x7f')).toBe('a\tb\nc\\d\x01\x7f');
  });
  it('encodes backslashes for xenstore-write so the value is stored as given', () => {
    expect(sanitiseXenstoreValue('C:\\x41\\n')).toBe('C:\\\\x41\\\\n');
    expect(unsanitiseXenstoreValue(sanitiseXenstoreValue('C:\\x41\\n'))).toBe('C:\\x41\\n');
  });

  // Each argument and the bytes xenstore_client.c's unsanitise_value (glibc 2.36) stored for it.
  // A `\x` with one hex digit was read as a literal x; `\777` came out as char 511, not a byte.
  const decoded: readonly (readonly [string, readonly number[]])[] = [
    ['a\\x4', [0x61, 0x04]],
    ['a\\x41', [0x61, 0x41]],
    ['a\\x412', [0x61, 0x41, 0x32]],
    ['a\\xFf', [0x61, 0xff]],
    ['a\\x0', [0x61, 0x00]],
    ['a\\xg', [0x61, 0x78, 0x67]],
    ['a\\x', [0x61, 0x78]],
    ['a\\xx1', [0x61, 0x78, 0x78, 0x31]],
    // scanf skips blanks before the number, outside the width
    ['a\\x 41', [0x61, 0x41]],
    ['a\\x  41', [0x61, 0x41]],
    ['a\\x\t4z', [0x61, 0x04, 0x7a]],
    ['a\\x\n41', [0x61, 0x41]],
    ['a\\x\v\f\r5', [0x61, 0x05]],
    // a sign takes one of the two characters; a negative number stores its low byte
    ['a\\x+4', [0x61, 0x04]],
    ['a\\x+41', [0x61, 0x04, 0x31]],
    ['a\\x-1', [0x61, 0xff]],
    ['a\\x-f', [0x61, 0xf1]],
    ['a\\x -1', [0x61, 0xff]],
    ['a\\x-', [0x61, 0x78, 0x2d]],
    ['a\\x-g', [0x61, 0x78, 0x2d, 0x67]],
    ['a\\x+ 1', [0x61, 0x78, 0x2b, 0x20, 0x31]],
    ['a\\x--1', [0x61, 0x78, 0x2d, 0x2d, 0x31]],
    // 0x is a prefix scanf takes, the two characters' worth
    ['a\\x0x12', [0x61, 0x00, 0x31, 0x32]],
    ['a\\x0X', [0x61, 0x00]],
    ['a\\x0xg', [0x61, 0x00, 0x67]],
    ['a\\x0x0', [0x61, 0x00, 0x30]],
    ['a\\x 0x', [0x61, 0x00]],
    ['a\\x+0x1', [0x61, 0x00, 0x78, 0x31]],
    ['a\\x0g', [0x61, 0x00, 0x67]],
    ['a\\x00b', [0x61, 0x00, 0x62]],
    // octal: one to three digits, the low byte kept
    ['a\\777', [0x61, 0xff]],
    ['a\\400', [0x61, 0x00]],
    ['a\\1234', [0x61, 0x53, 0x34]],
    ['a\\08', [0x61, 0x00, 0x38]],
    // an unknown escape loses its backslash; one at the very end is stored as a NUL
    ['a\\8', [0x61, 0x38]],
    ['a\\q', [0x61, 0x71]],
    ['a\\\\b', [0x61, 0x5c, 0x62]],
    ['abc\\', [0x61, 0x62, 0x63, 0x00]],
  ];
  it.each(decoded)('decodes %j as the C tool does', (arg, bytes) => {
    expect([...unsanitiseXenstoreValue(arg)].map((c) => c.charCodeAt(0))).toEqual(bytes);
  });
});
