import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';

/** A row that holds the domU's memory and disks: not a stopped (xm managed) or dying domain. */
export const isLive = (d: LinkDomain): boolean => d.domid !== null && d.state !== 'stopped' && d.state !== 'dying';
