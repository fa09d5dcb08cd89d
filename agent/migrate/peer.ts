import type { PeerExecResult } from '../adapters/peer-ssh.js';
import { tcpReachable } from '../adapters/tcp-probe.js';
import type { XhError } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';
import type { HostContext } from './context.js';

/**
 * Runs one migrate2-grammar command on a peer with this host's migration key and settings.
 * ssh2 is loaded only here, on first use: it instantiates a WebAssembly module when loaded, and
 * the daemon runs with WebAssembly off (systemd/xenherd-agent.service) and never needs ssh.
 */
/** Where this host reaches PEER's sshd: `migration.peers.PEER` in the config, else PEER:sshPort. */
export function peerEndpoint(ctx: HostContext, peer: string): { address: string; port: number } {
  const m = ctx.config.migration;
  const over = m.peers[peer];
  return { address: over?.address ?? peer, port: over?.port ?? m.sshPort };
}

/** Is PEER's sshd reachable (TCP connect, nothing sent)? null when it is; else why not. */
export async function peerUnreachable(ctx: HostContext, peer: string, timeoutMs = 5_000): Promise<string | null> {
  const { address, port } = peerEndpoint(ctx, peer);
  const r = await tcpReachable(address, port, timeoutMs);
  return r.reachable ? null : `${peer}'s sshd (${address}:${port}) is not reachable from ${ctx.host}: ${r.why}`;
}

export async function askPeer(ctx: HostContext, peer: string, command: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void = () => undefined): Promise<Result<PeerExecResult, XhError>> {
  const m = ctx.config.migration;
  const { address, port } = peerEndpoint(ctx, peer);
  const { execOnPeer } = await import('../adapters/peer-ssh.js');
  return execOnPeer(
    { name: peer, address, port, user: m.sshUser, keyFile: ctx.real(m.keyFile), knownHostsFile: ctx.real(m.knownHostsFile) },
    command,
    onLine,
  );
}

/** `status NAME` on the peer: true = runs there, false = not there, null = could not ask. */
export async function runsOnPeer(ctx: HostContext, peer: string, name: string): Promise<boolean | null> {
  const r = await askPeer(ctx, peer, `status ${name}`);
  if (!r.ok || r.value.exitCode !== 0) return null;
  const line = r.value.stdout.split('\n').find((l) => l.startsWith(`status ${name} `));
  if (line === undefined) return null;
  return line.startsWith(`status ${name} here`) ? true : line.startsWith(`status ${name} absent`) ? false : null;
}
