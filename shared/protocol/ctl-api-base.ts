import * as z from 'zod';
import { ErrorCodeSchema } from '../errors.js';

/** What every request and answer of the operator API shares (the routes are listed in ctl-api.ts). */
export const CTL_API_PREFIX = '/v1';

/** a time (ms since the epoch) or an age or duration, in whole milliseconds */
export const MsSchema = z.number().int().nonnegative();

export const ApiErrorSchema = z.strictObject({ error: z.strictObject({ code: ErrorCodeSchema, message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/**
 * A word a newer controller may add to where xenherdctl only shows it (a reason, a view, a
 * move's why): an older xenherdctl prints it as sent instead of refusing the whole answer. Never
 * for what decides an action or an exit code, which stay as strict as the controller's own.
 */
export const WORD_RE = /^[a-z][a-z0-9-]{0,63}$/;
export const WordSchema = z.string().regex(WORD_RE, 'a lower-case word (a-z, 0-9, -)');
