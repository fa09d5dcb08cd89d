import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { listenControl } from '../../../agent/control/server.js';
import { nudgeSocket } from '../../../agent/control/nudge.js';
import { CONTROL_PROTOCOL_VERSION, ControlRequestSchema, type ControlRequest, type ControlResponse } from '../../../shared/protocol/agent-control.js';
import { parseJsonLine } from '../../../shared/protocol/json-line.js';

let dir = '';
let fake: Server | null = null;
afterEach(async () => {
  if (fake) await new Promise((r) => fake?.close(r));
  fake = null;
  rmSync(dir, { recursive: true, force: true });
});

const done: ControlResponse = { v: CONTROL_PROTOCOL_VERSION, ok: true, message: 're-read this host and decided every guarded domU again' };

/**
 * The control socket of an agent from before `rescan`: its request schema lacks the op, and it
 * answers what agent/control/server.ts answers a line its schema refuses. REQUESTS records the
 * requests it accepted and the ops it refused.
 */
async function oldAgent(path: string, requests: string[]): Promise<void> {
  const options = ControlRequestSchema.options.filter((o) => o.shape.op.value !== 'rescan') as unknown as [z.ZodObject<{ op: z.ZodLiteral<string> }>, ...z.ZodObject<{ op: z.ZodLiteral<string> }>[]];
  const oldSchema = z.discriminatedUnion('op', options);
  fake = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const req = parseJsonLine(buf.slice(0, nl), oldSchema);
      const op = (JSON.parse(buf.slice(0, nl)) as { op: string }).op;
      requests.push(req.ok ? op : `refused ${op}`);
      const answer: ControlResponse = req.ok ? done : { v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_USAGE', message: `not a control request: ${req.error.kind === 'not-json' ? '' : req.error.issues}` } };
      sock.end(`${JSON.stringify(answer)}\n`);
    });
  });
  await new Promise<void>((r) => fake?.listen(path, r));
}

describe('a migration command nudging the running agent', () => {
  it('asks for a re-read of the host naming the move, not a config reload', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-nudge-'));
    const path = join(dir, 'run', 'agent.sock');
    const seen: ControlRequest[] = [];
    const server = await listenControl(path, async (req) => {
      seen.push(req);
      return done;
    });
    if (!server.ok) throw new Error(server.error.message);
    try {
      const r = await nudgeSocket(path, 'migrate of web1 from xen1 to xen2 (operation op-1)');
      expect(r).toEqual({ ok: true, value: done });
      expect(seen).toEqual([{ v: CONTROL_PROTOCOL_VERSION, op: 'rescan', why: 'migrate of web1 from xen1 to xen2 (operation op-1)' }]);
    } finally {
      await server.value.close();
    }
  });

  it('an agent of the package before, not yet restarted, refuses the re-read: it is sent `reload` once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-nudge-'));
    const path = join(dir, 'agent.sock');
    const requests: string[] = [];
    await oldAgent(path, requests);
    const r = await nudgeSocket(path, 'migrate of web1 from xen1 to xen2 (operation op-1)');
    expect(r).toEqual({ ok: true, value: done });
    expect(requests).toEqual(['refused rescan', 'reload']);
  });

  it('no agent listening: nothing more is tried', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-nudge-'));
    const r = await nudgeSocket(join(dir, 'agent.sock'), 'reconcile of web1 (operation op-2)');
    expect(!r.ok && r.error.code).toBe('XH_ERR_AGENT_UNREACHABLE');
  });
});
