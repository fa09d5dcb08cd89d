// A real `xenherd-controller serve` for the benchmarks: initialised in a temp dir, N agent tokens
// enrolled at once (as `enroll` would, written straight into its token store: N processes of
// `enroll` would only measure Node's start-up), and an HTTPS client for its API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { newToken } from '../../controller/auth/tokens.js';
import { readTokenStore, tokenStorePath, writeTokenStore } from '../../controller/auth/token-store-file.js';
import { CONTROLLER_UNIT_NODE_FLAGS } from '../helpers/unit-node-flags.js';
import { runNode } from '../playground/processes.js';
import { freePort } from '../ssh/sshd.js';
import { httpsGetter } from './https-getter.js';
import { sleep } from './table.js';

export interface BenchController {
  readonly pid: number;
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly wsUrl: string;
  readonly caFile: string;
  readonly caPem: string;
  /** the controller's own TLS key and certificate files (a stand-in server can present them) */
  readonly tls: { readonly key: string; readonly cert: string };
  readonly adminToken: string;
  readonly agentTokens: readonly { readonly host: string; readonly token: string }[];
  /** how many log lines the controller wrote, by their `event` */
  readonly logEvents: ReadonlyMap<string, number>;
  /** GET PATH with the admin token over one kept-alive connection: status and body */
  get(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
  /**
   * stops this `serve` and starts another on the same config and port, once its API answers: by
   * SIGTERM at once, as systemctl restart does, or killed (SIGKILL, a crash) and started DOWNMS
   * later, as systemd's RestartSec does
   */
  restart(how?: { signal: 'SIGTERM' | 'SIGKILL'; downMs: number }): Promise<BenchController>;
}

export async function startBenchController(bundle: string, dir: string, hosts: readonly string[]): Promise<BenchController> {
  const port = await freePort();
  const init = await runNode(bundle, ['init', '--dir', dir, '--listen', '127.0.0.1', '--port', String(port), '--json'], {});
  if (init.code !== 0) throw new Error(`xenherd-controller init: ${init.stderr}`);
  const made = JSON.parse(init.stdout) as { config: string; url: string; token: string; ca: string };
  const config = JSON.parse(readFileSync(made.config, 'utf8')) as { stateDir: string; tls: { key: string; cert: string } };
  const stateDir = config.stateDir;
  const file = tokenStorePath(stateDir);
  const store = readTokenStore(file);
  if (!store.ok) throw new Error(store.error.message);
  const agentTokens: { host: string; token: string }[] = [];
  const agents = { ...store.value.agents };
  for (const host of hosts) {
    const t = newToken();
    agents[t.id] = { host, sha256: t.sha256, createdAt: new Date().toISOString() };
    agentTokens.push({ host, token: t.token });
  }
  const written = writeTokenStore(file, { ...store.value, agents });
  if (!written.ok) throw new Error(written.error.message);

  const caPem = readFileSync(made.ca, 'utf8');
  const fixed = { url: made.url, wsUrl: made.url.replace(/^https/, 'wss'), caFile: made.ca, caPem, tls: { key: config.tls.key, cert: config.tls.cert }, adminToken: made.token, agentTokens };
  const start = async (): Promise<BenchController> => {
    const served = await serve(bundle, made.config, made.url, caPem, made.token);
    const restart = async (how = { signal: 'SIGTERM' as const, downMs: 0 }): Promise<BenchController> => {
      await served.stop(how.signal);
      await sleep(how.downMs);
      return start();
    };
    return { ...fixed, ...served, restart };
  };
  return start();
}

/** `serve` on CONFIG, once its API answers. */
async function serve(bundle: string, configFile: string, url: string, caPem: string, adminToken: string): Promise<Pick<BenchController, 'pid' | 'logEvents' | 'get'> & { stop(signal?: NodeJS.Signals): Promise<void> }> {
  // XENHERD_BENCH_PROFILE=DIR: a V8 CPU profile of the controller, for finding where time goes;
  // XENHERD_BENCH_NODE_FLAGS: more Node flags for it (--trace-gc, a heap limit, ...)
  const profile = process.env['XENHERD_BENCH_PROFILE'];
  const extra = (process.env['XENHERD_BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter((f) => f !== '');
  // the unit's own Node flags first (the controller as it ships), the ones asked for after them (a later flag wins)
  const flags = [...CONTROLLER_UNIT_NODE_FLAGS, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), ...extra];
  const child: ChildProcess = spawn(process.execPath, [...flags, bundle, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logEvents = new Map<string, number>();
  let partial = '';
  // XENHERD_BENCH_CONTROLLER_LOG=FILE: the controller's own log lines kept there, for finding why a run failed
  const keptLog = process.env['XENHERD_BENCH_CONTROLLER_LOG'];
  if (keptLog) child.stdout?.pipe(createWriteStream(keptLog, { flags: 'a' }));
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const event = /"event":"([^"]+)"/.exec(l)?.[1] ?? (l.startsWith('{') ? '(none)' : '(not JSON)');
      logEvents.set(event, (logEvents.get(event) ?? 0) + 1);
      if (extra.length > 0 && !l.startsWith('{')) process.stdout.write(`controller: ${l}\n`);
    }
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const api = httpsGetter(url, caPem, adminToken);
  const get = api.get;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    api.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  for (let i = 0; ; i++) {
    const up = await get('/v1/hosts').then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || i > 200) {
      await stop();
      throw new Error(`xenherd-controller serve did not come up: ${stderr}`);
    }
    await sleep(50);
  }
  return { pid: child.pid as number, logEvents, get, stop };
}
