import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { HostRead } from '../../../agent/core/events.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { ONLINE } from '../../../shared/protocol/agent-link-state.js';

// No toolstack answered the full read: a controller's inspect refused for it said only "no toolstack
// (xl or xm) answers", while why (the hypervisor not reachable, xl not installed) was in the journal
// alone. It quotes the last read's words, and drops them once a toolstack answers.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({ events: { drbd: 'poll', domains: 'poll' } });
const WHY = 'cannot reach the Xen hypervisor (xencall: error: Could not obtain handle on privileged command interface): is this host booted with Xen?';

const read = (answered: boolean): HostRead => ({
  host: 'xen1',
  toolstack: answered ? 'xl' : null,
  toolstackProblem: answered ? null : { code: 'XH_ERR_TOOL_NOT_FOUND', message: WHY },
  info: null,
  domains: answered ? { ok: true, domains: [] } : { ok: false, code: 'XH_ERR_TOOL_NOT_FOUND', message: WHY },
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

/** The agent after a full read, then a controller's inspect of vm1: the line it logs of the inspect's end. */
function inspectAfter(reads: HostRead[]): string[] {
  let s: AgentState = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  s = reduce(s, { t: 'start' }, T0).state;
  for (const r of reads) s = reduce(s, { t: 'full-read', read: r }, T0 + 1_000).state;
  const step = reduce(s, { t: 'link-message', gen: 0, message: { type: 'command', commandId: 'c1', op: 'inspect', name: 'vm1', by: 'ctl:test' } }, T0 + 2_000);
  return step.effects.flatMap((e: Effect) => (e.e === 'log' && e.msg.startsWith('controller command inspect') ? [e.msg] : []));
}

describe("a refusal for want of a toolstack says why none answered", () => {
  it("quotes the last full read's words", () => {
    expect(inspectAfter([read(false)])).toEqual([`controller command inspect vm1 failed: no toolstack (xl or xm) answers on xen1: cannot list its domains (${WHY})`]);
  });
});

describe('no toolstack answering, in the journal', () => {
  /** The toolstack lines each full read in turn logs. */
  function linesOf(reads: HostRead[]): string[][] {
    let s: AgentState = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
    s = reduce(s, { t: 'start' }, T0).state;
    return reads.map((r, i) => {
      const step = reduce(s, { t: 'full-read', read: r }, T0 + (i + 1) * 60_000);
      s = step.state;
      return step.effects.flatMap((e: Effect) => (e.e === 'log' && /toolstack answers/.test(e.msg) ? [`${e.level} ${e.msg}`] : []));
    });
  }

  it('is said once, not at every full read (each minute), and once more when one answers again', () => {
    expect(linesOf([read(false), read(false), read(false), read(true), read(true)])).toEqual([[`error no toolstack answers: ${WHY}`], [], [], ['info the toolstack answers again (xl)'], []]);
  });
});
