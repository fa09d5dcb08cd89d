import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN §4a: parse/, decide/ and state/ take data and return data: no adapter, no node:fs, no execa.
const root = new URL('../../agent/', import.meta.url).pathname;

describe('house rule: pure layers import no I/O', () => {
  it.each(['parse', 'decide', 'state'])('agent/%s', (dir) => {
    const offenders = readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => {
        const text = readFileSync(join(root, dir, f), 'utf8');
        return [...text.matchAll(/from '([^']+)'/g)]
          .map((m) => m[1] as string)
          .filter((m) => /^(node:)?(fs|child_process|net)(\/|$)|^execa$|\/adapters\/|\/run\//.test(m))
          .map((m) => `${dir}/${f}: ${m}`);
      });
    expect(offenders).toEqual([]);
  });
});
