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
});
