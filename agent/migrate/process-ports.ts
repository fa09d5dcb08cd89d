import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../../shared/clock/real-clock.js';
import type { XhError } from '../../shared/errors.js';
import { CONTROL_PROTOCOL_VERSION } from '../../shared/protocol/agent-control.js';
import { err, ok, type Result } from '../../shared/result.js';
import { createDrbdAdapter } from '../adapters/drbd.js';
import { takeLock } from '../../shared/fs/file-lock.js';
import { procDrbdReader } from '../host/proc-drbd.js';
import { peerKeys, sshKeys } from '../adapters/known-hosts.js';
import { keyFingerprint } from '../adapters/peer-ssh-refusals.js';
import type { ToolHostKey } from '../decide/toolstack-route.js';
import { readRegularFileSync, readRegularSync } from '../../shared/fs/regular-file.js';
import { tcpReachable } from '../adapters/tcp-probe.js';
import { nudgeSocket } from '../control/nudge.js';
import type { HostContext } from './context.js';
import { holdKept } from './kept-hold.js';
import { peerEndpoint } from './route-read.js';
import { addressesOf, sshRouteOf } from '../adapters/ssh-route.js';
import { readPeerAnswer } from './peer-answer.js';
import { checkHostIpAddresses, readKnownHostsFile, readRootTrust } from './root-trust-read.js';
import { controlPurpose, type HeldDomu, type HoldPurpose, type MigrationPorts, type PeerPort } from './ports.js';

/**
 * The migration ports of a CLI process on a real Dom0: ssh2 with the migration key to the peer's
 * forced command, a TCP connect for "is its sshd up", the domU's lock file, and the running
 * agent's control socket for the hold. ssh2 is loaded only on first use: it instantiates a
 * WebAssembly module when loaded, and the daemon runs with WebAssembly off.
 */

function peerPort(c: HostContext): PeerPort {
  const m = c.config.migration;
  return {
    async keys(peer) {
      const keyFile = c.real(m.keyFile);
      const knownHostsFile = c.real(m.knownHostsFile);
      const key = readRegularSync(keyFile, { symlinks: 'follow', maxBytes: 64 * 1024 });
      const keyReadable = key.ok && key.value.text.length > 0;
      const keyOpenMode = key.ok && (key.value.mode & 0o077) !== 0 ? key.value.mode : null;
      const { address, port } = peerEndpoint(c, peer);
      const hosts = readRegularFileSync(knownHostsFile, { symlinks: 'follow' });
      const knownHost = hosts.ok && peerKeys(hosts.value, { name: peer, address, port }).trusted.length > 0;
      return { keyFile, keyReadable, keyOpenMode, knownHostsFile, knownHost, address, port };
    },
    async sshd(peer) {
      const { address, port } = peerEndpoint(c, peer);
      const r = await tcpReachable(address, port, 5_000);
      return r.reachable ? r : { reachable: false, why: `${peer}'s sshd (${address}:${port}) is not reachable from ${c.host}: ${r.why}` };
    },
    async ask(peer, command, onLine) {
      const { address, port } = peerEndpoint(c, peer);
      const { execOnPeer } = await import('../adapters/peer-ssh.js');
      const target = { name: peer, address, port, user: m.sshUser, keyFile: c.real(m.keyFile), knownHostsFile: c.real(m.knownHostsFile) };
      return readPeerAnswer(peer, (line) => execOnPeer(target, command, line), onLine);
    },
  };
}

/**
 * The host key the sshd at the toolstack's route shows, and whether known_hosts lists it for PEER
 * (its name or the checks' address) as OpenSSH takes a key at that PORT: under `[host]:port`, and
 * only while no line lists one so, bare (port 22's: one sshd on two ports shows one key).
 */
