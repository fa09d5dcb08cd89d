import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownHostsName } from '../../agent/parse/known-hosts-name.js';
import { simHostKeyText } from '../sim/model/host-keys.js';

export interface RootSshPeer {
  readonly address: string;
  readonly port?: number;
  readonly proxyJump?: string;
  /** the key its sshd shows, `TYPE BASE64` (a real sshd's .pub); the simulated Dom0's key by default */
  readonly hostKey?: string;
}

/**
 * Root's ~/.ssh/config on a simulated Dom0 whose agent.json sends `migration.peers` elsewhere than
 * the peers' names (test beds put each peer's sshd on 127.0.0.1 at its own port): a Host entry per
 * peer to the same address and port, as an operator's must be, so `xl migrate`'s ssh goes where
 * the preflight's checks went (the toolstack-route check reads it through `ssh -G`). Root's
 * known_hosts gets each peer's key under the name ssh looks it up by (the HostName, `[name]:port`
 * off port 22), as a first `ssh PEER` by hand would leave it, so root's ssh trusts it too.
 */
export function writeRootSshConfig(hostRoot: string, peers: Readonly<Record<string, RootSshPeer>>): void {
  const dir = join(hostRoot, 'root/.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const line = (key: string, value: string | number | undefined): string => (value === undefined ? '' : `  ${key} ${value}\n`);
  const entries = Object.entries(peers).map(([name, p]) => `Host ${name}\n${line('HostName', p.address)}${line('Port', p.port)}${line('ProxyJump', p.proxyJump)}`);
  writeFileSync(join(dir, 'config'), entries.join(''), { mode: 0o600 });
  const keys = Object.entries(peers).map(([name, p]) => `${knownHostsName(p.address.toLowerCase(), p.port ?? 22)} ${p.hostKey ?? simHostKeyText(name)}\n`);
  appendFileSync(join(dir, 'known_hosts'), keys.join(''), { mode: 0o644 });
}
