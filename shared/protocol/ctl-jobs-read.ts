import * as z from 'zod';
import { DomuNameSchema, HostNameSchema, MaintenanceSchema } from './agent-link-values.js';
import { WordSchema } from './ctl-api-base.js';
import { JobEventSchema, LeftoverSchema, MoveSchema, PlanSchema } from './ctl-jobs.js';

/**
 * Plans and job events as xenherdctl reads them; the controller sends and checks them as
 * ctl-jobs.ts says. A controller upgraded before the operators' xenherdctl may name kinds this
 * build has never heard of: where xenherdctl only shows a kind, it reads any lower-case word
 * (as AlertKindReadSchema does for alerts), and shows what the answer says in words.
 *
 * - a leftover's blocker: xenherdctl prints the leftover's message and reads nothing of its
 *   blocker but that it has a kind, so a new kind of blocker, or a new reason a host cannot take
 *   a domU inside a known one, is printed by that message, and passed on as sent under --json
 * - a move's phase: shown as the word sent (with the agent's line); a phase this build does not
 *   know counts as a migration still running, and the job's `end` says how it ended
 * - a note's level: its line is shown plainly
 * - a roll plan's step for a host: shown as the word sent
 * - a planned move's why (evacuate, home, balance...): shown in the plan's WHY column as sent
 * - a job's kind (drain, restore, rebalance, roll, maintenance): shown as sent
 * - why a rebalance plan's closed home takes no domUs: its message is shown, the word passed on
 * - a host's maintenance state in a job's stream: shown as sent
 *
 * What decides the exit code (`end`'s ok and code, an error code) stays as strict as the
 * controller's own: a value there this build does not know is a protocol error, not a guess.
 */
const Word = WordSchema;

export const LeftoverReadSchema = LeftoverSchema.extend({ blocker: z.looseObject({ kind: Word }) });
export type LeftoverAsRead = z.infer<typeof LeftoverReadSchema>;

const leftovers = { leftovers: z.array(LeftoverReadSchema) };
const sets = { sets: z.array(z.array(MoveSchema.extend({ why: Word }))) };
const [drain, restore, rebalance, roll] = PlanSchema.options;
export const PlanReadSchema = z.discriminatedUnion('kind', [
  drain.extend({ ...sets, ...leftovers }),
  restore.extend({ ...sets, ...leftovers }),
  rebalance.extend({ ...sets, ...leftovers, closedHomes: z.array(z.strictObject({ home: HostNameSchema, why: Word, names: z.array(DomuNameSchema), message: z.string() })).optional() }),
  roll.extend({ ...leftovers, steps: z.array(z.strictObject({ host: HostNameSchema, step: Word })).optional() }),
]);
export type PlanAsRead = z.infer<typeof PlanReadSchema>;
export type MoveAsRead = Extract<PlanAsRead, { sets: unknown }>['sets'][number][number];

const [job, plan, move, host, reboot, note, end] = JobEventSchema.options;
export const JobEventReadSchema = z.discriminatedUnion('type', [
  job.extend({ kind: Word }),
  plan.extend({ plan: PlanReadSchema }),
  move.extend({ phase: Word }),
  host.extend({ maintenance: MaintenanceSchema.extend({ state: Word }) }),
  reboot,
  note.extend({ level: Word }),
  end.extend({ remaining: z.array(LeftoverReadSchema) }),
]);
export type JobEventAsRead = z.infer<typeof JobEventReadSchema>;
export type JobEndAsRead = Extract<JobEventAsRead, { type: 'end' }>;
