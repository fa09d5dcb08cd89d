import { ControllerCore } from '../../../controller/core/controller-core.js';
import type { ControllerSettings } from '../../../controller/core/settings.js';
import type { CommandSink } from '../../../controller/core/pending-commands.js';
import { memoryLinkPair, type MemoryLinkPair } from '../../../shared/link/memory-link.js';
import type { CommandOutcome } from '../../../shared/protocol/ctl-api.js';
import { memoryLogger, type LogLine } from '../../harness/memory-log.js';
import { deterministicClock, type SimClock } from '../../sim/daemon/clock.js';
import { FakeAgent } from '../fake-agent.js';

export const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);

/** One controller core and fake agents over memory links, all on one deterministic clock. */
export interface CoreBed {
  readonly clock: SimClock;
  readonly core: ControllerCore;
  readonly logs: LogLine[];
  /** a fake agent whose link the "transport" authenticated as `as` (default: its own host) */
  connect(host: string, as?: string): { agent: FakeAgent; pair: MemoryLinkPair };
  /** connect, hello, snapshot, and let it all arrive */
  online(host: string, state: Parameters<FakeAgent['snapshot']>[0]): Promise<{ agent: FakeAgent; pair: MemoryLinkPair }>;
  events(event: string): LogLine[];
}

export const SETTINGS: Partial<ControllerSettings> = { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 60_000, maxMessageBytes: 64 * 1024 };

/** ENROLLED: the hosts with an agent token, as serve passes them (absent: not known) */
export function coreBed(settings: Partial<ControllerSettings> = SETTINGS, enrolled?: () => ReadonlySet<string>): CoreBed {
  const clock = deterministicClock(T0);
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  let n = 0;
  const core = new ControllerCore({ clock, log, newId: () => `id${++n}`, settings, ...(enrolled ? { enrolled } : {}) });
  const connect = (host: string, as = host) => {
    const pair = memoryLinkPair({ name: host, clock });
    core.acceptAgent(pair.controller, { host: as });
    return { agent: new FakeAgent(pair.agent, host, () => clock.now()), pair };
  };
  return {
    clock,
    core,
    logs: lines,
    connect,
    online: async (host, state) => {
      const c = connect(host);
      c.agent.hello();
      c.agent.snapshot(state);
      await clock.advance(0);
      return c;
    },
    events: (event) => lines.filter((l) => l['event'] === event),
  };
}

/** A command sink that records what the operator would see. */
export function recordingSink(): CommandSink & { lines: string[]; outcome: CommandOutcome | null } {
  const s = {
    lines: [] as string[],
    outcome: null as CommandOutcome | null,
    progress: (line: string) => void s.lines.push(line),
    done: (o: CommandOutcome) => {
      if (s.outcome !== null) throw new Error('done twice');
      s.outcome = o;
    },
  };
  return s;
}
