import type { Clock } from '../../shared/clock/clock.js';
import type { ErrorCode, XhError } from '../../shared/errors.js';
import type { ControlRequest } from '../../shared/protocol/agent-control.js';
import { ok, type Result } from '../../shared/result.js';
import { holdOnAgent, type AgentHold } from '../control/client.js';

/**
 * The running agent's hold of a domU, kept for a whole migration across a restart of the agent.
 *
 * The hold lives as long as its control connection. An agent restarted mid-migration (systemctl
 * restart, a package upgrade, a crash that systemd restarts) knows nothing of the move: it shows no
 * hold, answers a controller's `inspect` with the domU not busy (the controller's settling then
 * takes a move still running for one that ended), lets `autostart start --force` through where it
 * would have answered "being migrated", and judges the domU's rows and ledger records as if no
 * migration ran (a `--migratedaway` half as stranded, an away record as stale). So a lost hold is
 * asked for again every RETRY_MS, from the first moment the new agent's socket answers, until the
 * migration ends; and a step that cannot be undone waits at most WAIT_MS for it to be back, then
 * does not start: moving a domU the agent here does not know is moving is what the hold prevents.
 */
export const HOLD_RETRY_MS = 1_000;
export const HOLD_WAIT_MS = 60_000;

export type TakeHold = () => Promise<Result<AgentHold | 'no-daemon', XhError>>;

export interface KeptHold {
  /** whether the agent holds the domU now (false from the moment its connection is seen closed) */
  held(): boolean;
  /** null while the agent holds the domU (or holds it again within the wait); else why it does not */
  stillHeld(progress: (line: string) => void): Promise<XhError | null>;
  release(): void;
}

export interface KeptHoldOptions {
  readonly clock: Clock;
  /** the domU and the control socket, as the refusal names them */
  readonly name: string;
  readonly socket: string;
  readonly retryMs?: number;
  readonly waitMs?: number;
}

export function keepHold(first: AgentHold, take: TakeHold, o: KeptHoldOptions): KeptHold {
  const retryMs = o.retryMs ?? HOLD_RETRY_MS;
  const waitMs = o.waitMs ?? HOLD_WAIT_MS;
  let current: AgentHold | null = first;
  let lostAt: number | null = null;
  let released = false;
  const silent = { code: 'XH_ERR_AGENT_UNREACHABLE', text: 'no agent has answered there since' } as const;
  let why: { code: ErrorCode; text: string } = silent;
  let waiters: (() => void)[] = [];

  const watch = (h: AgentHold): void =>
    h.onLost(() => {
      if (released || current !== h) return;
      current = null;
      lostAt = o.clock.now();
      why = silent;
      void retake();
    });

  async function retake(): Promise<void> {
    while (!released && current === null) {
      await o.clock.sleep(retryMs);
      if (released) return;
      const r = await take();
      if (r.ok && r.value !== 'no-daemon') {
        if (released) return r.value.release();
        current = r.value;
        lostAt = null;
        watch(r.value);
        for (const w of waiters.splice(0)) w();
        return;
      }
      // a refusal is the new agent's own word (an xl create of the domU it began, another hold): kept for the refusal
      why = r.ok ? silent : { code: r.error.code, text: r.error.message };
    }
  }

  watch(first);
  return {
    held: () => current !== null,
    async stillHeld(progress) {
      const since = lostAt;
      if (current !== null || released || since === null) return null;
      const left = since + waitMs - o.clock.now();
      if (left > 0) {
        progress(`the agent here stopped holding ${o.name} (its control socket closed: restarted or stopped): waiting up to ${Math.ceil(left / 1000)} s for it to hold ${o.name} again`);
        await new Promise<void>((resolve) => {
          const cancel = o.clock.schedule(left, resolve);
          waiters.push(() => {
            cancel();
            resolve();
          });
        });
      }
      if (current !== null) {
        progress(`the agent here holds ${o.name} again`);
        return null;
      }
      const secs = Math.round((o.clock.now() - since) / 1000);
      return { code: why.code, message: `the agent here stopped holding ${o.name} ${secs} s ago (its control socket ${o.socket} closed: the agent restarted, was upgraded or stopped) and does not hold it again (${why.text})` };
    },
    release() {
      released = true;
      waiters = [];
      current?.release();
      current = null;
    },
  };
}

/** The hold of REQ on the agent listening on SOCKET, kept across its restarts; `no-daemon` when none listens now. */
export async function holdKept(socket: string, req: Extract<ControlRequest, { op: 'hold' }>, clock: Clock, o: { retryMs?: number; waitMs?: number } = {}): Promise<Result<KeptHold | 'no-daemon', XhError>> {
  const take: TakeHold = () => holdOnAgent(socket, req);
  const first = await take();
  if (!first.ok) return first;
  if (first.value === 'no-daemon') return ok('no-daemon');
  return ok(keepHold(first.value, take, { clock, name: req.name, socket, ...o }));
}
