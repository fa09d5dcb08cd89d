import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderAutostartStatus } from '../../../agent/cli/autostart-render.js';
import { AgentStatusSchema } from '../../../shared/protocol/agent-control.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// File names in the guarded dir become domU names and config paths in `autostart status`: a name
// with an escape sequence or a newline must not steer the terminal or forge a line of the table.
// In process, on the simulator; the JSON output escapes them by itself.

const FLEET = pairFleet({ optionLine: false, migrateTab: [], running: 'no' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

describe('autostart status as a person reads it', () => {
  it('escapes control characters of guarded-dir file names', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    writeFileSync(join(f.sim.hostRoot('xen1'), 'etc/xen/drbd-auto', 'ev\x1b[2Jil\nFAKE-LINE.cfg'), 'this is not a domU config\n');
    f.startAgent('xen1');
    await f.log('xen1', (l) => String(l.msg).startsWith('ready'), 'ready');
    const r = await f.agent('xen1').control({ op: 'status' });
    if (!r.ok) throw new Error(r.error.message);
    const status = AgentStatusSchema.parse(r.status);
    expect(status.guarded.map((g) => g.name)).toContain('ev\x1b[2Jil\nFAKE-LINE');
    const text = renderAutostartStatus(status);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(text).toContain('ev\\x1b[2Jil\\x0aFAKE-LINE');
    expect(text.split('\n').some((l) => l.startsWith('FAKE-LINE'))).toBe(false);
  });
});
