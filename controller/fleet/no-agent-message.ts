import { sameHostName } from '../../shared/names.js';

/**
 * What to say of HOSTS when no agent has reported as them. Host names are compared exactly here,
 * as the agents report them (an agent's token is bound to one spelling); an operator's request
 * has its names read as reported first when one host alone matches without case
 * (host-spelling.ts). What that leaves, two hosts alike but for case or an in-process caller,
 * gets the spellings named.
 */
export function noAgentMessage(hosts: readonly string[], known: Iterable<string>): string {
  const reporting = [...known];
  const who = hosts.length === 1 ? `a host named ${hosts[0]}` : hosts.join(', ');
  const hints = hosts.flatMap((h) => {
    const match = reporting.find((k) => k !== h && sameHostName(k, h));
    return match === undefined ? [] : [`${match}, not ${h}`];
  });
  const hint = hints.length === 0 ? '' : ` (host names are spelled as their agents report them: ${hints.join('; ')})`;
  return `no agent of ${who} has reported to this controller${hint}`;
}
