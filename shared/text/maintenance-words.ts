import type { Maintenance } from '../protocol/agent-link-values.js';

/** A host's maintenance state as a sentence says it: "xen1 is in maintenance", not "xen1 is maintenance". */
export const MAINTENANCE_WORDS: Readonly<Record<Maintenance['state'], string>> = { online: 'online', draining: 'draining', maintenance: 'in maintenance', restoring: 'restoring' };
