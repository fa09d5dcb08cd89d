import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CliIo } from '../../../shared/cli/io.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { startServer, type RunningServer } from '../../../controller/api/server.js';
import { TokenBook, tokenStorePath } from '../../../controller/auth/token-store-file.js';
import { enrollCommand } from '../../../controller/cli/enroll.js';
import type { ControllerHooks } from '../../../controller/cli/hooks.js';
import { initCommand } from '../../../controller/cli/init.js';
import { operatorCommand } from '../../../controller/cli/operator.js';
import { renewCertCommand } from '../../../controller/cli/renew-cert.js';
import { renewAdvice, servedCertificate } from '../../../controller/cli/served-certificate.js';
import { stopServing } from '../../../controller/cli/stop-serving.js';
import { loadConfig } from '../../../controller/cli/common.js';
import { settingsOf } from '../../../controller/config/load.js';
import { readTlsFiles } from '../../../controller/config/tls-files.js';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import { enrolledHostsOf } from '../../../controller/cli/enrolled-hosts-of.js';
import type { JobSettings } from '../../../controller/jobs/settings.js';
import { memoryLogger, type LogLine } from '../../harness/memory-log.js';
import { connectFakeAgent, type FakeAgent } from '../fake-agent.js';
import { dom, hostState } from '../states.js';
import { until } from '../../helpers/until.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command's run() with captured output and the given environment. */
export async function capture(run: (argv: readonly string[], io: CliIo) => Promise<number>, argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env });
  return { code, stdout, stderr };
}

export const testHooks = (): ControllerHooks => ({
  clock: realClock,
  newId: (() => {
    let n = 0;
    return () => `t${++n}`;
  })(),
  hostname: () => 'ctl-test',
  onSignal: () => undefined,
  isRoot: false,
});

/** A controller made by `init` in a temp dir and served in this process on 127.0.0.1, port 0. */
export interface TestController {
  readonly dir: string;
  readonly config: string;
  readonly url: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly adminToken: string;
  readonly core: ControllerCore;
  readonly logs: LogLine[];
  enroll(host: string): Promise<string>;
  operator(name: string, role: 'read' | 'operate'): Promise<string>;
  agent(host: string, token?: string): Promise<FakeAgent>;
  events(event: string): LogLine[];
  stop(): Promise<void>;
}

/** Registers cleanup of every controller (and its temp dir) a test starts. */
/** ENROLLED: the core knows the enrolled hosts from tokens.json, as serve gives them (off by default: most tests enroll hosts they never connect) */
/** CERTDAYS: the server certificate renewed (`renew-cert --days N`) before serving, as an operator would */
export function controllerBed(): { start(settings?: { heartbeatSeconds?: number; staleAfterSeconds?: number; maxMessageBytes?: number }, jobs?: Partial<JobSettings>, o?: { enrolled?: boolean; certDays?: number }): Promise<TestController> } {
  const running: TestController[] = [];
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop();
  });
  return {
    start: async (settings = {}, jobs = {}, o = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'xenherd-ctl-'));
      const hooks = testHooks();
      const init = await capture(initCommand(hooks).run, ['--dir', dir, '--listen', '127.0.0.1', '--port', '0', '--json']);
      if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
      const out = JSON.parse(init.stdout) as { config: string; token: string; ca: string };
      if (o.certDays !== undefined) {
        const renewed = await capture(renewCertCommand(hooks).run, ['--config', out.config, '--days', String(o.certDays)]);
        if (renewed.code !== 0) throw new Error(`renew-cert failed: ${renewed.stderr}`);
      }
      const cfg = loadConfig(out.config);
      if (!cfg.ok) throw new Error(cfg.error.message);
      const config = { ...cfg.value, ...settings };
      const { log, lines } = memoryLogger(realClock, 'xenherd-controller');
      const tokens = new TokenBook(tokenStorePath(config.stateDir), (event, m) => log.error({ event, reason: m }, m));
      const tls = readTlsFiles(config, out.config);
      if (!tls.ok || tls.value === null) throw new Error(tls.ok ? 'no TLS' : tls.error.message);
      // the certificate the core judges, as serve hands it over
      const certificate = servedCertificate(tls.value.leaf, renewAdvice(out.config, false));
      const core = new ControllerCore({ clock: realClock, log, newId: hooks.newId, settings: settingsOf(config), jobs, identity: 'ctl-test', ...(o.enrolled === true ? { enrolled: enrolledHostsOf(tokens) } : {}), ...(certificate !== null ? { certificate } : {}) });
      const server: RunningServer = await startServer({ core, tokens, log, host: '127.0.0.1', port: 0, tls: tls.value, maxMessageBytes: config.maxMessageBytes, clock: realClock });
      // init --port 0 leaves publicUrl out, and enroll refuses a port it cannot tell an agent:
      // now that the port is known, write the URL agents dial, as an operator would
      writeFileSync(out.config, `${JSON.stringify({ ...(JSON.parse(readFileSync(out.config, 'utf8')) as object), publicUrl: server.url }, null, 2)}\n`);
      const caPem = readFileSync(out.ca, 'utf8');
      let stopped = false;
      const c: TestController = {
        dir,
        config: out.config,
        url: server.url,
        caFile: out.ca,
        caPem,
        adminToken: out.token,
        core,
        logs: lines,
        enroll: async (host) => {
          const r = await capture(enrollCommand(hooks).run, [host, '--config', out.config]);
          if (r.code !== 0) throw new Error(r.stderr);
          return (JSON.parse(r.stdout) as { controller: { token: string } }).controller.token;
        },
        operator: async (name, role) => {
          const r = await capture(operatorCommand(hooks).run, [name, '--role', role, '--config', out.config]);
          if (r.code !== 0) throw new Error(r.stderr);
          return r.stdout.trim();
        },
        agent: async (host, token) => connectFakeAgent({ url: server.url.replace(/^http/, 'ws'), token: token ?? (await c.enroll(host)), ca: caPem, host }),
        events: (event) => lines.filter((l) => l['event'] === event),
        stop: async () => {
          if (stopped) return;
          stopped = true;
          // as serve stops on SIGTERM
          await stopServing(core, server, realClock);
          rmSync(dir, { recursive: true, force: true });
        },
      };
      running.push(c);
      return c;
    },
  };
}

/**
 * C with xen1 reporting web01, reachable, and C's CA written to DIR/ca.crt (outliving the
 * controller's own directory, so a stopped controller is the only thing wrong afterwards): what a
 * xenherdctl process needs beside a token. Returns the CA file's path.
 */
export async function xen1ReportingWithCa(c: TestController, dir: string): Promise<string> {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('web01')] }));
  await until(() => c.core.hosts().hosts.some((h) => h.reachable), 'xen1 reachable', { limitMs: 10_000 });
  const ca = join(dir, 'ca.crt');
  writeFileSync(ca, c.caPem);
  return ca;
}

/** GET /metrics of C with TOKEN (the admin's by default): the Prometheus text. */
export function metricsText(c: TestController, token: string = c.adminToken): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL('/metrics', c.url), { ca: c.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
