import type { HostRecord } from './host-record.js';

type Records = (host: string) => HostRecord | undefined;

/**
 * What the controller's own reports say of a move, for confirming what an agent calls done: an
 * agent's "ok" alone is its word, the reports of both hosts are the fleet's.
 */

/** HOST's last report lists NAME running there (a plain row, not a migration half). */
export const runsPlainOn = (record: Records, name: string, host: string): boolean =>
  record(host)?.state?.domains.some((d) => d.baseName === name && d.migration === null && d.domid !== null) ?? false;

/** HOST has reported, and lists no row of NAME (a host never heard from confirms nothing). */
export const goneFrom = (record: Records, name: string, host: string): boolean => !(record(host)?.state?.domains.some((d) => d.baseName === name) ?? true);

/** NAME runs on TO and FROM lists it no more. */
export const movedShown = (record: Records, name: string, from: string, to: string): boolean => runsPlainOn(record, name, to) && goneFrom(record, name, from);
