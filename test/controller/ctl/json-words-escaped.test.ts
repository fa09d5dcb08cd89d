import { describe, expect, it } from 'vitest';
import { controllerBed } from '../api/controller-bed.js';
import { dom, hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `xenherdctl migrate --json` streams the agent's progress lines and result as JSON lines. An agent
// (or the peer whose words its result quotes) may send U+009B (CSI to a UTF-8 terminal), a
// right-to-left override or zero-width characters: JSON.stringify escapes only C0 controls, so
// they reached whoever read the stream in a terminal. The values a script parses are unchanged.
const bed = controllerBed();
const WORDS = 'xen2 refused: \u009b2J\u202edone\u200b\u2028\u007f';
const RAW = /[\u007f-\u009f\u200b\u2028\u202e]/;

describe('xenherdctl --json: words from the agents written as JSON escapes', () => {
  it("migrate --json: a progress line and the agent's result, each line free of them and parsing to what the agent sent", async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }] }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [] }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
    xen1.onCommand((cmd) => {
      xen1.progress(cmd.commandId, `migrating web01: ${WORDS}`);
      xen1.result(cmd.commandId, { ok: false, code: 'XH_ERR_REFUSED', message: WORDS, detail: WORDS });
    });
    const r = await ctlFor(c)(['migrate', 'web01', 'xen2', '--json']);
    expect(r.code).toBe(77);
    const lines = r.stdout.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).not.toMatch(RAW);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(expect.objectContaining({ type: 'progress', line: `migrating web01: ${WORDS}` }));
    expect(events.at(-1)).toMatchObject({ type: 'result', ok: false, code: 'XH_ERR_REFUSED', message: WORDS, detail: WORDS });
  });
});
