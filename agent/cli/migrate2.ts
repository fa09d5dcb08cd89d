import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { without, withVisitor } from '../state/ledger.js';
import { nudgeDaemon, openHost, type HostContext } from '../migrate/context.js';
import { peerMayClaim } from '../decide/home-claim.js';
import { readHomes, visitorHome } from '../migrate/homes.js';
import { migrateOut } from '../migrate/migrate-out.js';
import { peerUnreachable } from '../migrate/peer.js';
import { migrate2Gate, refusalLines } from './migrate2-gate.js';

/**
 * The forced command of the migration key: sshd runs `xenherd-agent migrate2 --peer HOME` and
 * puts what the peer asked for in SSH_ORIGINAL_COMMAND. The request is checked against the
 * grammar before anything else happens (no tool runs for a rejected line); replies are lines:
 * `PONG from HOST`, `status NAME here|absent …`, `progress: …`, and a final `result: …`.
 */
const refuse = (io: CliIo, e: XhError): number => {
  const l = refusalLines(e);
  io.stdout(l.stdout);
  io.stderr(l.stderr);
  return exitCodeFor(e.code);
};

async function homeCheck(c: HostContext, peer: string, name: string): Promise<XhError | { recorded: boolean }> {
  const ledger = c.store.read();
  if (!ledger.ok) return ledger.error;
  const { homes } = await readHomes(c);
  if (!peerMayClaim(homes, name, peer)) return { code: 'XH_ERR_REFUSED', message: `${name} is not a domU of ${peer}: its home is ${c.host}` };
  if (homes.has(name)) {
    // guarded on both Dom0s of the pair: it is PEER's unless our ledger says it left us
    const away = ledger.value.away[name];
    if (away) return { code: 'XH_ERR_REFUSED', message: `${name} is a domU of ${c.host}: the ledger here says it left for ${away.currentHost}` };
    return { recorded: ledger.value.visitors[name]?.home === peer };
  }
  const h = await visitorHome(c, ledger.value, name);
  if (h.home !== peer) return { code: 'XH_ERR_REFUSED', message: `${name} is not a domU of ${peer} (its home is ${h.home ?? 'unknown here'}): a peer may only take back its own domUs` };
  return { recorded: h.from === 'ledger' };
}

/**
 * `status NAME` from the peer about one of our own domUs that runs here again: the peer sent it
 * home (its `migrate NAME`) and tells us so. Our ledger saying NAME is away at that peer is then
 * contradicted by xl list here and the peer's word alike: the away record is cleared. null: not
 * that case.
 */
async function returnedHome(c: HostContext, peer: string, name: string): Promise<XhError | { cleared: true } | null> {
  const ledger = c.store.read();
  if (!ledger.ok) return ledger.error;
  const away = ledger.value.away[name];
  if (away === undefined || !(await readHomes(c)).homes.has(name)) return null;
  if (away.currentHost !== peer) return { code: 'XH_ERR_REFUSED', message: `${name} is a domU of ${c.host}; the ledger here says it went to ${away.currentHost}, not ${peer}` };
  const w = await c.store.update((l) => (l.away[name]?.currentHost === peer ? without(l, name) : null));
  if (!w.ok) return w.error;
  await nudgeDaemon(c);
  return { cleared: true };
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const gate = migrate2Gate(argv, io.env);
  if (!gate.ok) return refuse(io, gate.error);
  const { peer, config, request: r } = gate.value;
  // from here on the request is one of three well-formed shapes
  const ctx = await openHost(io, config);
  if (!ctx.ok) return refuse(io, ctx.error);
  const c = ctx.value;
  if (r.op === 'ping') {
    io.stdout(`PONG from ${c.host} ...\n`);
    return 0;
  }
  const one = await c.toolstack.listOne(r.name);
  if (!one.ok) return refuse(io, one.error);
  if (r.op === 'status') {
    if (one.value === null) {
      // mid-migration names count as present: the home must not take "absent" for an answer then
      const all = await c.toolstack.list();
      if (!all.ok) return refuse(io, all.error);
      const transient = all.value.find((d) => d.name === `${r.name}--incoming` || d.name === `${r.name}--migratedaway`);
      io.stdout(transient ? `status ${r.name} here ${transient.state} as ${transient.name} on ${c.host}\n` : `status ${r.name} absent on ${c.host}\n`);
      return 0;
    }
    const back = await returnedHome(c, peer, r.name);
    if (back !== null && 'code' in back) return refuse(io, back);
    if (back !== null || !peerMayClaim((await readHomes(c)).homes, r.name, peer)) {
      // ours, running here: telling our partner so is harmless (and how it learns a return went through)
      io.stdout(`status ${r.name} here ${one.value.state} home ${c.host} on ${c.host}\n`);
      return 0;
    }
    const hc = await homeCheck(c, peer, r.name);
    if ('code' in hc) return refuse(io, hc);
    if (!hc.recorded) {
      // the domU's home asks about it and it runs here: it is our visitor (the ledger learns it now)
      const w = await c.store.update((l) => (l.visitors[r.name] ? null : withVisitor(l, r.name, { home: peer, since: new Date().toISOString(), operationId: `status-from-${peer}` })));
      if (!w.ok) return refuse(io, w.error);
      await nudgeDaemon(c);
    }
    io.stdout(`status ${r.name} here ${one.value.state} home ${peer} on ${c.host}\n`);
    return 0;
  }
  if (one.value === null) return refuse(io, { code: 'XH_ERR_REFUSED', message: `${r.name} does not run on ${c.host}` });
  const hc = await homeCheck(c, peer, r.name);
  if ('code' in hc) return refuse(io, hc);
  // xl migrate reaches the peer over ssh: refuse early and clearly when that cannot work
  const unreachable = await peerUnreachable(c, peer);
  if (unreachable !== null) return refuse(io, { code: 'XH_ERR_PEER_UNREACHABLE', message: `${unreachable}; ${r.name} stays here` });
  const m = await migrateOut(c, {
    name: r.name,
    target: peer,
    reason: 'reverse',
    onProgress: (line) => io.stdout(`progress: ${line}\n`),
    // the forced command has no key back to its peer: an undefined ending is an alarm here,
    // and the requesting home checks its own xl list
    checkTarget: () => Promise.resolve(null),
  });
  if (!m.ok) return refuse(io, m.error);
  io.stdout(`result: ok ${m.value.message} (operation ${m.value.operationId})\n`);
  return 0;
}

export const migrate2Command: Command = {
  name: 'migrate2',
  summary: 'The ssh forced command for reverse migrations: reads SSH_ORIGINAL_COMMAND (ping | status NAME | migrate2 NAME [--live]).',
  usage:
    'migrate2 --peer HOME   (run by sshd: command="/usr/sbin/xenherd-agent migrate2 --peer HOME" in authorized_keys)\n' +
    'Only HOME\'s own domUs running here are migrated back to HOME. Output: progress lines, then `result: ok|refused …`.\n' +
    `Exit 0: done; 80 XH_ERR_COMMAND_REJECTED: not in the grammar, nothing run; 77: not HOME's domU or not here;\n` +
    '81 locked (another migration, or the running agent holds NAME); 82 migration failed (still here);\n' +
    '83 ALARM (undefined ending); 84 HOME\'s sshd not reachable from here (still here); 79 ledger corrupt.\n' +
    'While it migrates, the running agent (if any) holds NAME through its control socket: it neither starts nor force-starts it.',
  run,
};
