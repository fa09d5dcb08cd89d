import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Root's ~/.ssh/config on a simulated Dom0 whose agent.json sends `migration.peers` elsewhere than
 * the peers' names (test beds put each peer's sshd on 127.0.0.1 at its own port): a Host entry per
 * peer to the same address and port, as an operator's must be, so `xl migrate`'s ssh goes where
 * the preflight's checks went (the toolstack-route check reads it through `ssh -G`).
 */
export function writeRootSshConfig(hostRoot: string, peers: Readonly<Record<string, { readonly address: string; readonly port?: number; readonly proxyJump?: string }>>): void {
  const dir = join(hostRoot, 'root/.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const line = (key: string, value: string | number | undefined): string => (value === undefined ? '' : `  ${key} ${value}\n`);
  const entries = Object.entries(peers).map(([name, p]) => `Host ${name}\n${line('HostName', p.address)}${line('Port', p.port)}${line('ProxyJump', p.proxyJump)}`);
  writeFileSync(join(dir, 'config'), entries.join(''), { mode: 0o600 });
}
