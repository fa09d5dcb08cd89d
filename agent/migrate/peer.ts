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

/** What the peer's forced command answers to `status NAME`. */
export type PeerStatus = { readonly kind: 'here' } | { readonly kind: 'absent' } | { readonly kind: 'refused' | 'unreachable' | 'unreadable'; readonly why: string };

export async function peerStatus(ctx: HostContext, peer: string, name: string): Promise<PeerStatus> {
  const r = await askPeer(ctx, peer, `status ${name}`);
  if (!r.ok) return { kind: 'unreachable', why: r.error.message };
  const out = r.value.stdout.split('\n');
  const line = out.find((l) => l.startsWith(`status ${name} `));
  if (r.value.exitCode === 0 && line?.startsWith(`status ${name} here`)) return { kind: 'here' };
  if (r.value.exitCode === 0 && line?.startsWith(`status ${name} absent`)) return { kind: 'absent' };
  const result = out.find((l) => l.startsWith('result: refused '));
  if (result) return { kind: 'refused', why: result.slice('result: refused '.length) };
  return { kind: 'unreadable', why: `exit ${String(r.value.exitCode)}: ${(line ?? r.value.stderr.trim().split('\n').pop() ?? '').slice(0, 300)}` };
}

/** `status NAME` on the peer: true = runs there, false = not there, null = could not tell. */
export async function runsOnPeer(ctx: HostContext, peer: string, name: string): Promise<boolean | null> {
  const s = await peerStatus(ctx, peer, name);
  return s.kind === 'here' ? true : s.kind === 'absent' ? false : null;
}
