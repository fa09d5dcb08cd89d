import { sameHostName } from '../../shared/names.js';
import { compilePattern } from '../../shared/name-pattern.js';
import type { CtlClient } from './client.js';

/**
 * " (xen1 is a Dom0: `xenherdctl domains --host xen1` lists what runs there)" when PATTERN, which
 * matched no domU, is the name of a Dom0 of the fleet (`where xen1` for "what runs on xen1");
 * '' otherwise, and whenever asking fails: it is only a hint, asked only after nothing matched.
 */
export async function hostHint(client: CtlClient, pattern: string): Promise<string> {
  const p = compilePattern(pattern);
  if (!p.ok || p.value.kind !== 'exact') return '';
  // the hosts' schema is built only here, after nothing matched: a where that finds its domU never builds it
  const { HostsAnswerSchema } = await import('../../shared/protocol/ctl-hosts.js');
  const r = await client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return '';
  const host = r.value.hosts.find((h) => sameHostName(h.host, pattern))?.host;
  return host === undefined ? '' : ` (${host} is a Dom0: \`xenherdctl domains --host ${host}\` lists what runs there)`;
}
