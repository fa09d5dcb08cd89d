import type { ToolFault } from '../daemon/faults.js';
import type { MigrationFaultPhase, StateDiskFault } from '../model/types.js';
import type { Sim } from '../sim.js';

/**
 * The playground's console: one line an operator types → a typed command or a one-line refusal.
 * Pure (no I/O). `power` and `drbd` are the words of the scenario files (scenario/parse.ts, run
 * by scenario/run.ts) and of the Sim API; `agent` and `controller` (the playground's own processes), `state`
 * (the scenario summary) and `help` complete it. '#' starts a comment, as in a scenario file.
 * `fault` is the scenario files' word too, with `none` (a migration's) and `clear` (tools') to end
 * one: live, an incident is set up and taken back by hand.
 */
export type DrbdFault = Parameters<Sim['drbd']>[1];
export type ControlCommand =
  | { readonly kind: 'power'; readonly host: string; readonly state: 'on' | 'off' }
  | { readonly kind: 'drbd'; readonly res: string; readonly action: DrbdFault }
  | { readonly kind: 'agent'; readonly host: string; readonly action: 'stop' | 'start' }
  | { readonly kind: 'xenstored'; readonly host: string; readonly action: 'stop' | 'start' }
  | { readonly kind: 'disk'; readonly host: string; readonly state: StateDiskFault | 'ok' }
  | { readonly kind: 'controller'; readonly action: 'stop' | 'kill' | 'start' }
  | { readonly kind: 'fault-migrate'; readonly domu: string; readonly phase: MigrationFaultPhase | null }
  | { readonly kind: 'fault-tool'; readonly host: string; readonly tool: string; readonly fault: Exclude<ToolFault, { kind: 'gated' }> }
  | { readonly kind: 'fault-disk'; readonly host: string; readonly res: string }
  | { readonly kind: 'fault-clear' }
  | { readonly kind: 'state' }
  | { readonly kind: 'help' };

/** what the names in a line are checked against: the fleet's hosts, DRBD resources, domUs and tools */
export interface ControlNames {
  readonly hosts: readonly string[];
  readonly resources: readonly string[];
  readonly domus: readonly string[];
  readonly tools: readonly string[];
}

/** command null: a blank or comment-only line, which needs no answer */
export type ParsedLine = { readonly ok: true; readonly command: ControlCommand | null } | { readonly ok: false; readonly error: string };

const DRBD_FAULTS: readonly DrbdFault[] = ['disconnect', 'connect', 'split-brain'];
const MIGRATION_FAULTS: readonly MigrationFaultPhase[] = ['before', 'target', 'handshake'];
const CONTROLLER_ACTIONS = ['stop', 'kill', 'start'] as const;
const DISK_STATES = ['full', 'low', 'read-only', 'ok'] as const;
export const ACCEPTED = 'power HOST on|off, drbd RES disconnect|connect|split-brain, agent HOST stop|start, xenstored HOST stop|start, controller stop|kill|start, fault migrate DOMU before|target|handshake|none, fault disk HOST RES, fault tool HOST TOOL hang|slow MS|garbage TEXT, fault clear, disk HOST full|low|read-only|ok, state, help';

