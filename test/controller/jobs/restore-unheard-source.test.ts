import { describe, expect, it } from 'vitest';
import { jobsBed, SPREAD } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

// A restore of xen1 whose domUs run on xen2, and xen2's agent is gone (a Dom0 dead at night, as
// the job sees it: an agent that may be restarting). The job waits for it; its note says how long,
// what ends the wait, and how to end the job at once, not only that xen2 is unreachable.
const RESTORE = { kind: 'restore', host: 'xen1', timeoutMs: null } as const;
const away: SimSpec = { ...SPREAD, domus: SPREAD.domus.map((d) => (d.name === 'a1' || d.name === 'a2' ? { ...d, on: 'xen2' } : d)) };

describe('restore waiting for a source Dom0 not heard from', () => {
  it('says the limit, what ends the wait and the cancel that ends the job now', async () => {
    const bed = await jobsBed(away);
    bed.fleet.host('xen2').crashAgent();
    await bed.until(async () => {
      const plan = await bed.core.hub.plan({ kind: 'restore', host: 'xen1' });
      return plan.ok && JSON.stringify(plan).includes('"unreachable"');
    }, 'xen2 unreachable');
    const job = bed.start(RESTORE);
    await bed.until(() => job.events.some((e) => e.type === 'note' && e.line.startsWith('waiting')), 'the waiting note');
    const note = job.events.find((e) => e.type === 'note' && e.line.startsWith('waiting'));
    const started = job.events.find((e) => e.type === 'job');
    const jobId = started?.type === 'job' ? started.jobId : '?';
    expect(note?.type === 'note' ? note.line : '').toMatch(
      new RegExp(
        `^waiting \\(2 domUs\\): 2 domUs \\(a1, a2\\) alike, e\\.g\\. a1: xen2 is unreachable \\(its agent is not connected\\), so it cannot be asked to move it; ` +
          `this job waits for xen2's agent up to 5 min \\(until \\d\\d:\\d\\d:\\d\\d UTC\\): a report from it ends the wait and the moves go on, else the job ends then naming what is left \\(run it again once the Dom0 is back\\); ` +
          `if the Dom0 is down \\(its console, its power\\), \`xenherdctl cancel ${jobId}\` ends the job now$`,
      ),
    );
    const end = await bed.finish(job, 900_000);
    expect(end).toMatchObject({ ok: false });
    expect(end.remaining.map((l) => l.name)).toEqual(['a1', 'a2']);
  });
});
