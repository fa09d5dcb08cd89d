import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { askAgent } from '../../../agent/control/client.js';
import { listenControl, REQUEST_WAIT_MS } from '../../../agent/control/server.js';
import { advanceThenTurn, until } from '../../helpers/until.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { CONTROL_PROTOCOL_VERSION, type AgentStatus, type ControlRequest } from '../../../shared/protocol/agent-control.js';

const STATUS: AgentStatus = {
  host: 'xen1', pid: 1, startedAt: '2025-01-01T00:00:00.000Z', autostart: 'enabled', maintenance: false, toolstack: 'xl',
  sources: { drbd: 'drbdsetup events2', domains: 'xenstore-watch' }, drbd: 'ok', lastFullRead: null, guarded: [], holds: [], warnings: [],
};

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const raw = (path: string, text: string): Promise<string> =>
  new Promise((resolve) => {
    const c = createConnection(path, () => c.write(text));
    let out = '';
    c.on('data', (d) => (out += d.toString()));
    c.on('close', () => resolve(out));
  });

describe('the control socket', () => {
  it('answers one request per connection with the schema, owner-only, and refuses a second agent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-'));
    const path = join(dir, 'run', 'agent.sock');
    const seen: ControlRequest[] = [];
    const server = await listenControl(path, async (req) => {
      seen.push(req);
      return { v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'm', status: STATUS };
    });
    expect(server.ok).toBe(true);
    if (!server.ok) return;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const r = await askAgent(path, { v: 1, op: 'force', name: 'web1', reason: 'because', operator: 'root' });
    expect(r.ok && r.value.ok && r.value.status?.host).toBe('xen1');
    expect(seen).toEqual([{ v: 1, op: 'force', name: 'web1', reason: 'because', operator: 'root' }]);

    expect(JSON.parse(await raw(path, 'nonsense\n'))).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE', message: 'not a JSON line' } });
    expect(JSON.parse(await raw(path, '{"v":1,"op":"force","name":"-rf","reason":"x","operator":null}\n'))).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE' } });
    expect(JSON.parse(await raw(path, '{"v":2,"op":"status"}\n'))).toMatchObject({ ok: false });

    const second = await listenControl(path, async () => ({ v: 1, ok: false, error: { code: 'XH_ERR_USAGE', message: 'x' } }));
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error.code).toBe('XH_ERR_REFUSED');
    await server.value.close();
    const gone = await askAgent(path, { v: 1, op: 'status' });
    expect(!gone.ok && gone.error.code).toBe('XH_ERR_AGENT_UNREACHABLE');
  });

  it('answers and closes a client that does not finish its request line within 10 s (its own clock)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-'));
    const path = join(dir, 'run', 'agent.sock');
    const clock = deterministicClock(Date.UTC(2025, 0, 1));
    const server = await listenControl(path, async () => ({ v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'm' }), clock);
    if (!server.ok) throw new Error(server.error.message);
    let answered = false;
    const answer = raw(path, '{"v":1,"op":"sta').finally(() => (answered = true));
    // the wait starts when the server accepts the connection: move its clock on until it answered
    await until(() => answered, 'the server to answer the unfinished request line', { step: advanceThenTurn(clock, REQUEST_WAIT_MS), steps: 1000 });
    expect(JSON.parse(await answer)).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE', message: 'no request line within 10 s' } });
    await server.value.close();
  });

  it('answers a client that ends its side before a newline, at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-'));
    const path = join(dir, 'run', 'agent.sock');
    const server = await listenControl(path, async () => ({ v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'm' }), deterministicClock(Date.UTC(2025, 0, 1)));
    if (!server.ok) throw new Error(server.error.message);
    const ended = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const c = createConnection(path, () => c.end(text));
        let out = '';
        c.on('data', (d) => (out += d.toString()));
        c.on('close', () => resolve(out));
      });
    expect(JSON.parse(await ended('{"v":1,"op":"status"}'))).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE', message: 'the request ended without a newline: send one JSON line ending in \\n' } });
    expect(JSON.parse(await ended(''))).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE', message: 'no request: the connection ended before one' } });
    await server.value.close();
  });
});
