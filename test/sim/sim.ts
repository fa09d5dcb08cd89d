import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_SOURCE } from './bin/client-source.js';
import { deterministicClock, realClock, type SimClock } from './daemon/clock.js';
import type { ToolFault } from './daemon/faults.js';
import { hostRoot, initHostFiles, stateDiskStandInFile, syncStateDiskStandIn } from './daemon/host-fs.js';
import { startServer } from './daemon/server.js';
import { SimCore, type CommandLogEntry, type Violation } from './daemon/sim-core.js';
import { parseFleet } from './model/fleet-file.js';
import { simStandIn } from './model/state-disk.js';
import { STATE_DISK_STAND_IN_ENV } from '../../agent/adapters/state-disk-stand-in.js';
import type { MigrationFaultPhase, SimState, StateDiskFault } from './model/types.js';
import type { OpResult } from './ops/result.js';
import { TOOL_NAMES } from './tools/index.js';

export interface StartSimOptions {
  /** fleet file text, or a ready state */
  readonly fleet: string | SimState;
  readonly clock?: 'deterministic' | 'real';
  /** where sockets, bin dirs and host roots go; a fresh temp dir by default (removed on stop) */
  readonly dir?: string;
}

export interface ToolRunResult { readonly stdout: string; readonly stderr: string; readonly exitCode: number }

export interface ToolOutputHandlers {
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
}

export interface RunningTool {
  readonly done: Promise<ToolRunResult>;
  /** output so far */
  stdout(): string;
  stderr(): string;
  /** like killing the process: streams and hung tools end */
  kill(): void;
}

export interface Sim {
  readonly dir: string;
  readonly socketPath: string;
  /** every fake tool, told its host by XENHERD_SIM_HOST */
  readonly binDir: string;
  readonly clock: SimClock;
  /** only the tools this host has (xl or xm; drbd tools when it runs DRBD) */
  binDirFor(host: string): string;
  hostRoot(host: string): string;
  /** environment for a process "on" host: PATH, XENHERD_SIM_SOCKET, XENHERD_SIM_HOST, XENHERD_HOST_ROOT, and XENHERD_SIM_STATE_DISK (its filesystem under the agent's dirs, `stateDisk`) */
  env(host: string): Record<string, string>;
  state(): SimState;
  readonly commandLog: readonly CommandLogEntry[];
  readonly violations: readonly Violation[];
  /** run a fake tool in-process (same code path as the socket, without spawning) */
  run(host: string, tool: string, argv: readonly string[]): Promise<ToolRunResult>;
  /** a tool in-process, in the background; the callbacks see its output as it is printed */
  start(host: string, tool: string, argv: readonly string[], output?: ToolOutputHandlers): RunningTool;
  /** the host's current kernel boot id (new at every power-on) */
  bootId(host: string): string;
  /** whether this host has the tool installed (its bin dir holds it) */
  hasTool(host: string, tool: string): boolean;
  /** deterministic clock: move simulated time forward */
  advance(ms: number): Promise<void>;
  power(host: string, state: 'on' | 'off'): OpResult;
  drbd(res: string, action: 'disconnect' | 'connect' | 'split-brain'): OpResult;
  /** xenstored on HOST stops or starts again; a xenstore-watch already running is left running (what it does then is not modelled) */
  xenstored(host: string, action: 'stop' | 'start'): OpResult;
  /** the backing disk of RES on HOST fails; DRBD detaches it (Failed there, peer-disk:Failed at the peer, and Diskless 1 s later: FAILED_DISK_MS) */
  diskFail(host: string, res: string): OpResult;
  /** the filesystem under HOST's agent state dirs fills up or goes read-only (what its agent then reads, in this process or as a process: model/state-disk.ts); ok: room again */
  stateDisk(host: string, state: StateDiskFault | 'ok'): OpResult;
  migrationFault(domain: string, phase: MigrationFaultPhase | null): void;
  toolFault(host: string | '*', tool: string, fault: ToolFault, opts?: { argvPrefix?: readonly string[]; times?: number }): void;
  /** HOST's TOOL (ARGVPREFIX, TIMES as toolFault's) answers only once the function returned is called: a test's fixed point inside a tool run */
  holdTool(host: string | '*', tool: string, opts?: { argvPrefix?: readonly string[]; times?: number }): () => void;
  clearToolFaults(): void;
  /** test-only: commit an arbitrary state change (the invariant checker still runs) */
  force(label: string, f: (s: SimState) => SimState): void;
  stop(): Promise<void>;
}

