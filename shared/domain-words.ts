import * as z from 'zod';

/**
 * A domain's state and migration words as xenherd reads them from `xl list` / `xm list`: the
 * inventory's (inventory.ts) and the agent link's (protocol/agent-link-values.ts). Apart from the
 * inventory so that what needs only these (xenherdctl's where) builds none of its schemas.
 */
export const DomainStateSchema = z.enum(['running', 'blocked', 'paused', 'shutdown', 'crashed', 'dying', 'idle', 'stopped']);
export const DomainMigrationSchema = z.enum(['incoming', 'migratedaway']);
