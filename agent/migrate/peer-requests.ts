import type { XhError } from '../../shared/errors.js';
import type { PeerLine, PeerResult, PeerStatus } from '../../shared/protocol/peer.js';
import { answersAs } from '../decide/answers-as.js';
import type { MigrationPorts, PeerAnswer } from './ports.js';

/**
 * The three requests a Dom0 makes of its peer's forced command, read from the peer's JSON lines:
 * what it answered, or a typed failure (unreachable, refused with its code, a protocol problem).
 */
const resultOf = (a: PeerAnswer): PeerResult | undefined => a.lines.find((l): l is PeerResult => l.t === 'result');

/** the peer's refusal or failure as our own error: its code travels back unchanged */
function peerFailure(peer: string, what: string, a: PeerAnswer): XhError {
  const r = resultOf(a);
  if (r && !r.ok) return { code: r.code ?? 'XH_ERR_REFUSED', message: `${peer} refused ${what}: ${r.message}` };
  // the connection, not the peer, ended it: an unreachable peer as before the command was sent
  if (a.dropped !== undefined) return { code: 'XH_ERR_PEER_UNREACHABLE', message: `${peer} gave no answer to ${what}: ${a.dropped}` };
  const last = a.cut ?? a.stderr.trim().split('\n').pop() ?? '';
  return { code: 'XH_ERR_PROTOCOL', message: `${peer} gave no answer to ${what} (exit ${String(a.exitCode)}${last ? `: ${last}` : ''})` };
}

/**
 * `status NAME` on the peer; NOT_MINE: `status NAME --not-mine`, saying this Dom0 does not call
 * NAME its own; TOOLS: `--tools`, its toolstack and Xen release in the answer too
 * (agent/parse/migrate2-command.ts). A peer whose agent predates a word rejects it
 * (XH_ERR_COMMAND_REJECTED, nothing run) and is asked again without it, as it always was: its
 * tools are then not known, and hold nothing back.
 */
export async function askStatus(p: MigrationPorts, peer: string, name: string, notMine = false, tools = false): Promise<PeerStatus | XhError> {
  const command = `status ${name}${notMine ? ' --not-mine' : ''}${tools ? ' --tools' : ''}`;
  const r = await p.peer.ask(peer, command);
  if (!r.ok) return r.error;
  const s = r.value.lines.find((l): l is PeerStatus => l.t === 'status');
  if (r.value.exitCode === 0 && s && s.name === name) return answersAs(peer, s.host) ? s : otherDom0(peer, s.host, command);
  const rejected = resultOf(r.value)?.code === 'XH_ERR_COMMAND_REJECTED';
  if (tools && rejected) return askStatus(p, peer, name, notMine);
  if (notMine && rejected) return askStatus(p, peer, name);
  return peerFailure(peer, command, r.value);
}

/**
 * The refusal of an answer to COMMAND that came from the Dom0 named HOST when PEER was asked. What
 * PEER stands for here is the agent's config (`migration.peers`), else the name as /etc/hosts or
 * DNS resolve it; `xl migrate`'s own ssh reads ~/.ssh/config too. A Dom0 reinstalled under the
 * wrong host name answers as that name: its agent calls itself what `xl info` (uname) says.
 */
function otherDom0(peer: string, host: string, command: string): XhError {
  // ping is what the other refusals send the operator to; its own refusal cannot send them back to it
  const next = command === 'ping' ? '' : `; \`xenherd-agent ping ${peer}\` shows who answers`;
  return {
    code: 'XH_ERR_REFUSED',
    message:
      `${peer} answered \`${command}\` as ${host}: the name ${peer} reaches another Dom0, so its answer is not used; ` +
      `check what ${peer} stands for here (migration.peers.${peer} in the agent's config, its Host entry in ~/.ssh/config, /etc/hosts, DNS) ` +
      `and the host name of the Dom0 it reaches (\`hostname\` there)${next}`,
  };
}

/** `status NAME` on the peer: true = runs there, false = not there, null = could not tell. */
export async function runsOnPeer(p: MigrationPorts, peer: string, name: string): Promise<boolean | null> {
  const s = await askStatus(p, peer, name);
  return 'code' in s ? null : s.present === 'here';
}

export async function askPing(p: MigrationPorts, peer: string): Promise<{ host: string } | XhError> {
  const r = await p.peer.ask(peer, 'ping');
  if (!r.ok) return r.error;
  const pong = r.value.lines.find((l): l is Extract<PeerLine, { t: 'pong' }> => l.t === 'pong');
  if (r.value.exitCode !== 0 || !pong) return peerFailure(peer, 'ping', r.value);
  // ping is how an operator checks that the name reaches the right Dom0: another's PONG is a failure
  return answersAs(peer, pong.host) ? { host: pong.host } : otherDom0(peer, pong.host, 'ping');
}

/** `migrate2 NAME` on the peer (reverse): its progress as it comes, then its answer. */
export async function askMigrate2(p: MigrationPorts, peer: string, name: string, progress: (line: string) => void): Promise<{ answer: PeerAnswer; result: PeerResult | null } | XhError> {
  const r = await p.peer.ask(peer, `migrate2 ${name}`, (l) => {
    if (l.t === 'progress') progress(l.line);
  });
  if (!r.ok) return r.error;
  return { answer: r.value, result: resultOf(r.value) ?? null };
}
