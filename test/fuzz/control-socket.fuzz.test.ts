import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAgent } from '../../agent/control/client.js';
import { listenControl, type ControlServer } from '../../agent/control/server.js';
import { CONTROL_PROTOCOL_VERSION, ControlRequestSchema, ControlResponseSchema, type ControlRequest } from '../../shared/protocol/agent-control.js';
import { startAgentOnSim, type SimAgent } from '../harness/agent-on-sim.js';
import { startSim, type Sim } from '../sim/sim.js';
import { count, deepObjectText, hostileValue, mutatedJsonDeep, mutatedText, reportCounts, runs } from './fuzz-kit.js';
import { pairFleet } from '../harness/pair-fleet.js';
import { until } from '../helpers/until.js';

// The agent's control socket: bytes of any kind from a client (JSON of the wrong shape, mutated
// requests, no line end, several lines, binary, 64 KiB and more) get one JSON response line
// (a USAGE error naming what was wrong), or none when the client leaves first; only a request of
// the schema reaches the handler. Then the agent core behind it, fed schema-valid requests with
// odd values: every answer is in the protocol, and it answers `status` afterwards.

reportCounts('control-socket');

const VALID: ControlRequest[] = [
  { v: 1, op: 'status' },
  { v: 1, op: 'reload' },
  { v: 1, op: 'rescan', why: 'migrate of web1 from xen1 to xen2 (operation op-1)' },
  { v: 1, op: 'start' },
  { v: 1, op: 'stop' },
  { v: 1, op: 'force', name: 'web1', reason: 'operator says so', operator: 'root' },
  { v: 1, op: 'hold', name: 'web1', purpose: 'migrate', operation: 'op-1', by: 'xenherd-agent migrate (pid 42)' },
];

/** Sends TEXT on a fresh connection (closing our side when END), returns what came back. */
function exchange(path: string, text: string | Buffer, end: boolean): Promise<string> {
  return new Promise((resolve) => {
    const c = createConnection(path, () => {
      c.write(text);
      if (end) c.end();
    });
    let out = '';
    c.on('data', (d) => {
      out += d.toString();
      // a granted hold stays open: its one line is the answer
      if (out.includes('\n')) c.destroy();
    });
    c.on('error', () => undefined);
    c.on('close', () => resolve(out));
  });
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('the control socket over its unix socket', () => {
  let dir: string;
  let server: ControlServer;
  let path: string;
  const seen: ControlRequest[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-fuzz-ctl-'));
    path = join(dir, 'run', 'agent.sock');
    const s = await listenControl(path, async (req, conn) => {
      seen.push(req);
      if (req.op === 'hold') conn.keepOpen(() => undefined);
      return { v: CONTROL_PROTOCOL_VERSION, ok: true, message: req.op };
    });
    if (!s.ok) throw new Error(s.error.message);
    server = s.value;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every input gets one response line in the protocol, and only schema-valid requests reach the handler', async () => {
    const fdsBefore = openFds();
    const line = fc.oneof(
      hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
      fc.constantFrom(...VALID).chain((v) => mutatedJsonDeep(v)).map((v) => JSON.stringify(v) ?? ''),
      fc.constantFrom(...VALID).chain((v) => mutatedText(JSON.stringify(v))),
      fc.constantFrom(deepObjectText(20_000), 'x'.repeat(70_000), `${JSON.stringify(VALID[0])}${' '.repeat(70_000)}`),
    );
    await fc.assert(
      fc.asyncProperty(line, fc.constantFrom('\n', '\r\n', '\n{"v":1,"op":"stop"}\n', ''), fc.boolean(), async (first, tail, binary) => {
        count('control socket lines');
        const payload = binary ? Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(first + tail)]) : first + tail;
        const before = seen.length;
        const answer = await exchange(path, payload, true);
        const text = typeof payload === 'string' ? payload : payload.toString('utf8');
        const nl = text.indexOf('\n');
        if (answer === '') {
          // only a request the client ended before its line end (and under the size bound) goes unanswered
          expect(nl < 0 && text.length <= 64 * 1024, `no answer to ${JSON.stringify(text.slice(0, 80))}`).toBe(true);
          return;
        }
        expect(answer.endsWith('\n') && answer.indexOf('\n') === answer.length - 1).toBe(true);
        const r = ControlResponseSchema.parse(JSON.parse(answer));
        const valid = nl >= 0 && nl <= 64 * 1024 ? ControlRequestSchema.safeParse((() => { try { return JSON.parse(text.slice(0, nl)); } catch { return undefined; } })()) : null;
        if (valid?.success) {
          expect(r.ok).toBe(true);
          expect(seen.slice(before)).toEqual([valid.data]);
        } else {
          expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE' } });
          expect(seen.length).toBe(before);
        }
      }),
      runs(300),
    );
    // a flood of connections leaves no descriptor behind
    await Promise.all(Array.from({ length: 500 }, (_, i) => exchange(path, i % 2 ? 'junk\n' : '{', true)));
    count('control socket lines', 500);
    await until(() => openFds() <= fdsBefore + 2, () => `the flood's descriptors closed: at most ${fdsBefore + 2} open, ${openFds()} are`);
    const ok = await askAgent(path, { v: 1, op: 'status' });
    expect(ok.ok && ok.value.ok).toBe(true);
  });
});

