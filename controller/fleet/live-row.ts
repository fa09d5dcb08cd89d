import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';

/** A row that holds the domU's memory and disks: not a stopped (xm managed) or dying domain. */
export const isLive = (d: LinkDomain): boolean => d.domid !== null && d.state !== 'stopped' && d.state !== 'dying';

/**
 * Whether two of one host's row groups of a domU tell the same about where it lives: as many
 * rows, each as live as the other and as much in a migration. A row's memory or vCPUs moving
 * changes nothing that placement or homes are worked out from.
 */
export function sameLiveness(a: readonly LinkDomain[] | undefined, b: readonly LinkDomain[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as LinkDomain;
    const y = b[i] as LinkDomain;
    if (isLive(x) !== isLive(y) || (x.migration === null) !== (y.migration === null)) return false;
  }
  return true;
}
