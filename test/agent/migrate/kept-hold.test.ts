import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenControl, type ControlHandler, type ControlServer } from '../../../agent/control/server.js';
import { holdKept, type KeptHold } from '../../../agent/migrate/kept-hold.js';
import type { XhError } from '../../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION, type ControlRequest } from '../../../shared/protocol/agent-control.js';
import { advanceThenTurn, until } from '../../helpers/until.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

// The hold a migration keeps on the running agent across its restarts, over a real unix socket:
// what the agent that comes back answers is what the step that cannot be undone goes by.

let dir = '';
let server: ControlServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

const REQ: Extract<ControlRequest, { op: 'hold' }> = { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: 'web1', purpose: 'migrate', operation: 'op-1', by: 'xenherd-agent migrate (pid 1)' };
const hold = { name: 'web1', purpose: 'migrate', operation: 'op-1', by: 'xenherd-agent migrate (pid 1)', since: '2025-01-01T00:00:00.000Z' } as const;

async function serve(path: string, handle: ControlHandler): Promise<void> {
  const s = await listenControl(path, handle);
  if (!s.ok) throw new Error(s.error.message);
  server = s.value;
}
const granting =
  (seen: ControlRequest[]): ControlHandler =>
  async (req, conn) => {
    seen.push(req);
    conn.keepOpen(() => undefined);
    return { v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'held', hold };
  };

describe('a kept hold', () => {
  it('lost, then refused by the agent that came back: the step that cannot be undone is refused with that agent’s own reason', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xh-kept-'));
    const path = join(dir, 'run', 'agent.sock');
    const clock = deterministicClock(Date.UTC(2025, 0, 1));
    const seen: ControlRequest[] = [];
    await serve(path, granting(seen));
    const h = await holdKept(path, REQ, clock, { retryMs: 1_000, waitMs: 5_000 });
    if (!h.ok || h.value === 'no-daemon') throw new Error('not held');
    const kept: KeptHold = h.value;
    expect(seen).toEqual([REQ]);

    await server?.close();
    await until(() => !kept.held(), 'the hold to be lost with the closed socket');
    // the new agent began an xl create of web1 in the window: it refuses the hold
    const refused: ControlRequest[] = [];
    await serve(path, async (req) => {
      refused.push(req);
      return { v: CONTROL_PROTOCOL_VERSION, ok: false, error: { code: 'XH_ERR_LOCKED', message: 'an xl create of web1 by the agent is running' } };
    });
    const lines: string[] = [];
    let gone: XhError | null | undefined;
    void kept.stillHeld((l) => lines.push(l)).then((g) => (gone = g));
    await until(() => gone !== undefined, 'stillHeld to give up on the refusing agent', { step: advanceThenTurn(clock, 100) });
    // asked again every second, each time with the migration's own hold request
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((r) => JSON.stringify(r) === JSON.stringify(REQ))).toBe(true);
    expect(gone).toMatchObject({ code: 'XH_ERR_LOCKED' });
    expect(gone?.message).toMatch(/^the agent here stopped holding web1 5 s ago \(its control socket .*agent\.sock closed: the agent restarted, was upgraded or stopped\) and does not hold it again \(the agent refused to hold web1: an xl create of web1 by the agent is running\)$/);
    expect(lines).toEqual(['the agent here stopped holding web1 (its control socket closed: restarted or stopped): waiting up to 5 s for it to hold web1 again']);
    kept.release();
  });

  it('taken again from the agent that came back; released, its connection to that agent ends', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xh-kept-'));
    const path = join(dir, 'run', 'agent.sock');
    const clock = deterministicClock(Date.UTC(2025, 0, 1));
    await serve(path, granting([]));
    const h = await holdKept(path, REQ, clock, { retryMs: 1_000, waitMs: 5_000 });
    if (!h.ok || h.value === 'no-daemon') throw new Error('not held');
    const kept = h.value;
    await server?.close();
    await until(() => !kept.held(), 'the hold to be lost with the closed socket');

    const seen: ControlRequest[] = [];
    let closed = false;
    await serve(path, async (req, conn) => {
      seen.push(req);
      conn.keepOpen(() => (closed = true));
      return { v: CONTROL_PROTOCOL_VERSION, ok: true, message: 'held', hold };
    });
    await until(() => kept.held(), 'the hold to be taken again from the new agent', { step: advanceThenTurn(clock, 100) });
    expect(seen).toEqual([REQ]);
    expect(await kept.stillHeld(() => undefined)).toBeNull();
    kept.release();
    await until(() => closed, "the new agent's end of the released hold's connection to close");
    expect(kept.held()).toBe(false);
  });
});
