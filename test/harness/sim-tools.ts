import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { err, ok } from '../../shared/result.js';
import type { ToolRunner } from '../../agent/adapters/exec.js';
import type { SpawnStream, StreamChild } from '../../agent/adapters/line-stream.js';
import type { ToolFailure } from '../../agent/adapters/tool-failure.js';
import type { RunningTool, Sim } from '../sim/sim.js';

/**
 * The agent's tool ports served by the fleet simulator in the same process: no child process, and
 * time (timeouts included) on the simulator's clock. What the agent sees is what the fake
 * executables print, byte for byte; only the process boundary is left out.
 */
/** Above Linux's pid_max (2^22): a signal sent to one of these by mistake reaches nobody. */
const FAKE_PID_BASE = 1_000_000_000;

export class SimProcesses {
  private nextPid = FAKE_PID_BASE;
  private readonly live = new Map<number, RunningTool>();

  add(t: RunningTool): number {
    const pid = this.reserve();
    this.attach(pid, t);
    return pid;
  }

  /** a pid for a tool started held (exec.ts `beforeRun`): not alive until its tool is attached */
  reserve(): number {
    return this.nextPid++;
  }

  attach(pid: number, t: RunningTool): void {
    this.live.set(pid, t);
    void t.done.then(() => this.live.delete(pid));
  }

  alive(pid: number): boolean {
    return this.live.has(pid);
  }

  /** an agent crash: what it ran dies with it (its `xl create` does not: see keepOnCrash) */
  killAll(except: (pid: number) => boolean = () => false): void {
    for (const [pid, t] of this.live) if (!except(pid)) t.kill();
  }
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

/**
 * RUNS: whether the process running the tools still lives (an agent core not abandoned). A tool
 * started held is let go only by a living caller once `beforeRun` returned, as the real shell
 * runs it only on the line the agent writes after it: a caller that died meanwhile runs nothing.
 */
export function simToolRunner(sim: Sim, host: string, procs: SimProcesses, runs: () => boolean = () => true): ToolRunner {
  return async (tool, args, o = {}) => {
    const base = { tool, args: [...args], stdout: '', stderr: '', exitCode: null, signal: null };
    if (!sim.hasTool(host, tool)) return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found on PATH (install it, or check PATH of the service)` });
    const timeoutMs = o.timeoutMs ?? 30_000;
    const pid = procs.reserve();
    if (o.beforeRun) {
      const notStarted = (why: string) => err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${tool} ${args.join(' ')}: not started: ${why}` });
      try {
        o.beforeRun(pid);
      } catch (e) {
        return notStarted(e instanceof Error ? e.message : String(e));
      }
      if (!runs()) return notStarted('the process that held it is gone');
    }
    const t = sim.start(host, tool, args, o.onStderr ? { onStderr: o.onStderr } : {});
    procs.attach(pid, t);
    let timedOut = false;
    const cancel = sim.clock.schedule(timeoutMs, () => {
      timedOut = true;
      t.kill();
    });
    // ended by its caller (a stopping agent's read): killed, and not waited for, as the real
    // runner stops waiting once SIGKILL had its grace (a held tool answers only when its test says)
    let stopEnding = (): void => undefined;
    const ended = new Promise<null>((resolve) => {
      stopEnding = () => o.endOn?.removeEventListener('abort', end);
      const end = (): void => {
        t.kill();
        resolve(null);
      };
      if (o.endOn?.aborted === true) end();
      else o.endOn?.addEventListener('abort', end, { once: true });
    });
    const r = await Promise.race([t.done, ended]);
    cancel();
    stopEnding();
    if (r === null) return err<ToolFailure>({ ...base, signal: 'SIGKILL', code: 'XH_ERR_TOOL_FAILED', message: `${tool} ${args.join(' ')}: ended before its answer, as its caller asked (SIGKILL sent)` });
    const out = { ...base, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    if (timedOut) return err<ToolFailure>({ ...out, exitCode: null, signal: 'SIGKILL', code: 'XH_ERR_TOOL_TIMEOUT', message: `${tool} ${args.join(' ')}: no answer after ${timeoutMs} ms, killed` });
    if (!(o.acceptExitCodes ?? [0]).includes(r.exitCode)) {
      const line = firstLine(r.stderr);
      return err<ToolFailure>({ ...out, code: 'XH_ERR_TOOL_FAILED', message: `${tool} ${args.join(' ')}: exit code ${r.exitCode}${line ? `: ${line}` : ''}` });
    }
    return ok({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });
  };
}

/** A long-running tool (events2, xenstore-watch) as a child-like object the line reader takes. */
export function simSpawnStream(sim: Sim, host: string, procs: SimProcesses): SpawnStream {
  return (tool, args) => {
    const events = new EventEmitter();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const child = Object.assign(events, { stdout, stderr, pid: undefined as number | undefined, signal: (): void => undefined }) as unknown as StreamChild & { signal: () => void; pid: number | undefined };
    if (!sim.hasTool(host, tool)) {
      queueMicrotask(() => events.emit('error', Object.assign(new Error(`spawn ${tool} ENOENT`), { code: 'ENOENT' })));
      return child;
    }
    const t = sim.start(host, tool, args, { onStdout: (s) => stdout.write(s), onStderr: (s) => stderr.write(s) });
    child.pid = procs.add(t);
    // "signalling its process group" ends the simulated tool, as a SIGTERM would end the real one
    child.signal = () => t.kill();
    const ended = (s: PassThrough): Promise<void> => new Promise((r) => s.once('end', () => r()));
    const drained = Promise.all([ended(stdout), ended(stderr)]);
    void t.done.then(async (r) => {
      stdout.end();
      stderr.end();
      // 'close' once the pipes delivered everything, as a real child's
      await drained;
      events.emit('close', r.exitCode, null);
    });
    return child;
  };
}
