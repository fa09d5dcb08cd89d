import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenControl, type ControlServer } from '../../../agent/control/server.js';
import { HOLD_WAIT_MS, holdKept } from '../../../agent/migrate/kept-hold.js';
import { controlPurpose, type MigrationPorts } from '../../../agent/migrate/ports.js';
import type { Ledger } from '../../../agent/state/ledger.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { ok } from '../../../shared/result.js';
import type { SimAgent } from '../../harness/agent-on-sim.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { runMove, type MoveRun } from '../../harness/migration-bed.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { simMigrationPorts } from '../../harness/migration-on-sim.js';
import { until } from '../../helpers/until.js';

// A hand-run migration's hold on the running agent, over a real control socket, when the agent
// restarts in the middle: the agent cores run in process on the simulator's clock, each behind
// the real control server on a temp socket, as `xenherd-agent run` serves it.

const FLEET = pairFleet({ memMiB: 8192 });

let fleet: Fleet | undefined;
let dir = '';
let server: ControlServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  await fleet?.stop();
  fleet = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const xlNames = (f: Fleet, host: string): string[] => f.sim.state().domains.filter((d) => d.host === host).map((d) => d.name).sort();
const inflight = (f: Fleet): Ledger['inflight'] => {
  try {
    return (JSON.parse(readFileSync(join(f.sim.hostRoot('xen1'), 'var/lib/xenherd/ledger.json'), 'utf8')) as Ledger).inflight ?? {};
  } catch {
    return {};
  }
};
const heldLog = (a: SimAgent) => a.logs.find((l) => l['domu'] === 'web1' && l['hold'] === 'migrate' && l.msg.startsWith('web1 held for migrate'));
const releasedLog = (a: SimAgent) => a.logs.find((l) => l['domu'] === 'web1' && l.msg.startsWith('web1 released by'));

/** xen1's agent in process, ready, behind the real control server on SOCK */
async function agentOnSocket(f: Fleet, sock: string): Promise<SimAgent> {
  const a = f.startAgent('xen1');
  const s = await listenControl(sock, (req, conn) => a.core.control(req, conn), f.sim.clock);
  if (!s.ok) throw new Error(s.error.message);
  server = s.value;
  return a;
}

/** The agent's restart as systemd does it: the old one's socket closes (its holds with it), the old core is gone. */
async function stopAgent(f: Fleet): Promise<void> {
  await server?.close();
  server = null;
  f.crash('xen1');
}

/**
 * xen1's migration ports with the hold as the CLI process takes it (process-ports.ts): over SOCK,
 * kept across restarts; AT names the progress line at which the agent restarts (null: right after the hold).
 */
function portsWithRestart(f: Fleet, sock: string, restart: () => Promise<void>, at: string | null): { ports: MigrationPorts; progress: (l: string) => void } {
  const base = simMigrationPorts({ sim: f.sim }, 'xen1');
  let restarted = false;
  const once = (): void => {
    if (restarted) return;
    restarted = true;
    void restart();
  };
  const ports: MigrationPorts = {
    ...base,
    hold: async (name, purpose, operation) => {
      const h = await holdKept(sock, { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name, purpose: controlPurpose(purpose), operation, by: 'xenherd-agent migrate (the test)' }, f.sim.clock);
      if (!h.ok) return h;
      if (h.value === 'no-daemon') throw new Error('the test agent does not listen');
      const kept = h.value;
      if (at === null) {
        await restart();
        // the socket's close reaches this process as I/O: the plan goes on once it has
        await until(() => !kept.held(), "the hold to be lost with the stopped agent's socket");
      }
      return ok({ viaDaemon: true, stillHeld: (p: (line: string) => void) => kept.stillHeld(p), release: () => kept.release() });
    },
  };
  return { ports, progress: (l) => void (at !== null && l.startsWith(at) && once()) };
}

const migrate = (f: Fleet, ports: MigrationPorts, onLine: (l: string) => void): Promise<MoveRun> => runMove(f, ports, { operationId: 'op-1' }, onLine);

