import type { AgentEvent } from '../core/events.js';
import type { FailedWrite } from '../core/state-disks.js';
import type { AgentPorts } from './ports.js';

/** The ledger's writes by the agent itself (an away or visitor record ended). */
export const LEDGER_WRITE: FailedWrite = { role: 'state', what: 'the migration ledger' };

/**
 * The agent's reads of its state and runtime dirs (adapters/state-disk.ts through the ports). A
 * write of its own that failed reads them at once rather than at the next minute: that failure is
 * the strongest evidence of a full or read-only filesystem there, and its reading names the write
 * instead of the test write (core/state-disks.ts keeps it until a write works again).
 */
export class StateDiskReads {
  constructor(
    private readonly ports: Pick<AgentPorts, 'clock' | 'log' | 'readStateDisks'>,
    private readonly post: (ev: AgentEvent) => void,
  ) {}

  read(after: FailedWrite | null): void {
    const at = new Date(this.ports.clock.now()).toISOString();
    this.ports.readStateDisks(at).then(
      (readings) => this.post({ t: 'state-disks-read', readings: readings.map((d) => (after !== null && d.role === after.role && d.failure !== null ? { ...d, failure: { ...d.failure, what: after.what } } : d)) }),
      (e: unknown) => this.ports.log.warn({ err: String(e) }, 'cannot read the free space under the state dirs'),
    );
  }

  /** MESSAGE, a write of WHAT's that failed, passed on as it was; the dirs are read again at once. */
  failed(message: string, what: FailedWrite): string {
    this.read(what);
    return message;
  }
}
