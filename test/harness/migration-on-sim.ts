import { join } from 'node:path';
import { takeLock } from '../../shared/fs/file-lock.js';
import { ledgerStore, type LedgerStore } from '../../agent/adapters/ledger-store.js';
import { createToolstack } from '../../agent/adapters/toolstack.js';
import { createDrbdAdapter } from '../../agent/adapters/drbd.js';
import { procDrbdReader } from '../../agent/host/proc-drbd.js';
import { AgentConfigSchema, type AgentConfigInput } from '../../agent/config/schema.js';
import { nudgeAgent } from '../../agent/control/nudge.js';
import { serveForcedCommand } from '../../agent/migrate/forced-command.js';
import { controlPurpose, type MigrationPorts, type PeerPort } from '../../agent/migrate/ports.js';
import { parseMigrate2Command } from '../../agent/parse/migrate2-command.js';
import { exitCodeFor } from '../../shared/errors.js';
import type { PeerLine } from '../../shared/protocol/peer.js';
import { err, ok } from '../../shared/result.js';
import type { Sim } from '../sim/sim.js';
import type { SimAgent } from './agent-on-sim.js';
import { SimProcesses, simToolRunner } from './sim-tools.js';
import { syncHostFiles } from './sync-host-files.js';
import { simAccepts, simHostKey, simResolver } from './sim-resolver.js';
import { sshRouteOf } from '../../agent/adapters/ssh-route.js';
import { checkHostIpAddresses, readKnownHostsFile, readRootTrust } from '../../agent/migrate/root-trust-read.js';
import { simHostKeyBlob } from '../sim/model/host-keys.js';

/**
 * Migration ports for a simulated Dom0 in the test's process: its tools from the simulator, and
 * "ssh to the peer's forced command" played by calling that peer's forced-command code directly
 * with the peer's own ports, exactly as sshd would run it there.
 */
export interface MigrationWorld {
  readonly sim: Sim;
  /** the agent core running on a host, if any: holds and nudges go to it */
  agentOn?(host: string): SimAgent | undefined;
  /** per host: the migration key and peers' host keys are installed (default: yes) */
  readonly keysInstalled?: (host: string) => boolean;
  /** per peer: its sshd accepts connections (default: the peer is powered on) */
  readonly sshdUp?: (peer: string) => boolean;
  readonly config?: AgentConfigInput;
}

/**
 * The ledger as a command running on HOST sees it. Its promise goes on in this process whatever
 * happens to the machine it stands for, but a real one would have died with the host's power (the
 * simulator keeps a powered-off host's files, its disk): it writes nothing after that boot of the
 * host ended — nor after the process running it died (PROCESS_ALIVE false: an agent that crashed
 * mid-command; the tools it started run on, as systemd's KillMode=process leaves them).
 */
function writesWhileUp(store: LedgerStore, sim: Sim, host: string, processAlive: () => boolean): LedgerStore {
  const up = (): boolean => sim.state().hosts[host]?.power === 'on';
  const boot = up() ? sim.bootId(host) : null;
  return {
    path: store.path,
    read: () => store.read(),
    update: async (change) => {
      if (!up() || sim.bootId(host) !== boot) return err({ code: 'XH_ERR_FILE', message: `${host} lost power while this command ran: nothing is written` });
      if (!processAlive()) return err({ code: 'XH_ERR_FILE', message: `the process running this command on ${host} died: nothing is written` });
      return store.update(change);
    },
  };
}

