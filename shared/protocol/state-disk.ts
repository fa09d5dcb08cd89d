import * as z from 'zod';
import { IsoTimeSchema, LinkTextSchema } from './agent-link-values.js';

/**
 * The filesystems under an agent's own records, as it reports them (feature `state-disk`): the
 * state dir (the migration ledger, the maintenance flag) and the runtime dir beside the control
 * socket (the autostart boot record, the migration locks). A full or read-only one fails those
 * writes, and only the command that wrote and the journal said so: the controller's `check`,
 * `status` and `/metrics` read it here.
 */
export const STATE_DIR_ROLES = ['state', 'runtime'] as const;
export type StateDirRole = (typeof STATE_DIR_ROLES)[number];

/** The errnos that say a write failed for the filesystem itself, not for this one file. */
export const NO_ROOM_ERRNOS = ['ENOSPC', 'EDQUOT', 'EROFS'] as const;
export type NoRoomErrno = (typeof NO_ROOM_ERRNOS)[number];
export const isNoRoomErrno = (code: unknown): code is NoRoomErrno => typeof code === 'string' && (NO_ROOM_ERRNOS as readonly string[]).includes(code);

/** An errno of a filesystem refusing writes, as Node's messages quote it, or its words: for the failures only a message carries. */
export const NO_ROOM_TEXT = /\b(ENOSPC|EDQUOT|EROFS)\b|no space left on device|disk quota exceeded|read-only file system/i;

/** What a failure found by the agent's own one-byte test write (not a record's write) is named. */
export const TEST_WRITE = 'a test write';

/** The most recent write under the directory that failed for lack of room or a read-only filesystem. */
export const StateWriteFailureSchema = z.strictObject({ code: z.enum(NO_ROOM_ERRNOS), at: IsoTimeSchema, what: LinkTextSchema });
export type StateWriteFailure = z.infer<typeof StateWriteFailureSchema>;

const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const LinkStateDiskSchema = z.strictObject({
  role: z.enum(STATE_DIR_ROLES),
  /** the directory as the agent's config names it (an absolute path) */
  dir: z.string().regex(/^\/[^\x00-\x1f\x7f]{0,1023}$/, 'an absolute path'),
  /** what an unprivileged writer may still use (df's Avail); null: statfs could not be read */
  freeBytes: Bytes.nullable(),
  totalBytes: Bytes.nullable(),
  /** when the agent read it, on its own clock */
  readAt: IsoTimeSchema,
  /** null: the last write tried there worked (or none failed since the agent started) */
  failure: StateWriteFailureSchema.nullable(),
});
export type LinkStateDisk = z.infer<typeof LinkStateDiskSchema>;

export const LinkStateDisksSchema = z.array(LinkStateDiskSchema).max(STATE_DIR_ROLES.length);
