import * as z from 'zod';
import type { ErrorCode } from '../errors.js';
import { DOMU_NAME_RE, HOST_NAME_RE } from '../names.js';
import { LinkXenSchema } from './agent-link-values.js';
import { knownCodeOf, WireErrorCodeSchema } from './wire-error-code.js';

/**
 * What the `migrate2` forced command answers a peer Dom0 over ssh: versioned JSON, one object per
 * line on stdout. The asking side parses every line with these schemas; the lines a person reads
 * (PONG from …, progress, "ok …") are rendered from them on the asking side. The request side is
 * SSH_ORIGINAL_COMMAND and keeps its strict text grammar (agent/parse/migrate2-command.ts).
 */
export const PEER_PROTOCOL_VERSION = 1;

const v = z.literal(PEER_PROTOCOL_VERSION);
const Host = z.string().regex(HOST_NAME_RE);
const Domu = z.string().regex(DOMU_NAME_RE);
const TEXT_MAX = 4000;
const Text = z.string().max(TEXT_MAX);

export const PeerPongSchema = z.strictObject({ v, t: z.literal('pong'), host: Host });

/** `status NAME`: whether NAME runs on the answering host, and what the asker needs for a preflight. */
export const PeerStatusSchema = z.strictObject({
  v,
  t: z.literal('status'),
  host: Host,
  name: Domu,
  present: z.enum(['here', 'absent']),
  /** the state word xl list shows, when present */
  state: z.string().max(40).nullable(),
  /** the name it is listed under when mid-migration (NAME--incoming / NAME--migratedaway) */
  listedAs: z.string().max(100).nullable(),
  /** NAME's home as the answering host sees it */
  home: Host.nullable(),
  /** the answering host's free memory (xl info free_memory), null when it could not be read */
  freeMemMiB: z.number().int().nonnegative().nullable(),
  /**
   * the answering host's maintenance state when it takes no domUs (draining, maintenance).
   * Absent otherwise, and from agents older than this field: the asker takes it as online.
   * Sent only when it refuses a move, so an asker too old to know the field (its schema
   * refuses the unknown key) fails only a move this state forbids anyway.
   */
  maintenance: z.enum(['online', 'draining', 'maintenance', 'restoring']).optional(),
  /**
   * the answering host's toolstack and Xen release (null: not read), only when asked `status NAME
   * --tools`: an asker older than the fields refuses an answer carrying them, and never asks
   */
  toolstack: z.enum(['xl', 'xm']).optional(),
  xen: LinkXenSchema.nullable().optional(),
});

export const PeerProgressSchema = z.strictObject({ v, t: z.literal('progress'), line: Text });

/**
 * How the request ended. A code this build does not know (a newer peer's refusal: the catalog
 * grows with releases, and a pair of Dom0s is upgraded one at a time) is read as XH_ERR_INTERNAL
 * with the original in the message, as the agent link reads one: refused with the rest of the
 * line, the answer was taken for another program's ("is an older xenherd-agent installed there?"),
 * the peer's words lost, and a reverse ended before reading where its domU had gone.
 */
export const PeerResultSchema = z
  .strictObject({
    v,
    t: z.literal('result'),
    ok: z.boolean(),
    /** null when ok */
    code: WireErrorCodeSchema.nullable(),
    message: Text,
    operationId: z.string().max(100).nullable(),
  })
  .transform((r) => (r.code === null ? { ...r, code: null } : { ...r, ...knownCodeOf(r.code, r.message, TEXT_MAX) }));

export const PeerLineSchema = z.discriminatedUnion('t', [PeerPongSchema, PeerStatusSchema, PeerProgressSchema, PeerResultSchema]);
export type PeerLine = z.infer<typeof PeerLineSchema>;
export type PeerStatus = z.infer<typeof PeerStatusSchema>;
export type PeerResult = z.infer<typeof PeerResultSchema>;

/** One line for the wire. */
export const peerLine = (l: PeerLine): string => `${JSON.stringify(l)}\n`;

export const peerRefusal = (code: ErrorCode, message: string): PeerResult => ({ v: PEER_PROTOCOL_VERSION, t: 'result', ok: false, code, message, operationId: null });
