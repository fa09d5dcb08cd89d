import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { HostRead } from '../../../agent/core/events.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { ONLINE } from '../../../shared/protocol/agent-link-state.js';

// A full read's `xl info` that fails (an xl whose physical info Xen refuses, say) was dropped without
// a word: the host just had no memory figures for the controller's plans. Said once, again when the
// words change, and when it reads again; a read that ran no `xl info` changes nothing.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({ events: { drbd: 'poll', domains: 'poll' } });
const DENIED = 'xl info: xl printed the Xen version but no physical info (nr_cpus … free_memory)';

const read = (info: HostRead['info']): HostRead => ({
  host: 'xen1',
  toolstack: 'xl',
  toolstackProblem: null,
  info,
  domains: { ok: true, domains: [] },
  guarded: [],
  guardedProblem: null,
  visitors: [],
  ledger: null,
  ledgerProblem: null,
  maintenance: { flag: ONLINE, problem: null },
  memory: null,
  xen: null,
  homes: [],
  homesProblem: null,
  domus: [],
  drbd: { availability: 'tools-missing', version: null, problem: null, polled: null },
});

/** The log lines of each full read in turn, as level and message. */
function logsOf(infos: HostRead['info'][]): string[][] {
  let s: AgentState = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  s = reduce(s, { t: 'start' }, T0).state;
  return infos.map((info, i) => {
    const step = reduce(s, { t: 'full-read', read: read(info) }, T0 + (i + 1) * 60_000);
    s = step.state;
    return step.effects.flatMap((e: Effect) => (e.e === 'log' && /info/.test(e.msg) ? [`${e.level} ${e.msg}`] : []));
  });
}

describe("a full read's xl info that fails", () => {
  it('is said once at warn, not again each minute, again when its words change, and once when it reads again', () => {
    const logs = logsOf([{ problem: DENIED }, { problem: DENIED }, null, { problem: `${DENIED}; again` }, { problem: null }, { problem: null }]);
    expect(logs).toEqual([
      [`warn cannot read xl info: ${DENIED}; no memory figures for the controller's plans until it reads`],
      [],
      [],
      [`warn cannot read xl info: ${DENIED}; again; no memory figures for the controller's plans until it reads`],
      ['info xl info read again: the memory figures go to the controller again'],
      [],
    ]);
  });

  it('one that answers from the start says nothing', () => {
    expect(logsOf([{ problem: null }, null, { problem: null }])).toEqual([[], [], []]);
  });
});
