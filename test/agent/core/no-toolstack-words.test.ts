import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../agent/core/effects.js';
import type { HostRead } from '../../../agent/core/events.js';
import { hostRead, replay, startedAgent } from './host-read.js';

// No toolstack answered the full read: a controller's inspect refused for it said only "no toolstack
// (xl or xm) answers", while why (the hypervisor not reachable, xl not installed) was in the journal
// alone. It quotes the last read's words, and drops them once a toolstack answers.

const WHY = 'cannot reach the Xen hypervisor (xencall: error: Could not obtain handle on privileged command interface): is this host booted with Xen?';

const read = (answered: boolean): HostRead =>
  answered
    ? hostRead()
    : hostRead({ toolstack: null, toolstackProblem: { code: 'XH_ERR_TOOL_NOT_FOUND', message: WHY }, domains: { ok: false, code: 'XH_ERR_TOOL_NOT_FOUND', message: WHY } });

/** The lines each event in turn logs that match RE. */
const linesOf = (fx: readonly Effect[][], re: RegExp): string[][] => fx.map((f) => f.flatMap((e) => (e.e === 'log' && re.test(e.msg) ? [`${e.level} ${e.msg}`] : [])));

describe('a refusal for want of a toolstack says why none answered', () => {
  it("quotes the last full read's words", () => {
    const inspect = { t: 'link-message', gen: 0, message: { type: 'command', commandId: 'c1', op: 'inspect', name: 'vm1', by: 'ctl:test' } } as const;
    const { effects } = replay(startedAgent(), [{ t: 'full-read', read: read(false) }, inspect], (i) => (i + 1) * 1_000);
    expect(linesOf(effects, /^controller command inspect/)[1]).toEqual([`warn controller command inspect vm1 failed: no toolstack (xl or xm) answers on xen1: cannot list its domains (${WHY})`]);
  });
});

describe('no toolstack answering, in the journal', () => {
  it('is said once, not at every full read (each minute), and once more when one answers again', () => {
    const reads = [read(false), read(false), read(false), read(true), read(true)];
    const { effects } = replay(startedAgent(), reads.map((r) => ({ t: 'full-read', read: r })), (i) => (i + 1) * 60_000);
    expect(linesOf(effects, /toolstack answers/)).toEqual([[`error no toolstack answers: ${WHY}`], [], [], ['info the toolstack answers again (xl)'], []]);
  });
});
