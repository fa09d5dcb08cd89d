import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../../shared/link/link.js';
import { AGENT_LINK_PATH, AGENT_LINK_PROTOCOL_VERSION } from '../../../shared/protocol/agent-link.js';
import { dom, hostState } from '../states.js';
import { connectFakeAgent, type FakeAgent } from '../fake-agent.js';
import { controllerBed, type TestController } from './controller-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

/** A healthy agent, to show each refusal leaves the controller serving the others. */
async function healthy(c: TestController): Promise<FakeAgent> {
  const good = await c.agent('good1');
  good.hello();
  good.snapshot(hostState({ domains: [dom('keep01')] }));
  await until(() => c.core.where('keep01').ok && (c.core.where('keep01') as { ok: true; value: { matches: unknown[] } }).value.matches.length === 1, 'good1 reported', { limitMs: 10_000 });
  return good;
}

async function stillServing(c: TestController, good: FakeAgent, name: string): Promise<void> {
  good.delta({ domains: [dom('keep01'), dom(name)] });
  await until(() => {
    const r = c.core.where(name);
    return r.ok && r.value.matches.length === 1;
  }, `${name} reported by good1 after the refusal`, { limitMs: 10_000 });
  expect(good.closed).toBeNull();
  expect(c.core.hosts().hosts.find((h) => h.host === 'good1')?.reachable).toBe(true);
}

