import { createHash } from 'node:crypto';

/** A stable UUID for a simulated domain, derived from its name (same name → same UUID). */
export function uuidFor(name: string): string {
  const h = createHash('sha1').update(`xenherd-sim:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