function writeBinDir(dir: string, tools: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const t of tools) {
    const p = join(dir, t);
    writeFileSync(p, CLIENT_SOURCE);
    chmodSync(p, 0o755);
  }
}

export async function startSim(opts: StartSimOptions): Promise<Sim> {
  const initial = typeof opts.fleet === 'string' ? parseFleet(opts.fleet) : opts.fleet;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'xh-sim-'));
  mkdirSync(dir, { recursive: true });
  const clock = opts.clock === 'real' ? realClock(initial.now) : deterministicClock(initial.now);
  const core = new SimCore(initial, clock, dir);
  initHostFiles(dir, initial);
  // as the state says, not as a kept --dir's last run left it
  for (const h of Object.values(initial.hosts)) syncStateDiskStandIn(dir, h.name, h.stateDisk === undefined ? null : simStandIn(h.stateDisk));
  const binDir = join(dir, 'bin', 'all');
  writeBinDir(binDir, TOOL_NAMES);
  const toolsOf = new Map<string, ReadonlySet<string>>();
  for (const h of Object.values(initial.hosts)) {
    const tools = TOOL_NAMES.filter((t) => (t === 'xl' ? h.toolstack === 'xl' : t === 'xm' ? h.toolstack === 'xm' : t.startsWith('drbd') ? h.drbd !== null : true));
    toolsOf.set(h.name, new Set(tools));
    writeBinDir(join(dir, 'bin', h.name), tools);
  }
  const socketPath = join(dir, 'sim.sock');
  rmSync(socketPath, { force: true });
  const server = await startServer(core, socketPath);
  const running = new Set<() => void>();

  const start = (host: string, tool: string, argv: readonly string[], output: ToolOutputHandlers = {}): RunningTool => {
    let out = '';
    let errText = '';
    let kill: () => void = () => {};
    const closed = new Promise<void>((r) => (kill = r));
    running.add(kill);
    const io = {
      out: (t: string) => ((out += t), output.onStdout?.(t)),
      err: (t: string) => ((errText += t), output.onStderr?.(t)),
      closed,
    };
    const done = core.run(host, tool, argv, io).then((exitCode) => {
      running.delete(kill);
      return { stdout: out, stderr: errText, exitCode };
    });
    return { done, stdout: () => out, stderr: () => errText, kill: () => kill() };
  };

  return {
    dir,
    socketPath,
    binDir,
    clock,
    binDirFor: (h) => join(dir, 'bin', h),
    hostRoot: (h) => hostRoot(dir, h),
    env: (h) => ({
      PATH: `${join(dir, 'bin', h)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      XENHERD_SIM_SOCKET: socketPath,
      XENHERD_SIM_HOST: h,
      XENHERD_HOST_ROOT: hostRoot(dir, h),
      [STATE_DISK_STAND_IN_ENV]: stateDiskStandInFile(dir, h),
    }),
    state: () => core.state(),
    commandLog: core.log,
    violations: core.violations,
    run: (h, t, a) => start(h, t, a).done,
    start,
    hasTool: (h, t) => toolsOf.get(h)?.has(t) ?? false,
    bootId: (h) => core.bootId(h),
    advance: (ms) => clock.advance(ms),
    power: (h, st) => core.power(h, st === 'on'),
    drbd: (r, a) => core.drbd(r, a),
    xenstored: (h, a) => core.xenstored(h, a === 'start'),
    diskFail: (h, r) => core.diskFail(h, r),
    stateDisk: (h, st) => {
      const r = core.stateDisk(h, st === 'ok' ? null : st);
      // an agent process reads its real dirs again once the file is gone
      if (r.ok) syncStateDiskStandIn(dir, h, st === 'ok' ? null : simStandIn(st));
      return r;
    },
    migrationFault: (d, p) => core.migrationFault(d, p),
    toolFault: (host, tool, fault, o = {}) => core.faults.addTool({ host, tool, fault, argvPrefix: o.argvPrefix ?? [], times: o.times }),
    holdTool: (host, tool, o = {}) => {
      let open: () => void = () => undefined;
      const gate = new Promise<void>((r) => (open = r));
      core.faults.addTool({ host, tool, fault: { kind: 'gated', open: gate }, argvPrefix: o.argvPrefix ?? [], times: o.times });
      return () => open();
    },
    clearToolFaults: () => core.faults.clearTools(),
    force: (label, f) => core.force(label, f),
    async stop() {
      core.closeStreams();
      for (const k of [...running]) k();
      clock.stop();
      await server.close();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Read a fleet file from disk. */
export const readFleetFile = (path: string): string => readFileSync(path, 'utf8');
