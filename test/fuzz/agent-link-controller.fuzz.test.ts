import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ControllerCore } from '../../controller/core/controller-core.js';
import type { ControllerSettings } from '../../controller/core/settings.js';
import { isErrorCode } from '../../shared/errors.js';
import { CLOSE } from '../../shared/link/link.js';
import { AGENT_LINK_PROTOCOL_VERSION, ControllerMessageSchema, type AgentMessage } from '../../shared/protocol/agent-link.js';
import { DomainsAnswerSchema, HostsAnswerSchema, StatusAnswerSchema, WhereAnswerSchema } from '../../shared/protocol/ctl-api.js';
import { memoryLogger, type LogLine } from '../harness/memory-log.js';
import { away, dom, guarded, hostState, primary } from '../controller/states.js';
import { count, deepArrayText, deepObjectText, hostileValue, mutatedJsonDeep, mutatedText, reportCounts, runs, scaled } from './fuzz-kit.js';
import { floodClock } from './flood-clock.js';
import { handLink, type HandLink } from './hand-link.js';
import { heapAfterGc } from './heap-after-gc.js';

// The controller's side of the agent link (AgentSession in ControllerCore), fed what a broken or
// hostile agent could send after it authenticated: random JSON, valid messages mutated node by
// node or as text, wrong types, deep nesting, frames at and above the size limit, other protocol
// versions, floods. Each frame is taken or the link is refused with an `error` (a catalog code)
// and a logged reason; nothing throws; another agent's link keeps being served; the answers the
// operator API gives stay in their schemas; a flood does not grow the heap.

reportCounts('agent-link (controller side)');

const MAX = 65_536;
const SETTINGS: Partial<ControllerSettings> = { maxMessageBytes: MAX, heartbeatMs: 1_000, staleAfterMs: 3_000 };

const hello = (host: string): AgentMessage => ({ type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION, host, bootId: `boot-${host}`, agentVersion: '0.1.0', capabilities: ['migrate', 'reverse', 'inspect'] });
const STATE = hostState({
  domains: [dom('web1'), dom('web2', { migration: 'incoming' }), dom('db1', { state: 'paused', domid: null })],
  guarded: [guarded('web1'), guarded('db1', ['r-db1'], { decision: 'defer', reason: 'peer-not-connected' })],
  drbd: { availability: 'ok', resources: [primary('r-web1', 'xen2'), primary('r-db1', 'xen2', 'Secondary', 'Unknown')] },
  ledger: { seq: 3, away: { app1: away('HOST', 'xen2') }, visitors: { web2: { home: 'xen2', since: '2024-05-01T14:02:00.000Z', operationId: 'op-9' } } },
  homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }],
  domus: [{ name: 'web1', source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web1', hosts: ['HOST', 'xen2'] }] }],
});
const stateFor = (host: string): unknown => JSON.parse(JSON.stringify(STATE).replaceAll('HOST', host));
const MESSAGES = (host: string): unknown[] => [
  hello(host),
  { type: 'snapshot', seq: 1, at: 1000, state: stateFor(host) },
  { type: 'delta', seq: 2, at: 1001, state: { domains: (stateFor(host) as { domains: unknown[] }).domains } },
  { type: 'delta', seq: 3, at: 1002, state: { maintenance: { state: 'draining', operationId: 'op-1', owner: 'ctl' } } },
  { type: 'heartbeat', at: 1003 },
  { type: 'progress', commandId: 'cmd-1', line: 'copying' },
  { type: 'result', commandId: 'cmd-1', ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'no', detail: null },
];

/** A core on the deterministic clock, a healthy canary agent, and checks for every fuzzed link. */
function bed(logToMemory = true) {
  const clock = floodClock(1_000_000);
  const mem = memoryLogger(clock, 'xenherd-controller');
  const log = logToMemory ? mem.log : pino({ level: 'debug' }, { write: () => undefined });
  let ids = 0;
  const core = new ControllerCore({ clock, log, newId: () => `id${++ids}`, settings: SETTINGS });
  const canary = handLink('memory:canary');
  core.acceptAgent(canary.link, { host: 'canary' });
  canary.deliver(JSON.stringify(hello('canary')));
  canary.deliver(JSON.stringify({ type: 'snapshot', seq: 1, at: 1, state: hostState() }));
  let seq = 1;
  let n = 0;
  return {
    core,
    clock,
    logs: mem.lines,
    /** time passes; the canary (and the links given) keep sending heartbeats meanwhile */
    tick(ms: number, alsoHeartbeat: HandLink[] = []): void {
      for (let t = 0; t < ms; t += 500) {
        for (const h of [canary, ...alsoHeartbeat]) h.deliver(JSON.stringify({ type: 'heartbeat', at: 3 }));
        clock.advance(500);
      }
    },
    /** the canary reports a new domU; the core must show it at once */
    stillServing(): void {
      const name = `canary${++n}`;
      canary.deliver(JSON.stringify({ type: 'delta', seq: ++seq, at: 2, state: { domains: [dom(name)] } }));
      const r = core.where(name);
      expect(r.ok && r.value.matches[0]?.places[0]?.host, `the canary's ${name} is found`).toBe('canary');
      expect(canary.closed).toBeNull();
    },
    /** what the operator API would answer, checked against its schemas */
    answersInSchema(): void {
      const w = core.where('*');
      if (w.ok) WhereAnswerSchema.parse(w.value);
      HostsAnswerSchema.parse(core.hosts());
      const d = core.domains(null);
      if (d.ok) DomainsAnswerSchema.parse(d.value);
      StatusAnswerSchema.parse(core.status());
    },
  };
}