describe('the agent core behind the socket: odd but schema-valid requests', () => {
  let sim: Sim;
  let agent: SimAgent;
  beforeAll(async () => {
    sim = await startSim({
      fleet: pairFleet({ optionLine: false, running: 'no', memMiB: 1024, vcpus: 1, more: 'domu db1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r2 running=xen1\n' }),
      clock: 'deterministic',
    });
    sim.drbd('r1', 'disconnect');
    agent = startAgentOnSim(sim, 'xen1');
    await sim.advance(2_000);
  });
  afterAll(async () => {
    agent.core.abandon();
    await sim.stop();
  });

  it('every answer is in the protocol and the agent answers status afterwards', async () => {
    const name = fc.oneof(fc.constantFrom('web1', 'db1', 'nope', 'Domain-0'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/));
    const text = fc.string({ minLength: 1, maxLength: 200 });
    const request: fc.Arbitrary<ControlRequest> = fc.oneof(
      fc.constantFrom<ControlRequest>({ v: 1, op: 'status' }, { v: 1, op: 'reload' }, { v: 1, op: 'start' }, { v: 1, op: 'stop' }),
      fc.record({ v: fc.constant(1 as const), op: fc.constant('force' as const), name, reason: text, operator: fc.option(fc.string({ maxLength: 100 })) }),
      fc.record({ v: fc.constant(1 as const), op: fc.constant('rescan' as const), why: fc.string({ minLength: 1, maxLength: 300 }) }),
      fc.record({ v: fc.constant(1 as const), op: fc.constant('hold' as const), name, purpose: fc.constantFrom('migrate' as const, 'migrate2' as const, 'reverse' as const), operation: fc.string({ minLength: 1, maxLength: 100 }), by: text }),
    );
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        count('agent core control requests');
        let release: (() => void) | null = null;
        let pending = true;
        const answer = agent.core.control(req, { keepOpen: (f) => (release = f) }).finally(() => (pending = false));
        // bounded in simulated time (10 s): a request the core never answers fails here, named
        await until(() => !pending, `the agent core's answer to ${JSON.stringify(req).slice(0, 200)}`, { step: () => sim.advance(50), steps: 200 });
        const r = ControlResponseSchema.parse(await answer);
        if (req.op === 'hold' && r.ok) expect(r.hold?.name).toBe(req.name);
        (release as (() => void) | null)?.();
        await sim.advance(10);
      }),
      runs(150),
    );
    const status = await agent.control({ op: 'status' });
    expect(status.ok && status.status?.host).toBe('xen1');
  });
});
