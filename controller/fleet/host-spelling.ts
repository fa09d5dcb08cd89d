import { sameHostName } from '../../shared/names.js';
import type { CommandRequest } from '../../shared/protocol/ctl-api.js';
import type { JobRequest, PlanRequest } from '../../shared/protocol/ctl-jobs.js';

/**
 * Host names compare without case, as DNS names do and as enroll and revoke take them: an
 * operator typing xen01.dc1.example.org for the XEN01.dc1.example.org an agent reports means that
 * host. NAME is given as its agent spells it when exactly one known host differs from it in case
 * alone; otherwise it stays as typed (and "not found" names the spellings there are).
 */
export function asReported(known: readonly string[], name: string): string {
  if (known.includes(name)) return name;
  const same = known.filter((k) => sameHostName(k, name));
  return same.length === 1 ? (same[0] as string) : name;
}

/** REQ with every host it names spelled as the agents report them. */
export function requestAsReported<T extends CommandRequest | JobRequest | PlanRequest>(known: readonly string[], req: T): T {
  const r = req as CommandRequest | JobRequest | PlanRequest;
  if ('target' in r && r.target !== null) return { ...req, target: asReported(known, r.target) };
  if ('host' in r) return { ...req, host: asReported(known, r.host) };
  if ('hosts' in r) return { ...req, hosts: r.hosts.map((h) => asReported(known, h)) };
  return req;
}
