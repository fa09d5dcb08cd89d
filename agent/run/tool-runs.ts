import type { Logger } from '../../shared/logger.js';
import { err } from '../../shared/result.js';
import type { ToolRunner } from '../adapters/exec.js';

/**
 * The tool runs the agent's effect runner starts, so that a stopped agent leaves none behind.
 *
 * A read (`xl list`, `xl info`, `drbdadm status`, `drbdsetup status`, the xenstore reads and the
 * naming of this Dom0 in a guest's xenstore area) is worth nothing once the agent stops: it is
 * ended then, SIGTERM to its process group and SIGKILL after the tool runner's bound, and the stop
 * waits for it. Under the unit's KillMode=process nothing else would end a read that ignores
 * SIGTERM (a tool hung in the toolstack or in DRBD): it stayed running after the agent was gone,
 * and a restarted agent started another beside it.
 *
 * A change (a start's claim, `xl create`, a release) is not ended: the stop waits for a start to
 * finish, and for a release running then, a retry's too (core/starts.ts `dropQueued`); a claim or
 * create cut mid-way would leave a disk Primary or a domain half built. A
 * migration is not run here at all: the agent's own CLI runs it in a child process that carries on
 * to the end of its move and records it (run/command-process.ts).
 *
 * One change is no start's: giving back what an earlier agent's start took Primary once its
 * `xl create` has ended (run/agent-core.ts). No job of the reducer holds the stop for it, so it is
 * handed to `finishing`, and the stop waits for it as for a read, without ending it; its runs go
 * through `change`, each bounded by its adapter's timeout, as a start's release is.
 *
 * Once the agent has stopped, no new run starts, a read or a change: it is refused (XH_ERR_REFUSED)
 * and the first refusal logged. What was queued behind a busy slot, or a result that asked for more
 * after the stop, would otherwise start a tool that nothing waits for.
 */
export class ToolRuns {
  private readonly ending = new AbortController();
  /** the reads running, and the changes handed to `finishing`: what the stop waits for */
  private readonly pending = new Set<Promise<unknown>>();
  private refusedOnce = false;

  constructor(
    private readonly run: ToolRunner,
    private readonly log: Logger,
  ) {}

  /** a read: ended when the agent stops */
  readonly read: ToolRunner = (tool, args, options = {}) => (this.ending.signal.aborted ? this.refuse(tool, args) : this.waited(this.run(tool, args, { ...options, endOn: this.ending.signal })));

  /** WORK, a change the reducer does not track, waited for by the stop to its end (its tool runs through `change`) */
  finishing<T>(work: Promise<T>): Promise<T> {
    return this.waited(work);
  }

  /** a change: left to finish, but none begins after the stop */
  readonly change: ToolRunner = (tool, args, options) => (this.ending.signal.aborted ? this.refuse(tool, args) : this.run(tool, args, options));

  /** Ends every read still running; resolves once each has answered (the tool runner bounds that) and each change handed to `finishing` has ended. */
  async stop(): Promise<void> {
    this.ending.abort();
    await Promise.allSettled([...this.pending]);
  }

  private waited<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = (): boolean => this.pending.delete(p);
    void p.then(done, done);
    return p;
  }

  private refuse(tool: string, args: readonly string[]): ReturnType<ToolRunner> {
    const cmd = [tool, ...args].join(' ');
    if (!this.refusedOnce) {
      this.refusedOnce = true;
      this.log.warn({ code: 'XH_ERR_REFUSED', tool, args: [...args] }, `${cmd}: not run, the agent has stopped (later refusals are not logged)`);
    }
    return Promise.resolve(err({ code: 'XH_ERR_REFUSED', message: `${cmd}: not run, the agent has stopped`, tool, args: [...args], exitCode: null, signal: null, stdout: '', stderr: '' }));
  }
}
