import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sim } from '../../sim/sim.js';
import { UNIT_NODE_FLAGS } from '../../helpers/unit-node-flags.js';
import { CLIENT_SOURCE } from '../../sim/bin/client-source.js';
import { untilFound, Wakes } from '../../helpers/until.js';

/** The built agent bundle, once per test file. */
export function buildAgent(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-run-bundle-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherd-agent'], { stdio: 'pipe' });
  return { path: join(dir, 'xenherd-agent'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type LogLine = Record<string, unknown> & { level: number; msg: string; time: number };

/** `xenherd-agent run` as a child process "on" a simulated host; its JSON log kept as objects. */
export class AgentProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly wakes = new Wakes();

  constructor(agent: string, sim: Sim, host: string, configPath: string, extraEnv: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [...UNIT_NODE_FLAGS, agent, 'run', '--config', configPath], { env: { ...process.env, ...sim.env(host), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ level: 60, msg: `NOT JSON: ${line}`, time: Date.now() });
        }
        this.wakes.wake();
      }
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** resolves with the first log line matching, or rejects after timeoutMs naming the log so far */
  waitLog(pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = (): string => `a matching log line (its log so far:\n${this.logs.map((l) => l.msg).join('\n')}\nstderr: ${this.stderr})`;
    return untilFound(() => this.logs.find(pred), seen, { limitMs: timeoutMs, step: this.wakes.step(200) });
  }

  async stop(): Promise<{ code: number | null; signal: string | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Runs a command asynchronously (the simulator answers from this event loop). */
export function runAsync(cmd: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function writeConfig(dir: string, config: unknown): string {
  const p = join(dir, `agent-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify(config));
  return p;
}

/** Live (non-zombie) processes whose command line mentions `needle`. */
export function liveProcessesMentioning(needle: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d) && Number(d) !== process.pid)
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return [];
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
        return cmd.includes(needle) ? [`${d}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}

export { creates, runsOn } from '../../helpers/sim-looks.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Makes TOOL on HOST a stand-in that ignores SIGTERM (as a real tool blocked in the toolstack or in
 * DRBD may): SIGKILL alone ends it. It still asks the simulator, so holdTool and faults apply.
 */
export function stubbornTool(sim: Sim, host: string, tool: string): void {
  const onTerm = '$SIG{TERM} = sub { exit 143 };';
  if (!CLIENT_SOURCE.includes(onTerm)) throw new Error("stubbornTool: the stand-in's SIGTERM line changed; update this helper");
  const path = join(sim.binDirFor(host), tool);
  writeFileSync(path, CLIENT_SOURCE.replace(onTerm, "$SIG{TERM} = 'IGNORE';"));
  chmodSync(path, 0o755);
}
