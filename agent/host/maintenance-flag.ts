import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import type { XhError } from '../../shared/errors.js';
import { duplicateKeyText, findDuplicateKey } from '../../shared/json-duplicate-keys.js';
import { withoutByteOrderMark } from '../../shared/json-file-text.js';
import { MaintenanceSchema, ONLINE, type Maintenance } from '../../shared/protocol/agent-link-state.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { HostFiles } from './files.js';

/**
 * The host's maintenance state, kept by its agent (a controller restart or a Dom0 reboot keeps
 * it): `<stateDir>/maintenance.json`, written whole. A plain `<stateDir>/maintenance` file (an
 * operator's `touch`) still means "in maintenance, nobody's operation". A file that does not parse
 * counts as maintenance too: when in doubt, guarded autostart starts nothing.
 */
export const MAINTENANCE_FILE = 'maintenance.json';
const LEGACY_FILE = 'maintenance';

const FlagFileSchema = MaintenanceSchema.extend({ since: z.string().min(1).max(40) }).strict();
export type MaintenanceFlag = z.infer<typeof FlagFileSchema>;

export interface MaintenanceRead {
  readonly flag: Maintenance;
  /** why the file was not taken as written (it then reads as maintenance) */
  readonly problem: string | null;
}

/** the fix for a record that does not read: the file is only ever written whole */
const REWRITE = 'it is corrected by hand or rewritten (`xenherdctl maintenance HOST on|off`)';

/** The first thing wrong with the record, naming the key: "is not a maintenance record" alone left operators guessing. */
function whatIsWrong(issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] } | undefined): string {
  if (issue === undefined) return 'invalid';
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (remove it)`;
  const key = issue.path.map(String).join('.');
  return key === '' ? issue.message : `key "${key}": ${issue.message}`;
}

export async function readMaintenanceFlag(files: HostFiles, stateDir: string): Promise<MaintenanceRead> {
  const dir = stateDir.replace(/\/+$/, '');
  const r = await files.readText(`${dir}/${MAINTENANCE_FILE}`);
  if (r.ok) {
    const display = files.display(`${dir}/${MAINTENANCE_FILE}`);
    // an operator may write this file by hand, and some editors put a byte-order mark first
    const json = withoutByteOrderMark(r.value);
    let raw: unknown;
    let notJson: string | null = null;
    try {
      raw = JSON.parse(json);
    } catch (e) {
      raw = null;
      notJson = (e as Error).message;
    }
    // {"state": "maintenance", …, "state": "online"} would read as online: in doubt, maintenance
    const twice = raw === null ? null : findDuplicateKey(json);
    if (twice !== null) return { flag: { state: 'maintenance', operationId: null, owner: null }, problem: `${duplicateKeyText(display, twice)}: treated as maintenance (nothing is started) until one is removed or the file is rewritten` };
    const parsed = FlagFileSchema.safeParse(raw);
    if (parsed.success) return { flag: { state: parsed.data.state, operationId: parsed.data.operationId, owner: parsed.data.owner }, problem: null };
    const why = notJson !== null ? `not JSON (${notJson})` : whatIsWrong(parsed.error.issues[0]);
    return { flag: { state: 'maintenance', operationId: null, owner: null }, problem: `${display} is not a maintenance record: ${why}: treated as maintenance (nothing is started) until ${REWRITE}` };
  }
  if (r.error.errno !== 'ENOENT') return { flag: { state: 'maintenance', operationId: null, owner: null }, problem: `${r.error.message}: treated as maintenance` };
  const legacy = await files.readText(`${dir}/${LEGACY_FILE}`);
  return legacy.ok || legacy.error.errno !== 'ENOENT' ? { flag: { state: 'maintenance', operationId: null, owner: 'the maintenance file' }, problem: null } : { flag: ONLINE, problem: null };
}

/**
 * Writes the state atomically, owner-only. The plain `maintenance` file goes with it: the record
 * now says what the state is, and a leftover `touch` would otherwise keep the host in maintenance.
 */
export function writeMaintenanceFlag(stateDirReal: string, flag: Maintenance, since: string): Result<void, XhError> {
  const w = writeFileAtomic(join(stateDirReal, MAINTENANCE_FILE), `${JSON.stringify({ ...flag, since }, null, 2)}\n`);
  if (!w.ok) return err(w.error);
  try {
    rmSync(join(stateDirReal, LEGACY_FILE), { force: true });
  } catch (e) {
    return err({ code: 'XH_ERR_FILE', message: `${join(stateDirReal, LEGACY_FILE)}: cannot remove: ${(e as Error).message}` });
  }
  return ok(undefined);
}
