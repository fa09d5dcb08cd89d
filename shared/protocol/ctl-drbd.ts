import * as z from 'zod';
import { DRBD_RESOURCE_RE } from '../names.js';
import { DrbdRoleSchema } from '../drbd-words.js';
import { MsSchema as Ms, WordSchema } from './ctl-api-base.js';
import { DomuNameSchema, HostNameSchema } from './agent-link-values.js';

/**
 * GET /v1/drbd[?pattern=P]: every DRBD resource the Dom0s report, one entry per pair (see ctl-api.ts
 * for the whole API). It lives apart so that `xenherdctl drbd` builds only its own schemas.
 */

/** A state word as the agent reported it (letters only: a newer DRBD may print one this build has never seen). */
const Word = z.string().regex(/^[A-Za-z]{1,32}$/, 'a DRBD state word');

export const DrbdPeerViewSchema = z.strictObject({
  /** as DRBD names it: the peer's host (DRBD 9), "peer" (8.4), "node-id:N" when the tool printed none */
  name: z.string().max(253),
  role: DrbdRoleSchema.nullable(),
  connection: Word.nullable(),
  disk: Word.nullable(),
  replication: Word.nullable(),
});
export type DrbdPeerView = z.infer<typeof DrbdPeerViewSchema>;

export const DrbdSideSchema = z.strictObject({
  host: HostNameSchema,
  /** the host lists the resource; false: it does not (or never reported), but its partner or a `.res` file names it */
  reported: z.boolean(),
  /** null: the resource is not up there, or not reported */
  role: DrbdRoleSchema.nullable(),
  disk: Word.nullable(),
  peers: z.array(DrbdPeerViewSchema),
  /** its agent's link is up and it was heard from recently: what it reports is current */
  reachable: z.boolean(),
  /** since the controller last heard from it; null: never (or not a host of this fleet) */
  ageMs: Ms.nullable(),
  /** the host is in the controller's fleet (enrolled, or it reported) */
  inFleet: z.boolean(),
});
export type DrbdSide = z.infer<typeof DrbdSideSchema>;

/** What is not well with a resource, or worth knowing; `kind` is a lower-case word, `text` says it for a person. */
export const DrbdFlagSchema = z.strictObject({ kind: WordSchema, text: z.string().max(2000) });
export type DrbdFlag = z.infer<typeof DrbdFlagSchema>;

export const DrbdResourceViewSchema = z.strictObject({
  name: z.string().regex(DRBD_RESOURCE_RE, 'a DRBD resource name'),
  /** the domUs whose disks it is: those running when any is, else every one configured on its hosts */
  domus: z.array(DomuNameSchema),
  sides: z.array(DrbdSideSchema),
  flags: z.array(DrbdFlagSchema),
  /** connected and UpToDate on every side, as the current reports show it, and Primary on two only in a migration */
  ok: z.boolean(),
});
export type DrbdResourceView = z.infer<typeof DrbdResourceViewSchema>;

export const DrbdAnswerSchema = z.strictObject({
  at: Ms,
  /** the pattern asked (resource or domU names); null: every resource */
  pattern: z.string().nullable(),
  resources: z.array(DrbdResourceViewSchema),
});
export type DrbdAnswer = z.infer<typeof DrbdAnswerSchema>;