export const HELP: readonly string[] = [
  'commands (one a line):',
  '  power HOST on|off                       power a Dom0 on or off (off: its domUs are gone; with --controller its agent is killed, on: started again)',
  '  drbd RES disconnect|connect|split-brain cut a resource\'s replication link, restore it, or split-brain it (both ends StandAlone; connect repairs)',
  '  agent HOST stop|start                   (--controller) stop a Dom0\'s agent (SIGTERM, as systemctl stop) or start it again',
  '  xenstored HOST stop|start               xenstored on HOST dies (every xl and xenstore-* call there fails: xs_open, ENOENT) or runs again',
  '  disk HOST full|low|read-only|ok        the filesystem under HOST\'s agent state (ledger, boot record, locks) fills up, nearly',
  '                                          (20 MiB left), goes read-only, or has room again; its agent reads it within a minute',
  '  controller stop|kill|start              (--controller) end the controller (stop: SIGTERM, as systemctl restart; kill: SIGKILL,',
  '                                          as a crash) mid-drain or mid-roll, or start it again on the same port and state',
  '  fault migrate DOMU before|target|handshake|none',
  '                                          the next live migration of DOMU fails: before the copy (target unreachable), at the',
  '                                          target after the copy (resumed at the sender), or in the final handshake (both ends',
  '                                          stopped: check both hosts); none takes it back',
  '  fault disk HOST RES                      the backing disk of RES on HOST fails: DRBD detaches it (Failed, then Diskless there; the peer',
  '                                          serves its I/O); `drbdadm attach RES` on HOST attaches it (or its replacement) again',
  '  fault tool HOST TOOL hang|slow MS|garbage TEXT',
  '                                          every call of TOOL (xl, drbdadm, ...) on HOST hangs, answers MS late, or prints TEXT',
  '  fault clear                             end every tool fault',
  '  state                                   one line per Dom0: free memory, domUs, DRBD roles and connection states',
  '  help                                    this list',
];

const refuse = (error: string): ParsedLine => ({ ok: false, error });
const list = (names: readonly string[]): string => names.join(', ');

/** a host compares without case, as in the fleet file; the answer carries the fleet's spelling */
function hostNamed(word: string, names: ControlNames): { host: string } | { error: string } {
  const host = names.hosts.find((h) => h.toLowerCase() === word.toLowerCase());
  return host !== undefined ? { host } : { error: `no host "${word}" in this fleet: the hosts are ${list(names.hosts)}` };
}