/**
 * Everything the controller sent is in the protocol; a refused link got `error` last, with a logged
 * reason; one closed for a new snapshot (reports out of step) got no `error`, and says why in its close.
 */
function refusedProperly(h: HandLink, logs: LogLine[], logsBefore: number): void {
  const sent = h.sent.map((f) => ControllerMessageSchema.parse(JSON.parse(f)));
  if (h.closed === null || h.closed.code === CLOSE.replaced) return;
  if (h.closed.code === CLOSE.resync) {
    expect(sent.some((m) => m.type === 'error')).toBe(false);
    expect(h.closed.reason).toMatch(/out of step/);
    return;
  }
  const last = sent.at(-1);
  expect(last?.type, `closed ${JSON.stringify(h.closed)} without an error message`).toBe('error');
  if (last?.type === 'error') expect(isErrorCode(last.code)).toBe(true);
  expect([CLOSE.protocol, CLOSE.policy, CLOSE.tooBig]).toContain(h.closed.code);
  const refusal = logs.slice(logsBefore).find((l) => l['event'] === 'agent-refused');
  expect(typeof refusal?.['reason'], 'the refusal is logged with its reason').toBe('string');
}

const frame = (host: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 5, arbitrary: fc.constantFrom(...MESSAGES(host)).chain(mutatedJsonDeep).map((v) => JSON.stringify(v) ?? '') },
    { weight: 2, arbitrary: fc.constantFrom(...MESSAGES(host)).chain((m) => mutatedText(JSON.stringify(m))) },
    { weight: 1, arbitrary: fc.constantFrom(deepArrayText(20_000), deepObjectText(20_000), 'x'.repeat(MAX + 1), `{"type":"heartbeat","at":1,"pad":"${'x'.repeat(MAX)}"}`) },
  );

