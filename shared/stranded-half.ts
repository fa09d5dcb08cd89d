/**
 * How long a sender's half (`NAME--migratedaway`) may stand before it counts as stranded. libxl
 * shows that row only for the final handshake of `xl migrate` and destroys it (success) or renames
 * it back (failure) when the handshake ends, which takes seconds; a row that stays is a migration
 * that ended without its handshake, both halves kept. A minute is far beyond any handshake and
 * short of an operator's drain or restore giving up (minutes). The agent logs an ALARM for such a
 * row; the controller's plans stop waiting for it and report it as an ALARM instead.
 */
export const STRANDED_HALF_MS = 60_000;

/** Whether a sender's half that has stood FOR_MS is stranded, as the controller judges it (alerts and plans alike). */
export const isStranded = (forMs: number): boolean => forMs > STRANDED_HALF_MS;
