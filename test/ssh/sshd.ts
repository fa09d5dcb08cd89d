import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runAsync } from '../agent/run/agent-process.js';

/**
 * A real OpenSSH sshd for tests: its own config, host key and AuthorizedKeysFile in a temp dir,
 * on 127.0.0.1 with a port the OS picked, run in the foreground (-D -e) and ended by stop().
 */
export const SSHD = '/usr/sbin/sshd';
/** what the ssh tests, the demo and the playground run: OpenSSH's server, client and key maker */
export const SSH_TOOLS = [SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen'] as const;
export const sshdInstalled = (): boolean => SSH_TOOLS.every((p) => existsSync(p));

export interface Sshd {
  readonly port: number;
  readonly hostKeyPub: string;
  readonly dir: string;
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function keygen(path: string, comment: string): Promise<string> {
  const r = await runAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {});
  if (r.code !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** A forced-command wrapper: the simulated host's environment, then exec the agent bundle. */
export function writeWrapper(path: string, env: Record<string, string>, agentBundle: string): void {
  const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`).join('\n');
  writeFileSync(path, `#!/bin/sh\n${exports}\nexec ${q(process.execPath)} ${q(agentBundle)} "$@"\n`);
  chmodSync(path, 0o755);
}

export async function startSshd(dir: string, authorizedKeys: string): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  // sshd's privilege separation directory (the Debian service creates it at start)
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKeyPub = await keygen(join(dir, 'host_key'), 'test-host');
  writeFileSync(join(dir, 'authorized_keys'), authorizedKeys, { mode: 0o600 });
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.setEncoding('utf8');
    const ready = new Promise<boolean>((resolve) => {
      child.stderr?.on('data', (d: string) => {
        log += d;
        if (log.includes('Server listening on')) resolve(true);
      });
      child.on('exit', () => resolve(false));
      setTimeout(() => resolve(false), 10_000);
    });
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      child.on('exit', () => resolve());
    });
    if (await ready) {
      return {
        port,
        hostKeyPub,
        dir,
        log: () => log,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    lastError = log;
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
  throw new Error(`sshd did not start: ${lastError}`);
}
