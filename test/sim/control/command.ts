import type { Sim } from '../sim.js';

/**
 * The playground's console: one line an operator types → a typed command or a one-line refusal.
 * Pure (no I/O). `power` and `drbd` are the words of the scenario files (scenario/parse.ts, run
 * by scenario/run.ts) and of the Sim API; `agent` (the playground's own agent processes), `state`
 * (the scenario summary) and `help` complete it. '#' starts a comment, as in a scenario file.
 */
export type DrbdFault = Parameters<Sim['drbd']>[1];
export type ControlCommand =
  | { readonly kind: 'power'; readonly host: string; readonly state: 'on' | 'off' }
  | { readonly kind: 'drbd'; readonly res: string; readonly action: DrbdFault }
  | { readonly kind: 'agent'; readonly host: string; readonly action: 'stop' | 'start' }
  | { readonly kind: 'state' }
  | { readonly kind: 'help' };

/** what the names in a line are checked against: the fleet's hosts and DRBD resources */
export interface ControlNames {
  readonly hosts: readonly string[];
  readonly resources: readonly string[];
}

/** command null: a blank or comment-only line, which needs no answer */
export type ParsedLine = { readonly ok: true; readonly command: ControlCommand | null } | { readonly ok: false; readonly error: string };

const DRBD_FAULTS: readonly DrbdFault[] = ['disconnect', 'connect', 'split-brain'];
export const ACCEPTED = 'power HOST on|off, drbd RES disconnect|connect|split-brain, agent HOST stop|start, state, help';

export const HELP: readonly string[] = [
  'commands (one a line):',
  '  power HOST on|off                       power a Dom0 on or off (off: its domUs are gone; with --controller its agent is killed, on: started again)',
  '  drbd RES disconnect|connect|split-brain cut a resource\'s replication link, restore it, or split-brain it (both ends StandAlone; connect repairs)',
  '  agent HOST stop|start                   (--controller) stop a Dom0\'s agent (SIGTERM, as systemctl stop) or start it again',
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
    case 'agent': {
      const [first = names.hosts[0] ?? 'xen1', second = 'off'] = args;
      const actions = verb === 'power' ? ['on', 'off'] : ['stop', 'start'];
      if (args.length !== 2) return usage(`a host and ${actions.join('|')}`, `${verb} ${first} ${verb === 'power' ? 'off' : 'stop'}`);
      const h = hostNamed(first, names);
      if ('error' in h) return refuse(h.error);
      if (!actions.includes(second)) return refuse(`"${text}": "${second}" is not ${actions.join(' or ')}`);
      return {
        ok: true,
        command: verb === 'power' ? { kind: 'power', host: h.host, state: second === 'on' ? 'on' : 'off' } : { kind: 'agent', host: h.host, action: second === 'start' ? 'start' : 'stop' },
      };
    }
    case 'drbd': {
      const [res = names.resources[0] ?? 'r1', action = ''] = args;
      if (args.length !== 2) return usage('a resource and disconnect|connect|split-brain', `drbd ${res} disconnect`);
      if (!names.resources.includes(res)) return refuse(names.resources.length === 0 ? `no DRBD resource "${res}": this fleet has none` : `no DRBD resource "${res}" in this fleet: the resources are ${list(names.resources)}`);
      const fault = DRBD_FAULTS.find((f) => f === action);
      if (fault === undefined) return refuse(`"${text}": "${action}" is not disconnect, connect or split-brain`);
      return { ok: true, command: { kind: 'drbd', res, action: fault } };
    }
    default:
      return refuse(`unknown command "${verb}": the commands are ${ACCEPTED}`);
  }
}
