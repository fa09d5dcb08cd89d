// What the controller allocates per `where` request, in one process: the real server (TLS, the
// API's routing and token check, the answer) made by `init` in a temp dir, asked N times one after
// another by a client in another process (so what the client allocates is not counted).
//
//   node --expose-gc --enable-source-maps packaging/run-ts.mjs test/bench/where-alloc.ts [N]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GCProfiler } from 'node:v8';
import { startServer } from '../../controller/api/server.js';
import { TokenBook, tokenStorePath } from '../../controller/auth/token-store-file.js';
import { loadConfig } from '../../controller/cli/common.js';
import { initCommand } from '../../controller/cli/init.js';
import { settingsOf } from '../../controller/config/load.js';
import { readTlsFiles } from '../../controller/config/tls-files.js';
import { ControllerCore } from '../../controller/core/controller-core.js';
import { realClock } from '../../shared/clock/real-clock.js';
import { createLogger } from '../../shared/logger.js';
import { nodeSite, type ProfileNode } from './heap-sites.js';

const N = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'xenherd-where-alloc-'));
let out = '';
const code = await initCommand({ clock: realClock, newId: () => 'x', hostname: () => 'bench', onSignal: () => undefined, isRoot: false }).run(['--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json'], { stdout: (t) => void (out += t), stderr: (t) => void process.stderr.write(t), env: {} });
if (code !== 0) throw new Error('init failed');
const made = JSON.parse(out) as { config: string; token: string; ca: string };
const cfg = loadConfig(made.config);
if (!cfg.ok) throw new Error(cfg.error.message);
const log = createLogger({ name: 'xenherd-controller', sink: { write: () => undefined }, env: {} });
const tokens = new TokenBook(tokenStorePath(cfg.value.stateDir), () => undefined);
const tls = readTlsFiles(cfg.value, made.config);
if (!tls.ok || tls.value === null) throw new Error('no TLS');
const core = new ControllerCore({ clock: realClock, log, newId: () => 'id', settings: settingsOf(cfg.value) });
const server = await startServer({ core, tokens, log, host: '127.0.0.1', port: 0, tls: tls.value, maxMessageBytes: cfg.value.maxMessageBytes, clock: realClock });

const client = `
const https = require('node:https');
const [url, ca, token, n] = [process.argv[1], require('node:fs').readFileSync(process.argv[2], 'utf8'), process.argv[3], Number(process.argv[4])];
const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
const u = new URL(url);
const get = () => new Promise((res, rej) => { const r = https.request({ host: u.hostname, port: u.port, path: '/v1/where?pattern=vm12-3', agent, headers: { authorization: 'Bearer ' + token } }, (m) => { m.resume(); m.on('end', res); }); r.on('error', rej); r.end(); });
(async () => { for (let i = 0; i < n; i++) await get(); process.stdout.write('done'); agent.destroy(); })();
`;
const ask = (n: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', client, server.url, made.ca, made.token, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    c.stdout.on('data', (d: Buffer) => (o += d.toString()));
    c.on('close', (code) => (code === 0 && o === 'done' ? resolve() : reject(new Error(`client ended ${code}: ${o}`))));
  });

await ask(5_000);
const gcp = new GCProfiler();
gcp.start();
await ask(N);
const scavenges = ((gcp.stop()?.statistics ?? []) as unknown as { gcType: string }[]).filter((s) => s.gcType === 'Scavenge').length;
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
await ask(N);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
const sites = new Map<string, number>();
const walk = (n: ProfileNode, caller: string): void => {
  const key = nodeSite(n, caller);
  if (n.selfSize > 0) sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c, n.callFrame.url === '' ? caller : key);
};
walk(profile.head, '(root)');
const all = [...sites.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`${JSON.stringify({ requests: N, scavengesWithoutProfiler: scavenges, bytesPerRequest: Math.round(all / N), top: Object.fromEntries([...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => [k, Math.round(v / N)])) }, null, 2)}\n`);
await server.close?.();
core.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