describe('agent link, controller side: every frame is taken or refused with a reason', () => {
  it('before hello: random, mutated and oversized first frames', () => {
    const b = bed();
    let i = 0;
    fc.assert(
      fc.property(fc.array(frame('xen1'), { minLength: 1, maxLength: 3 }), (frames) => {
        count('first frames');
        const host = `xen${++i % 8}`;
        const h = handLink(`memory:${host}`);
        const before = b.logs.length;
        b.core.acceptAgent(h.link, { host });
        for (const f of frames) h.deliver(f.replaceAll('xen1', host));
        refusedProperly(h, b.logs, before);
        b.stillServing();
        if (i % 4 === 0) b.answersInSchema();
      }),
      runs(400),
    );
  }, 60_000);

  it('after hello and snapshot: mutated snapshots, deltas, results; the views stay in their schemas', () => {
    const b = bed();
    let i = 0;
    fc.assert(
      fc.property(fc.array(frame('xen1'), { minLength: 1, maxLength: 4 }), (frames) => {
        count('frames on a live link');
        const host = `xen${++i % 8}`;
        const h = handLink(`memory:${host}`);
        b.core.acceptAgent(h.link, { host });
        h.deliver(JSON.stringify(hello(host)));
        h.deliver(JSON.stringify({ type: 'snapshot', seq: 1, at: 1000, state: stateFor(host) }));
        const before = b.logs.length;
        for (const f of frames) h.deliver(f.replaceAll('xen1', host));
        refusedProperly(h, b.logs, before);
        b.stillServing();
        if (i % 2 === 0) b.answersInSchema();
      }),
      runs(300),
    );
  }, 60_000);

  it('other protocol versions: refused naming both versions; a second hello or a delta before the snapshot is refused', () => {
    const b = bed();
    const versions: unknown[] = [0, 2, 3, 99, -1, 1.5, 2 ** 53, 1e308, '1', '2', null, true, [1], { v: 1 }];
    for (const [k, protocol] of versions.entries()) {
      count('protocol versions');
      const h = handLink(`memory:v${k}`);
      b.core.acceptAgent(h.link, { host: `v${k}` });
      h.deliver(JSON.stringify({ ...hello(`v${k}`), protocol, newField: 'from the future' }));
      const error = ControllerMessageSchema.parse(JSON.parse(h.sent.at(-1) ?? 'null'));
      expect(error).toMatchObject({ type: 'error', code: 'XH_ERR_PROTOCOL' });
      if (typeof protocol === 'number' && error.type === 'error') expect(error.message).toContain(`version ${protocol}, this controller speaks version ${AGENT_LINK_PROTOCOL_VERSION}`);
      expect(h.closed?.code).toBe(CLOSE.protocol);
    }
    for (const wrongOrder of [[MESSAGES('o1')[2]], [MESSAGES('o1')[0], MESSAGES('o1')[0]], [MESSAGES('o1')[0], MESSAGES('o1')[4], MESSAGES('o1')[5]], [MESSAGES('o1')[0], MESSAGES('o1')[1], MESSAGES('o1')[1]]]) {
      count('protocol versions');
      const h = handLink('memory:o1');
      b.core.acceptAgent(h.link, { host: 'o1' });
      for (const m of wrongOrder) h.deliver(JSON.stringify(m));
      expect(h.closed?.code).toBe(CLOSE.protocol);
    }
    b.stillServing();
  });

  it('frames at the size limit: just under is read, just over is refused (1009)', () => {
    const b = bed();
    const h = handLink('memory:big');
    b.core.acceptAgent(h.link, { host: 'big' });
    h.deliver(JSON.stringify(hello('big')));
    const under = JSON.stringify({ type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: Array.from({ length: 400 }, (_, i) => dom(`vm-${String(i).padStart(4, '0')}`)) }) });
    expect(under.length).toBeLessThan(MAX);
    h.deliver(under);
    expect(h.closed).toBeNull();
    h.deliver(`{"type":"heartbeat","at":1}${' '.repeat(MAX - 27)}`);
    expect(h.closed).toBeNull();
    h.deliver(`{"type":"heartbeat","at":1}${' '.repeat(MAX)}`);
    expect(h.closed?.code).toBe(CLOSE.tooBig);
    count('size limit', 3);
    b.stillServing();
  });

  it(`a flood of ${scaled(10_000)} refused links, and of ${scaled(10_000)} useless frames on one link, does not grow the heap`, async () => {
    const b = bed(false);
    const floodRefused = (round: number): void => {
      for (let i = 0; i < scaled(10_000); i++) {
        const h = handLink(`memory:flood${i}`);
        b.core.acceptAgent(h.link, { host: `flood${i % 100}` });
        h.deliver(i % 2 === 0 ? `{"type":"hello","protocol":${round + 7}}` : '{"garbage');
        count('flood frames');
      }
    };
    const live = handLink('memory:chatty');
    b.core.acceptAgent(live.link, { host: 'chatty' });
    live.deliver(JSON.stringify(hello('chatty')));
    live.deliver(JSON.stringify({ type: 'snapshot', seq: 1, at: 1, state: hostState() }));
    const floodUseless = (): void => {
      for (let i = 0; i < scaled(10_000); i++) {
        live.deliver(JSON.stringify(i % 3 === 0 ? { type: 'heartbeat', at: i } : i % 3 === 1 ? { type: 'progress', commandId: `cmd-${i}`, line: 'x'.repeat(200) } : { type: 'result', commandId: `cmd-${i}`, ok: true, code: null, message: '', detail: null }));
        count('flood frames');
      }
      live.sent.length = 0;
    };
    // a refused link's hello deadline stays armed until staleAfterMs has passed: let it pass
    const settle = async (): Promise<number> => {
      const armed = b.clock.armed;
      const held = await heapAfterGc();
      b.tick(SETTINGS.staleAfterMs as number, [live]);
      const heap = await heapAfterGc();
      const mib = (n: number): string => (n / 1048576).toFixed(1);
      process.stdout.write(`fuzz agent-link flood: ${armed} hello deadlines armed: heap ${mib(held)} MiB; once they passed (${b.clock.armed} armed): ${mib(heap)} MiB\n`);
      return heap;
    };
    floodRefused(0);
    floodUseless();
    const first = await settle();
    floodRefused(1);
    floodUseless();
    floodRefused(2);
    floodUseless();
    const third = await settle();
    const growthMiB = (third - first) / 1024 / 1024;
    process.stdout.write(`fuzz agent-link flood: heap after round 1 ${(first / 1048576).toFixed(1)} MiB, after round 3 ${(third / 1048576).toFixed(1)} MiB\n`);
    expect(growthMiB, `heap grew ${growthMiB.toFixed(1)} MiB over two more floods`).toBeLessThan(8);
    expect(live.closed).toBeNull();
    b.stillServing();
  }, 60_000);
});
