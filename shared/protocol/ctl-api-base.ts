import * as z from 'zod';
import { ErrorCodeSchema } from '../errors.js';

/** What every request and answer of the operator API shares (the routes are listed in ctl-api.ts). */
export const CTL_API_PREFIX = '/v1';

/** a time (ms since the epoch) or an age or duration, in whole milliseconds */
export const MsSchema = z.number().int().nonnegative();

export const ApiErrorSchema = z.strictObject({ error: z.strictObject({ code: ErrorCodeSchema, message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;