async function toolHostKey(c: HostContext, peer: string, host: string, port: number): Promise<ToolHostKey> {
  const { hostKeyAt } = await import('../adapters/ssh-host-key.js');
  const shown = await hostKeyAt(host, port);
  if (!shown.ok) return { unseen: shown.why };
  const hosts = readRegularFileSync(c.real(c.config.migration.knownHostsFile), { symlinks: 'follow' });
  const listed = hosts.ok && sshKeys(hosts.value, { name: peer, address: peerEndpoint(c, peer).address, port }).trusted.some((k) => k.equals(shown.key));
  return { listed, fingerprint: keyFingerprint(shown.key) };
}

/**
 * The peer's keys the agent's own known_hosts vouches for where root's ssh connects (PORT, `ssh -G
 * PEER`'s): what root's known_hosts lines are compared with. At the checks' own port, those its
 * ssh2 connection is refused on any other; at another port another sshd answers, whose key the
 * toolstack-route check passes only when known_hosts lists it for the peer as OpenSSH takes a key
 * at that port (sshKeys): those keys, not the checks' sshd's.
 */
function vouchedKeys(c: HostContext, peer: string, port: number): { keys: readonly Buffer[]; by: string } {
  const by = c.real(c.config.migration.knownHostsFile);
  const hosts = readRegularFileSync(by, { symlinks: 'follow' });
  if (!hosts.ok) return { keys: [], by };
  const ep = peerEndpoint(c, peer);
  return { keys: (port === ep.port ? peerKeys(hosts.value, { name: peer, ...ep }) : sshKeys(hosts.value, { name: peer, address: ep.address, port })).trusted, by };
}

/**
 * The home `~` is in root's ssh, xl migrate's: this process's own by getpwuid, as ssh looks it up
 * (both run as root); a simulated host root's root user lives in /root under it.
 */
const rootHome = (c: HostContext): string => (c.root === '/' ? userInfo().homedir : '/root');

/** whether ssh's connect to ADDRESS:PORT would succeed within its patience: ConnectTimeout, or (null) the kernel's */
const sshConnects = async (address: string, port: number, timeoutMs: number | null): Promise<boolean> => (await tcpReachable(address, port, timeoutMs)).reachable;

/** The domU's lock file, then the running agent's hold (no agent is a normal case). */
async function holdDomu(c: HostContext, name: string, purpose: HoldPurpose, operation: string): Promise<Result<HeldDomu, XhError>> {
  const file = await takeLock(join(c.stateDirReal, 'locks', `${name}.lock`), `domU ${name}`);
  if (!file.ok) return file;
  const socket = c.real(c.config.controlSocket);
  const held = await holdKept(socket, { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name, purpose: controlPurpose(purpose), operation, by: `xenherd-agent ${purpose} (pid ${process.pid})` }, realClock);
  if (!held.ok) {
    file.value.release();
    return err(held.error);
  }
  const agent = held.value === 'no-daemon' ? null : held.value;
  return ok({
    viaDaemon: agent !== null,
    stillHeld: async (progress) => (agent === null ? null : agent.stillHeld(progress)),
    release: () => {
      agent?.release();
      file.value.release();
    },
  });
}

export function processMigrationPorts(c: HostContext): MigrationPorts {
  return {
    host: c.host,
    config: c.config,
    files: c.files,
    clock: realClock,
    toolstack: c.toolstack,
    drbd: createDrbdAdapter({ run: c.run, readProcDrbd: procDrbdReader(c.files) }),
    store: c.store,
    peer: peerPort(c),
    route: {
      ssh: (name) => sshRouteOf(c.run, name),
      resolve: (name) => addressesOf(name),
      hostKey: (peer, host, port) => toolHostKey(c, peer, host, port),
      trust: async (peer, route) => readRootTrust(peer, route, (file) => readKnownHostsFile(c.real, file), vouchedKeys(c, peer, route.port), await checkHostIpAddresses(route, (name) => addressesOf(name), sshConnects), rootHome(c)),
    },
    hold: (name, purpose, operationId) => holdDomu(c, name, purpose, operationId),
    nudge: async (why) => void (await nudgeSocket(c.real(c.config.controlSocket), why)),
    newOperationId: () => randomUUID(),
  };
}
