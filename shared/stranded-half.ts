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

/**
 * Whether a sender's half on a host of TOOLSTACK can be stranded at all. Only libxl's
 * `NAME--migratedaway` stands for just the final handshake; xend (xm) shows its sender's half,
 * `migrating-NAME`, for the whole send and names it back itself when the move fails, so one
 * standing long there is a long copy, never a lost handshake. Both the agent's ALARM and the
 * controller's judgement (alerts and plans) ask this.
 */
export const halvesCanStrand = (toolstack: 'xl' | 'xm' | null): boolean => toolstack !== 'xm';
