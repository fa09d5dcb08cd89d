import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controllerBed, metricsText } from './controller-bed.js';
import { until } from '../../helpers/until.js';

// tokens.json broken under a running controller (a hand edit saved half-way, a disk full mid-copy,
// a wrong key): the controller keeps the tokens it last read whole, and its log says which file and
// what to do. Each case is a real change of the file on disk, and the test waits for the log line.
const bed = controllerBed();

const BROKEN: ReadonlyArray<{ what: string; text: (good: string) => string; says: RegExp }> = [
  { what: 'truncated', text: (good) => good.slice(0, Math.floor(good.length / 2)), says: /: not valid JSON: restore it from a backup, or remove it and enroll every agent again$/ },
  { what: 'emptied', text: () => '', says: /: not valid JSON: restore it from a backup, or remove it and enroll every agent again$/ },
  { what: 'not JSON', text: () => 'schema = 1\n', says: /: not valid JSON: restore it from a backup, or remove it and enroll every agent again$/ },
  { what: 'of another schema', text: (good) => good.replace('"schema": 1', '"schema": 2'), says: /: key "schema": .*: fix it, or restore the file from a backup$/ },
  { what: 'with a stray key', text: (good) => good.replace('"schema": 1', '"schema": 1, "operator": {}'), says: /: unknown key "operator": .*: fix it, or restore the file from a backup$/ },
];

describe('tokens.json broken while the controller runs', () => {
  for (const b of BROKEN) {
    it(`${b.what}: the last good tokens keep working, and one error names the file and the fix`, async () => {
      const c = await bed.start({}, {}, { enrolled: true });
      const file = join(c.dir, 'state', 'tokens.json');
      const xen1 = await c.agent('xen1');
      xen1.hello();
      const good = readFileSync(file, 'utf8');
      expect(await metricsText(c)).toContain('xenherd_');

      writeFileSync(file, b.text(good));
      // the admin's request is what reads the file again: it is answered from the last good tokens
      expect(await metricsText(c)).toContain('xenherd_');
      await until(() => c.events('tokens-unreadable').length > 0, 'the tokens-unreadable line', { limitMs: 10_000 });
      const lines = c.events('tokens-unreadable');
      expect(lines.map((l) => [l['level'], l['msg']])).toEqual([[50, expect.stringMatching(new RegExp(`^tokens unreadable, keeping the last good ones: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]]);
      expect(String(lines[0]?.['msg'])).toMatch(b.says);
      // the agent's link, checked on every frame against the tokens, stays open; xen1 stays enrolled
      xen1.hello();
      expect(await metricsText(c)).toContain('xenherd_');
      expect(xen1.closed).toBeNull();
      expect(c.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1']);
      // said once for the one broken file, not at every read
      expect(c.events('tokens-unreadable')).toHaveLength(1);

      // put right, it is read again: a token enrolled now works
      writeFileSync(file, good);
      const reader = await c.operator('viewer', 'read');
      expect(await metricsText(c, reader)).toContain('xenherd_');
    });
  }
});