describe('agent links over real TLS WebSockets: each refusal is logged with its reason and leaves the controller unaffected', () => {
  it('an enrolled agent reports and is found', async () => {
    const c = await bed.start();
    const a = await c.agent('xen1');
    a.hello();
    await a.until(() => a.of('welcome').length === 1, 'welcome');
    expect(a.of('welcome')[0]).toMatchObject({ protocol: AGENT_LINK_PROTOCOL_VERSION });
    a.snapshot(hostState({ domains: [dom('web01')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
    const r = c.core.where('web01');
    expect(r.ok && r.value.matches[0]?.places[0]?.host).toBe('xen1');
  });

  it('a wrong token: refused before the WebSocket opens (HTTP 401)', async () => {
    const c = await bed.start();
    const good = await healthy(c);
    const token = await c.enroll('xen1');
    const wrong = `${token.slice(0, -4)}AAAA`;
    await expect(connectFakeAgent({ url: c.url.replace(/^http/, 'ws'), token: wrong, ca: c.caPem, host: 'xen1' })).rejects.toThrow(/HTTP 401/);
    await expect(connectFakeAgent({ url: c.url.replace(/^http/, 'ws'), token: 'xh1.000000000000.' + 'A'.repeat(43), ca: c.caPem, host: 'xen1' })).rejects.toThrow(/HTTP 401/);
    expect(c.events('agent-refused').map((l) => l['reason'])).toEqual([expect.stringMatching(/wrong secret for token id/), expect.stringMatching(/unknown token id 000000000000/)]);
    await stillServing(c, good, 'after-wrong-token');
  });

  it("an operator's token cannot open an agent link (HTTP 403)", async () => {
    const c = await bed.start();
    await expect(connectFakeAgent({ url: c.url.replace(/^http/, 'ws'), token: c.adminToken, ca: c.caPem, host: 'xen1' })).rejects.toThrow(/HTTP 403/);
    expect(c.events('agent-refused')[0]?.['reason']).toMatch(/operator token/);
  });

  it("xen1's token reporting as xen2: error XH_ERR_AUTH, then closed", async () => {
    const c = await bed.start();
    const good = await healthy(c);
    const a = await c.agent('xen1');
    a.hello({ host: 'xen2' });
    await a.until(() => a.closed !== null, 'close');
    expect(a.of('error')).toEqual([{ type: 'error', code: 'XH_ERR_AUTH', message: 'the token of xen1 was used to report as xen2: each host needs its own token: xenherd-controller enroll xen2' }]);
    expect(a.closed?.code).toBe(CLOSE.policy);
    expect(c.events('agent-refused')).toEqual([expect.objectContaining({ host: 'xen1', code: 'XH_ERR_AUTH', reason: 'the token of xen1 was used to report as xen2: each host needs its own token: xenherd-controller enroll xen2' })]);
    expect(c.core.hosts().hosts.map((h) => h.host)).toEqual(['good1']);
    await stillServing(c, good, 'after-wrong-host');
  });

  it('a message above maxPayload: the WebSocket closes with 1009', async () => {
    const c = await bed.start({ maxMessageBytes: 65_536 });
    const good = await healthy(c);
    const a = await c.agent('xen1');
    a.hello();
    a.snapshot(hostState());
    await a.until(() => a.of('welcome').length === 1, 'welcome');
    a.sendRaw(JSON.stringify({ type: 'heartbeat', at: 1, pad: 'x'.repeat(70_000) }));
    await a.until(() => a.closed !== null, 'close');
    expect(a.closed?.code).toBe(CLOSE.tooBig);
    await until(() => c.events('agent-refused').length === 1, 'the refusal logged', { limitMs: 10_000 });
    expect(c.events('agent-refused')[0]).toMatchObject({ host: 'xen1', closeCode: CLOSE.tooBig, reason: expect.stringMatching(/payload/i) });
    await stillServing(c, good, 'after-oversized');
  });

  it('malformed JSON: error XH_ERR_PROTOCOL, closed 1002', async () => {
    const c = await bed.start();
    const good = await healthy(c);
    const a = await c.agent('xen1');
    a.sendRaw('{"type": "hello", ');
    await a.until(() => a.closed !== null, 'close');
    expect(a.of('error')[0]).toMatchObject({ code: 'XH_ERR_PROTOCOL', message: expect.stringMatching(/not JSON/) });
    expect(a.closed?.code).toBe(CLOSE.protocol);
    expect(c.events('agent-refused')[0]).toMatchObject({ host: 'xen1', reason: expect.stringMatching(/not JSON/) });
    await stillServing(c, good, 'after-malformed');
  });

  it('another protocol version: an error naming both versions', async () => {
    const c = await bed.start();
    const good = await healthy(c);
    const a = await c.agent('xen1');
    a.sendRaw(JSON.stringify({ type: 'hello', protocol: AGENT_LINK_PROTOCOL_VERSION + 1, host: 'xen1', something: 'new' }));
    await a.until(() => a.closed !== null, 'close');
    expect(a.of('error')[0]?.message).toBe(
      `agent link protocol mismatch: the agent speaks version ${AGENT_LINK_PROTOCOL_VERSION + 1}, this controller speaks version ${AGENT_LINK_PROTOCOL_VERSION}: upgrade the older side`,
    );
    expect(c.events('agent-refused')[0]).toMatchObject({ code: 'XH_ERR_PROTOCOL' });
    await stillServing(c, good, 'after-version');
  });

  it('a binary frame is not part of the protocol', async () => {
    const c = await bed.start();
    const good = await healthy(c);
    const token = await c.enroll('xen1');
    const ws = new WebSocket(`${c.url.replace(/^http/, 'ws')}${AGENT_LINK_PATH}`, { headers: { authorization: `Bearer ${token}` }, ca: c.caPem });
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(Buffer.from([1, 2, 3]));
    expect(await closed).toBe(CLOSE.protocol);
    await stillServing(c, good, 'after-binary');
  });

  it('an agent link dropped: the host turns unreachable at once', async () => {
    const c = await bed.start();
    const a = await c.agent('xen1');
    a.hello();
    a.snapshot(hostState({ domains: [dom('web01')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.reachable), 'reachable', { limitMs: 10_000 });
    a.link.close(1000, 'bye');
    await until(() => c.core.hosts().hosts.every((h) => !h.reachable), 'unreachable', { limitMs: 10_000 });
    const r = c.core.where('web01');
    expect(r.ok && r.value.matches[0]?.reachable).toBe(false);
  });
});
