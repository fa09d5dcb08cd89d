import type { Maintenance } from '../protocol/agent-link-values.js';

/** A host's maintenance state as a sentence says it: "xen1 is in maintenance", not "xen1 is maintenance". */
export const MAINTENANCE_WORDS: Readonly<Record<Maintenance['state'], string>> = { online: 'online', draining: 'draining', maintenance: 'in maintenance', restoring: 'restoring' };

/** STATE in those words; a state a newer controller names that this build does not know, as sent. */
export const maintenanceWord = (state: string): string => (Object.hasOwn(MAINTENANCE_WORDS, state) ? MAINTENANCE_WORDS[state as Maintenance['state']] : state);
