import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAgent, holdOnAgent } from '../../../agent/control/client.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { settleWithin } from './fake-tools.js';

/**
 * The control-socket client (agent/control/client.ts; its test lives here with the other bound
 * tests) against a socket that answers without end: one line that never finishes. The client must
 * give up at a size bound, not grow until its timeout.
 */
let dir = '';
let server: Server;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-'));
  server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    // 64 KiB every 2 ms, never a newline, until the client hangs up
    const t = setInterval(() => s.write('x'.repeat(64 * 1024)), 2);
    timers.add(t);
    s.on('close', () => clearInterval(t));
  });
  await new Promise<void>((r) => server.listen(join(dir, 'agent.sock'), () => r()));
});
afterAll(() => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('control client reads the answer in bounded memory', () => {
  it('askAgent gives up on an answer over 8 MiB', async () => {
    const r = await settleWithin(askAgent(join(dir, 'agent.sock'), { v: CONTROL_PROTOCOL_VERSION, op: 'status' }, 15_000), 10_000);
    expect(r !== 'still pending' && !r.ok && [r.error.code, r.error.message]).toEqual(['XH_ERR_INTERNAL', expect.stringMatching(/answer longer than 8 MiB/)]);
  });

  it('holdOnAgent likewise', async () => {
    const req = { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: 'web1', purpose: 'migrate', operation: 'op-1', by: 'test' } as const;
    const r = await settleWithin(holdOnAgent(join(dir, 'agent.sock'), req, 15_000), 10_000);
    expect(r !== 'still pending' && !r.ok && [r.error.code, r.error.message]).toEqual(['XH_ERR_INTERNAL', expect.stringMatching(/answer longer than 8 MiB/)]);
  });
});
