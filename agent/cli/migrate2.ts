import type { CliIo } from '../../shared/cli/io.js';
import type { Command } from '../../shared/cli/program.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { peerLine } from '../../shared/protocol/peer.js';
import { openHost } from '../migrate/context.js';
import { serveForcedCommand } from '../migrate/forced-command.js';
import { processMigrationPorts } from '../migrate/process-ports.js';
import { migrate2Gate, refusalLines } from './migrate2-gate.js';

/**
 * The forced command of the migration key: sshd runs `xenherd-agent migrate2 --peer HOME` and
 * puts what HOME asked for in SSH_ORIGINAL_COMMAND. The request is checked against the grammar
 * before anything else happens (no tool runs for a rejected line); every answer is a JSON line of
 * the peer protocol (shared/protocol/peer.ts), a refusal also a human line on stderr.
 */
const refuse = (io: CliIo, e: XhError): number => {
  const l = refusalLines(e);
  io.stdout(l.stdout);
  io.stderr(l.stderr);
  return exitCodeFor(e.code);
};

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const gate = migrate2Gate(argv, io.env);
  if (!gate.ok) return refuse(io, gate.error);
  const { peer, config, request } = gate.value;
  const ctx = await openHost(io, config);
  if (!ctx.ok) return refuse(io, ctx.error);
  return serveForcedCommand(processMigrationPorts(ctx.value), peer, request, (l) => {
    io.stdout(peerLine(l));
    if (l.t === 'result' && !l.ok) io.stderr(`xenherd-agent migrate2: ${l.code ?? 'XH_ERR_REFUSED'}: ${l.message}\n`);
  });
}

export const migrate2Command: Command = {
  name: 'migrate2',
  summary: 'The ssh forced command for reverse migrations: answers a peer Dom0\'s ping | status NAME | migrate2 NAME [--live].',
  usage:
    'migrate2 --peer HOME   (run by sshd: command="/usr/sbin/xenherd-agent migrate2 --peer HOME" in authorized_keys)\n' +
    'Reads the request from SSH_ORIGINAL_COMMAND; only HOME\'s own domUs running here are migrated back to HOME.\n' +
    'Answers in JSON lines (peer protocol v1: pong, status, progress, result).\n' +
    `Exit 0: done; 80 XH_ERR_COMMAND_REJECTED: not in the grammar, nothing run; 77: not HOME's domU or not here;\n` +
    '81 locked (another migration, or the running agent holds NAME); 82 migration failed (still here);\n' +
    '83 ALARM (undefined ending); 84 HOME\'s sshd not reachable from here (still here); 79 ledger corrupt.',
  run,
};