/** PROCESS_ALIVE: whether the process running the command still lives (an agent's, for a controller's command). */
export function simMigrationPorts(w: MigrationWorld, host: string, processAlive: () => boolean = () => true): MigrationPorts {
  const sim = w.sim;
  const config = AgentConfigSchema.parse(w.config ?? {});
  const root = sim.hostRoot(host);
  const stateDirReal = join(root, config.stateDir);
  const kind = sim.state().hosts[host]?.toolstack ?? 'xl';
  let ops = 0;
  const installed = (): boolean => (w.keysInstalled ? w.keysInstalled(host) : true);
  const sshdUp = (peer: string): boolean => (w.sshdUp ? w.sshdUp(peer) : sim.state().hosts[peer]?.power === 'on');
  const peer: PeerPort = {
    keys: async (p) => ({ keyFile: `${root}/etc/xenherd/migrate_key`, keyReadable: installed(), keyOpenMode: null, knownHostsFile: `${root}/etc/xenherd/known_hosts`, knownHost: installed() && p !== '', address: p, port: 22 }),
    sshd: async (p) => (sshdUp(p) ? { reachable: true } : { reachable: false, why: `${p}'s sshd (${p}:22) is not reachable from ${host}: ECONNREFUSED` }),
    ask: async (p, command, onLine) => {
      if (!sshdUp(p) || !sim.state().hosts[p]) return err({ code: 'XH_ERR_PEER_UNREACHABLE', message: `${p} (${p}:22): connect ECONNREFUSED` });
      const req = parseMigrate2Command(command);
      const lines: PeerLine[] = [];
      const emit = (l: PeerLine): void => {
        lines.push(l);
        onLine?.(l);
      };
      if (!req.ok) {
        emit({ v: 1, t: 'result', ok: false, code: req.error.code, message: req.error.message, operationId: null });
        return ok({ exitCode: exitCodeFor(req.error.code), lines, stderr: '' });
      }
      const exitCode = await serveForcedCommand(simMigrationPorts(w, p), host, req.value, emit);
      return ok({ exitCode, lines, stderr: '' });
    },
  };
  return {
    host,
    config,
    files: syncHostFiles(root),
    clock: sim.clock,
    toolstack: createToolstack(kind, { run: simToolRunner(sim, host, new SimProcesses()) }),
    drbd: createDrbdAdapter({ run: simToolRunner(sim, host, new SimProcesses()), readProcDrbd: procDrbdReader(syncHostFiles(root)) }),
    store: writesWhileUp(ledgerStore(stateDirReal, host), sim, host, processAlive),
    peer,
    // root's ssh_config and /etc/hosts are the host's own files under its root; DNS knows every Dom0
    route: {
      ssh: (name) => sshRouteOf(simToolRunner(sim, host, new SimProcesses()), name),
      resolve: simResolver(sim, host),
      hostKey: simHostKey(sim, host),
      // root's known_hosts is the host's own file (the simulator writes one listing every Dom0);
      // the agent's vouches for each peer's simulated key while the keys are installed
      trust: async (p, route) =>
        readRootTrust(p, route, (file) => readKnownHostsFile((f) => join(root, f), file), { keys: installed() ? [simHostKeyBlob(p)] : [], by: '/etc/xenherd/known_hosts' }, await checkHostIpAddresses(route, simResolver(sim, host), simAccepts(sim))),
    },
    hold: async (name, purpose, operation) => {
      const file = await takeLock(join(stateDirReal, 'locks', `${name}.lock`), `domU ${name}`);
      if (!file.ok) return file;
      const agent = w.agentOn?.(host);
      if (!agent) return ok({ viaDaemon: false, stillHeld: async () => null, release: () => file.value.release() });
      const h = await agent.hold(name, controlPurpose(purpose), `xenherd-agent ${purpose} (operation ${operation})`);
      if (!h.response.ok) {
        file.value.release();
        return err(h.response.error);
      }
      // the in-process agent's hold has no connection to lose: a restart here is the harness's own act
      return ok({
        viaDaemon: true,
        stillHeld: async () => null,
        release: () => {
          h.release();
          file.value.release();
        },
      });
    },
    nudge: async (why) => {
      const agent = w.agentOn?.(host);
      if (agent) await nudgeAgent(async (req) => ok(await agent.control(req)), why);
    },
    newOperationId: () => `op-${host}-${++ops}`,
  };
}
