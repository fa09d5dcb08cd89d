import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { describeIssues, parseJsonObject } from '../../shared/json-config.js';
import { NO_ROOM_ERRNOS, TEST_WRITE, type LinkStateDisk } from '../../shared/protocol/state-disk.js';
import type { StateDir } from './state-disk.js';

/**
 * The environment variable naming the file the fleet simulator answers a simulated Dom0's
 * filesystem in. An agent process "on" a simulated Dom0 keeps its state in a real temp dir that
 * nothing fills, so the simulator's full, low or read-only disk reaches it only this way. It is
 * honoured only under a simulated host root (XENHERD_HOST_ROOT other than /): on a Dom0 a stray
 * variable can never hide a full disk or make one up.
 */
export const STATE_DISK_STAND_IN_ENV = 'XENHERD_SIM_STATE_DISK';

const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** What statfs and the test write would answer on that filesystem; writeErrno null: the write lands. */
export const StateDiskStandInSchema = z.strictObject({ freeBytes: Bytes, totalBytes: Bytes, writeErrno: z.enum(NO_ROOM_ERRNOS).nullable() });
export type StateDiskStandIn = z.infer<typeof StateDiskStandInSchema>;

const EXAMPLE = '{"freeBytes": 0, "totalBytes": 17179869184, "writeErrno": "ENOSPC"}';

const errnoOf = (e: unknown): unknown => (e instanceof Error && 'code' in e ? e.code : undefined);

/**
 * FILE read and validated: null while it does not exist (the simulator writes it once a disk is
 * faulted, and removes it when there is room again: the real dirs are read meanwhile). A file
 * that cannot be read or is not one throws, naming it, rather than reading as a healthy disk.
 */
export async function readStandIn(file: string): Promise<StateDiskStandIn | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null;
    throw new Error(`${file} (${STATE_DISK_STAND_IN_ENV}): cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const source = `${file} (${STATE_DISK_STAND_IN_ENV})`;
  const json = parseJsonObject(text, source, EXAMPLE);
  if (!json.ok) throw new Error(json.message);
  const parsed = StateDiskStandInSchema.safeParse(json.value);
  if (!parsed.success) throw new Error(describeIssues(source, parsed.error.issues, `the example ${EXAMPLE}`, StateDiskStandInSchema));
  return parsed.data;
}

/** Each of DIRS as the agent reports it, the filesystem's answers taken from S: one filesystem holds them all. */
export const standInReadings = (dirs: readonly Pick<StateDir, 'role' | 'dir'>[], s: StateDiskStandIn, at: string): LinkStateDisk[] =>
  dirs.map((d) => ({ role: d.role, dir: d.dir, freeBytes: s.freeBytes, totalBytes: s.totalBytes, readAt: at, failure: s.writeErrno === null ? null : { code: s.writeErrno, at, what: TEST_WRITE } }));

/** The stand-in file ENV names, or null: none named, or a real host root, where the real dirs are always read. */
export function standInFileOf(env: Readonly<Record<string, string | undefined>>, root: string): string | null {
  const file = env[STATE_DISK_STAND_IN_ENV];
  return file === undefined || file === '' || root === '/' ? null : file;
}