export function parseControlLine(raw: string, names: ControlNames): ParsedLine {
  const text = raw.replace(/(^|\s)#.*$/, '').trim();
  if (text === '') return { ok: true, command: null };
  const [verb = '', ...args] = text.split(/\s+/);
  const usage = (form: string, example: string): ParsedLine => refuse(`"${text}": ${verb} takes ${form}, e.g. \`${example}\``);
  switch (verb) {
    case 'state':
    case 'help':
      return args.length === 0 ? { ok: true, command: { kind: verb } } : refuse(`"${text}": ${verb} takes nothing after it`);
    case 'power':
    case 'agent':
    case 'xenstored': {
      const [first = names.hosts[0] ?? 'xen1', second = 'off'] = args;
      const actions = verb === 'power' ? ['on', 'off'] : ['stop', 'start'];
      if (args.length !== 2) return usage(`a host and ${actions.join('|')}`, `${verb} ${first} ${verb === 'power' ? 'off' : 'stop'}`);
      const h = hostNamed(first, names);
      if ('error' in h) return refuse(h.error);
      if (!actions.includes(second)) return refuse(`"${text}": "${second}" is not ${actions.join(' or ')}`);
      return {
        ok: true,
        command: verb === 'power' ? { kind: 'power', host: h.host, state: second === 'on' ? 'on' : 'off' } : { kind: verb, host: h.host, action: second === 'start' ? 'start' : 'stop' },
      };
    }
    case 'disk': {
      const [first = names.hosts[0] ?? 'xen1', second = ''] = args;
      if (args.length !== 2) return usage('a host and full|low|read-only|ok', `disk ${first} full`);
      const h = hostNamed(first, names);
      if ('error' in h) return refuse(h.error);
      const state = DISK_STATES.find((d) => d === second);
      if (state === undefined) return refuse(`"${text}": "${second}" is not full, low, read-only or ok`);
      return { ok: true, command: { kind: 'disk', host: h.host, state } };
    }
    case 'controller': {
      const action = CONTROLLER_ACTIONS.find((a) => a === args[0]);
      if (args.length !== 1) return usage('one of stop, kill, start', 'controller stop');
      if (action === undefined) return refuse(`"${text}": "${args[0] ?? ''}" is not stop, kill or start`);
      return { ok: true, command: { kind: 'controller', action } };
    }
    case 'drbd': {
      const [res = names.resources[0] ?? 'r1', action = ''] = args;
      if (args.length !== 2) return usage('a resource and disconnect|connect|split-brain', `drbd ${res} disconnect`);
      if (!names.resources.includes(res)) return refuse(names.resources.length === 0 ? `no DRBD resource "${res}": this fleet has none` : `no DRBD resource "${res}" in this fleet: the resources are ${list(names.resources)}`);
      const fault = DRBD_FAULTS.find((f) => f === action);
      if (fault === undefined) return refuse(`"${text}": "${action}" is not disconnect, connect or split-brain`);
      return { ok: true, command: { kind: 'drbd', res, action: fault } };
    }
    case 'fault':
      return parseFault(text, args, names);
    default:
      return refuse(`unknown command "${verb}": the commands are ${ACCEPTED}`);
  }
}

function parseFault(text: string, args: readonly string[], names: ControlNames): ParsedLine {
  const [what = '', ...rest] = args;
  if (what === 'clear') return rest.length === 0 ? { ok: true, command: { kind: 'fault-clear' } } : refuse(`"${text}": fault clear takes nothing after it`);
  if (what === 'migrate') {
    const [domu = '', phase = ''] = rest;
    if (rest.length !== 2) return refuse(`"${text}": fault migrate takes a domU and before|target|handshake|none, e.g. \`fault migrate ${names.domus[0] ?? 'web1'} target\``);
    if (!names.domus.includes(domu)) return refuse(`no domU "${domu}" in this fleet: the domUs are ${list(names.domus)}`);
    const p = MIGRATION_FAULTS.find((f) => f === phase);
    if (p === undefined && phase !== 'none') return refuse(`"${text}": "${phase}" is not before, target, handshake or none`);
    return { ok: true, command: { kind: 'fault-migrate', domu, phase: p ?? null } };
  }
  if (what === 'disk') {
    const [hostWord = '', res = ''] = rest;
    if (rest.length !== 2) return refuse(`"${text}": fault disk takes a host and a DRBD resource, e.g. \`fault disk ${names.hosts[0] ?? 'xen1'} ${names.resources[0] ?? 'r1'}\``);
    const h = hostNamed(hostWord, names);
    if ('error' in h) return refuse(h.error);
    if (!names.resources.includes(res)) return refuse(names.resources.length === 0 ? `no DRBD resource "${res}": this fleet has none` : `no DRBD resource "${res}" in this fleet: the resources are ${list(names.resources)}`);
    return { ok: true, command: { kind: 'fault-disk', host: h.host, res } };
  }
  if (what === 'tool') {
    const [hostWord = '', tool = '', kind = '', ...more] = rest;
    const example = `\`fault tool ${names.hosts[0] ?? 'xen1'} drbdadm hang\``;
    if (rest.length < 3) return refuse(`"${text}": fault tool takes a host, a tool and hang|slow MS|garbage TEXT, e.g. ${example}`);
    const h = hostNamed(hostWord, names);
    if ('error' in h) return refuse(h.error);
    if (!names.tools.includes(tool)) return refuse(`no simulated tool "${tool}": the tools are ${list(names.tools)}`);
    const command = (fault: Exclude<ToolFault, { kind: 'gated' }>): ParsedLine => ({ ok: true, command: { kind: 'fault-tool', host: h.host, tool, fault } });
    if (kind === 'hang') return more.length === 0 ? command({ kind: 'hang' }) : refuse(`"${text}": hang takes nothing after it`);
    if (kind === 'slow') {
      const ms = Number(more[0]);
      return more.length === 1 && /^\d+$/.test(more[0] ?? '') && ms <= 3_600_000 ? command({ kind: 'slow', ms }) : refuse(`"${text}": slow takes milliseconds, 0 to 3600000, e.g. \`fault tool ${h.host} ${tool} slow 5000\``);
    }
    if (kind === 'garbage') return more.length > 0 ? command({ kind: 'garbage', text: `${more.join(' ')}\n` }) : refuse(`"${text}": garbage takes the text to print instead, e.g. \`fault tool ${h.host} ${tool} garbage oops\``);
    return refuse(`"${text}": "${kind}" is not hang, slow or garbage`);
  }
  return refuse(`"${text}": fault takes migrate, disk, tool or clear, e.g. \`fault migrate ${names.domus[0] ?? 'web1'} target\``);
}
