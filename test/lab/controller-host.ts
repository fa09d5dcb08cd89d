import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { realClock } from '../../shared/clock/real-clock.js';
import type { XhError } from '../../shared/errors.js';
import { HostsAnswerSchema } from '../../shared/protocol/ctl-api.js';
import type { Result } from '../../shared/result.js';
import { CtlClient } from '../../controller/ctl/client.js';
import { loadCtlConfig } from '../../controller/ctl/config.js';
import { trackGroup, untrackGroup } from './cleanup.js';
import { GUEST_ADDR } from './guest-forward.js';
import { log, sleep } from './log.js';

/**
 * The controller of a lab run, on the host: `xenherd-controller init` in the lab's temp dir
 * (listening on 127.0.0.1 only, its certificate also naming GUEST_ADDR, where the Dom0s reach it
 * through guest-forward.ts), `serve` as a child in its own process group registered with
 * cleanup.ts (so every exit path ends it; its command line names the temp dir, so the lab's leak
 * check sees it if not), `enroll`, and `xenherdctl` runs with the admin token. The bundles are
 * copied next to the config first: a rebuild of dist/ during the run changes nothing here.
 */
export interface CtlRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationS: number;
}

interface InitAnswer {
  url: string;
  token: string;
  ca: string;
  config: string;
}

export class ControllerHost {
  private serve: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  /** the HTTP API client xenherdctl itself uses, for polling without a process per question */
  readonly api: CtlClient;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly made: InitAnswer,
    private readonly bin: { controller: string; ctl: string },
  ) {
    const config = loadCtlConfig({ XENHERD_URL: made.url, XENHERD_TOKEN: made.token, XENHERD_CA: made.ca });
    if (!config.ok) throw new Error(config.error.message);
    this.api = new CtlClient(config.value, realClock);
  }

  /** The URL the agents dial (what `enroll` prints, through publicUrl). */
  get agentUrl(): string {
    return `wss://${GUEST_ADDR}:${this.port}`;
  }

  /** the environment xenherdctl reads (no ctl.json or code cache of this machine's user: the XDG dirs are ours) */
  get ctlEnv(): Record<string, string> {
    return { XENHERD_URL: this.made.url, XENHERD_TOKEN: this.made.token, XENHERD_CA: this.made.ca, XDG_CONFIG_HOME: join(this.dir, 'xdg'), XDG_CACHE_HOME: join(this.dir, 'xdg-cache') };
  }

  static async start(workDir: string, port: number): Promise<ControllerHost> {
    const dir = join(workDir, 'controller');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const bin = { controller: join(dir, 'bin', 'xenherd-controller'), ctl: join(dir, 'bin', 'xenherdctl') };
    copyFileSync('dist/xenherd-controller', bin.controller);
    copyFileSync('dist/xenherdctl', bin.ctl);
    const init = spawnSync(process.execPath, [bin.controller, 'init', '--dir', dir, '--listen', '127.0.0.1', '--port', String(port), '--san', GUEST_ADDR, '--json'], { encoding: 'utf8', timeout: 60_000 });
    if (init.status !== 0) throw new Error(`xenherd-controller init failed (${String(init.status)}): ${init.stderr}`);
    const made = JSON.parse(init.stdout) as InitAnswer & { names: string[] };
    log(`controller: init: ${made.config}, certificate for ${made.names.join(', ')}`);
    // as an operator behind NAT would: publicUrl is what `enroll` tells the agents to dial.
    // The Dom0s have 1 GiB, 512 MiB of it Dom0's: the default reserve a drain keeps free on its
    // target (1024 MiB) fits nowhere; 256 MiB still leaves room for tiny on either.
    // Emulated Dom0s are slow the way README's slow Dom0s are: Node takes ~20 s to start there and
    // the peer check over ssh as long again before the first progress line, and a migration of
    // tiny can take 2 minutes, so the least silence and deadline are raised as README says.
    const cfg = JSON.parse(readFileSync(made.config, 'utf8')) as Record<string, unknown>;
    const lab = { publicUrl: `https://${GUEST_ADDR}:${port}`, migrations: { reserveMiB: 256, stuckAfterSeconds: 240, minDeadlineSeconds: 600 } };
    writeFileSync(made.config, `${JSON.stringify({ ...cfg, ...lab }, null, 2)}\n`, { mode: 0o600 });
    const host = new ControllerHost(dir, port, made, bin);
    host.spawnServe();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await host.api.get('/hosts', HostsAnswerSchema);
      if (r.ok) break;
      if (host.serve === null || Date.now() > deadline) throw new Error(`the controller never answered on 127.0.0.1:${port}: ${r.error.message}; log: ${host.logTail()}`);
      await sleep(300);
    }
    log(`controller: serving on 127.0.0.1:${port} (pid ${String(host.serve?.pid)}); agents dial ${host.agentUrl}`);
    return host;
  }

  private spawnServe(): void {
    const out = createWriteStream(join(this.dir, 'serve.log'));
    const child = spawn(process.execPath, [this.bin.controller, 'serve', '--config', this.made.config], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid!;
    trackGroup(pid);
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    this.serve = child;
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        untrackGroup(pid);
        if (this.serve === child) this.serve = null;
        resolve(code ?? (signal ? 128 : null));
      }),
    );
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(join(this.dir, 'serve.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** The lines the controller logged (pino JSON), parsed. */
  logLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of readFileSync(join(this.dir, 'serve.log'), 'utf8').split('\n')) {
      try {
        if (l.startsWith('{')) out.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* a partial last line */
      }
    }
    return out;
  }

  /** `xenherd-controller enroll HOST`: the agent's `controller` config section. */
  enroll(host: string): Record<string, string> {
    const r = spawnSync(process.execPath, [this.bin.controller, 'enroll', host, '--config', this.made.config], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`xenherd-controller enroll ${host} failed (${String(r.status)}): ${r.stderr}`);
    return (JSON.parse(r.stdout) as { controller: Record<string, string> }).controller;
  }

  /**
   * `xenherdctl ARGS` with the admin token: its own process group (registered for cleanup while it
   * runs), every stdout line handed to onLine as it arrives.
   */
  ctl(args: readonly string[], opts: { onLine?: (line: string) => void; timeoutMs?: number } = {}): Promise<CtlRun> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.bin.ctl, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.ctlEnv } });
      const pid = child.pid!;
      trackGroup(pid);
      let stdout = '';
      let stderr = '';
      let partial = '';
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        stdout += d;
        partial += d;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) opts.onLine?.(l);
      });
      child.stderr!.on('data', (d: string) => (stderr += d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        process.kill(-pid, 'SIGKILL');
      }, opts.timeoutMs ?? 120_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        untrackGroup(pid);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        untrackGroup(pid);
        if (partial !== '') opts.onLine?.(partial);
        resolve({ exitCode: timedOut ? null : code, stdout, stderr, durationS: (Date.now() - t0) / 1000 });
      });
    });
  }

  /** GET PATH of the API, parsed (the same client and schemas as xenherdctl). */
  get<T>(path: string, schema: z.ZodType<T>): Promise<Result<T, XhError>> {
    return this.api.get(path, schema);
  }

  /** SIGTERM (serve closes the agents' links and exits), SIGKILL after 15 s; returns the exit code. */
  async stop(): Promise<number | null> {
    const child = this.serve;
    if (child === null || this.exited === null) return null;
    child.kill('SIGTERM');
    const code = await Promise.race([this.exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code !== 'timeout') return code;
    log('controller: still running 15 s after SIGTERM, killing it');
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    await this.exited;
    return null;
  }
}