describe('a migration whose agent restarts while it runs', () => {
  it('takes its hold again from the new agent as soon as its socket answers: the new agent holds web1 until the migration ends', async () => {
    const f = (fleet = await startFleet(FLEET));
    dir = mkdtempSync(join(tmpdir(), 'xh-hold-'));
    const sock = join(dir, 'run', 'agent.sock');
    const first = await agentOnSocket(f, sock);
    await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    let second: SimAgent | null = null;
    let movingWhenHeldAgain: boolean | null = null;
    const restart = async (): Promise<void> => {
      await stopAgent(f);
      const a = await agentOnSocket(f, sock);
      second = a;
      // the kept hold dials the new agent again on the simulator's clock: wait on that clock (turns
      // of the event loop spent waiting would be work the clock waits out before it moves)
      // (bounded at twice the kept hold's 60 s wait, after which the migration has given up on it)
      await until(() => heldLog(a) !== undefined, 'the new agent to hold web1 again', { step: () => f.sim.clock.sleep(1), steps: 2 * HOLD_WAIT_MS });
      movingWhenHeldAgain = f.sim.state().migrations.some((m) => m.domain === 'web1');
    };
    // the agent restarts as `xl migrate` begins: the step that cannot be undone runs, the hold comes back beside it
    const { ports, progress } = portsWithRestart(f, sock, restart, 'migrating web1 from xen1 to xen2');
    const m = await migrate(f, ports, progress);
    expect(m.result).toMatchObject({ ok: true, value: { message: 'web1 migrated from xen1 to xen2' } });
    expect(heldLog(first)).toBeDefined();
    const again = second as SimAgent | null;
    if (again === null) throw new Error('the agent was not restarted');
    // the new agent was asked for the hold, granted it (web1 mid-migration), and saw it end with the migration
    expect(heldLog(again)).toMatchObject({ operation: 'op-1', by: 'xenherd-agent migrate (the test)' });
    expect(movingWhenHeldAgain).toBe(true);
    expect(releasedLog(again)).toBeDefined();
    expect(xlNames(f, 'xen2')).toEqual(['web1']);
  });

  it('a hold lost before the move and not taken again within 60 s: nothing moves, and the refusal says what to check', async () => {
    const f = (fleet = await startFleet(FLEET));
    dir = mkdtempSync(join(tmpdir(), 'xh-hold-'));
    const sock = join(dir, 'run', 'agent.sock');
    await agentOnSocket(f, sock);
    await f.log('xen1', (l) => l.msg.startsWith('ready'), 'ready');
    // stopped right after granting the hold (systemctl stop, or a restart that does not come back)
    const { ports, progress } = portsWithRestart(f, sock, () => stopAgent(f), null);
    const start = f.sim.clock.now();
    const m = await migrate(f, ports, progress);
    expect(m.result).toMatchObject({ ok: false, error: { code: 'XH_ERR_AGENT_UNREACHABLE' } });
    const message = m.result.ok ? '' : m.result.error.message;
    expect(message).toMatch(/^web1 was not moved, it still runs on xen1: the agent here stopped holding web1 \d+ s ago \(its control socket .*agent\.sock closed: the agent restarted, was upgraded or stopped\) and does not hold it again \(no agent has answered there since\)/);
    expect(message).toContain('`systemctl status xenherd-agent`, `journalctl -u xenherd-agent`, `xenherd-agent autostart status`), then run the migrate again');
    expect(m.progress.some((l) => l.startsWith('the agent here stopped holding web1 (its control socket closed: restarted or stopped): waiting up to'))).toBe(true);
    expect(m.progress.some((l) => l.startsWith('migrating '))).toBe(false);
    expect(f.sim.clock.now() - start).toBeGreaterThanOrEqual(60_000);
    expect(xlNames(f, 'xen1')).toEqual(['web1']);
    expect(xlNames(f, 'xen2')).toEqual([]);
    expect(inflight(f)).toEqual({});
  });
});
