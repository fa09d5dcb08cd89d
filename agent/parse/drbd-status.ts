import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { intendedIndent } from './drbd-status-wrap.js';
import { repeatedKey } from './repeated-key.js';
import { splitLines } from './tool-lines.js';
import { buildDevice, buildPeerDevice, buildConnection, buildResource, type Fields } from './drbd-status-build.js';
import type { DrbdStatusConnection, DrbdStatusDevice, DrbdStatusPeerDevice, DrbdStatusResource } from './drbd-status-types.js';

export type { DrbdStatusConnection, DrbdStatusDevice, DrbdStatusPeerDevice, DrbdStatusResource } from './drbd-status-types.js';

/**
 * `drbdadm status [R]` / `drbdsetup status [R]` text, DRBD 8.4 and 9.
 *
 * The grammar follows drbd-utils' printers (v9 and v84 drbdsetup.c: resource_status,
 * device_status, connection_status, peer_device_status), which write through wrap_printf: every
 * line of an object starts at its own indent, and a line that would pass 80 columns wraps to a
 * continuation indent. Indents therefore identify the object:
 *   0  resource (`name role:… [suspended:…]`), continuation at 4
 *   2  device (`volume:N disk:…` or `disk:…` for a single volume 0), continuation at 6
 *   2  connection (`peername role:…` / `peername connection:…` / `node-id:N …`), continuation at 6
 *   4  peer device (`volume:N …`, `replication:…`, `peer-disk:…`), continuation at 8
 * The DRBD 9 drbdsetup of 2012-2013 printed a peer volume's disk state as `disk:` (drbd-utils
 * commit c79c3393 renamed it `peer-disk:`), and the drbdsetup(8) man page of every drbd-utils 9
 * release and LINBIT's DRBD 9 guide still show that form: under a connection, `disk:` is the
 * peer's disk.
 * drbd-utils before 9.32 could push the line after one of 80 columns right (drbd-status-wrap.ts).
 * Blank lines separate resources; `# No currently configured DRBD found.` means "no resources".
 * Anything else is a failure naming the line.
 */

const TOOL = 'drbdadm status';
// Colour codes appear only with --color=always; strip them so a config change cannot break us.
const ANSI = /\x1b\[[0-9;]*m/g;

interface Obj {
  readonly line: number;
  readonly text: string;
  readonly fields: Fields;
}
interface ConnObj extends Obj {
  readonly name: string | null;
  readonly peerDevices: Obj[];
}
interface ResObj extends Obj {
  readonly name: string;
  readonly devices: Obj[];
  readonly connections: ConnObj[];
}

/** What a peer volume's first line can start with (a terse single volume 0 prints no volume:). */
const PEER_VOLUME_FIRST_KEYS: ReadonlySet<string> = new Set(['volume', 'replication', 'peer-disk', 'disk']);

const keyOf = (token: string): string | null => {
  const i = token.indexOf(':');
  return i > 0 ? token.slice(0, i) : null;
};

function addTokens(obj: Obj, tokens: readonly string[], lineNo: number, line: string): ParseFailure | null {
  for (const t of tokens) {
    const i = t.indexOf(':');
    if (i <= 0) return parseFailure(TOOL, lineNo, line, `key:value tokens, got ${JSON.stringify(t)}`);
    const k = t.slice(0, i);
    const repeated = repeatedKey(k, obj.fields.get(k)?.value, t.slice(i + 1));
    if (repeated !== null) return parseFailure(TOOL, lineNo, line, repeated);
    obj.fields.set(k, { value: t.slice(i + 1), line: lineNo, text: line });
  }
  return null;
}

export function parseDrbdStatus(text: string): Result<DrbdStatusResource[], ParseFailure> {
  const resources: ResObj[] = [];
  let res: ResObj | null = null;
  // the object a continuation line belongs to, by its indent
  let level2: { kind: 'device'; obj: Obj } | { kind: 'conn'; obj: ConnObj } | null = null;
  let level4: Obj | null = null;

  const lines = splitLines(text);
  for (const [idx, raw] of lines.entries()) {
    const lineNo = idx + 1;
    const line = raw.replace(ANSI, '');
    // A blank line ends a resource, but drbd-utils also prints one for a peer volume with nothing
    // to say (Off + DUnknown, single volume): the next resource is recognised by indent 0 instead.
    if (line.trim() === '') continue;
    if (line.startsWith('#')) continue;
    const printed = line.length - line.trimStart().length;
    if (/^\s*\t/.test(line) || line.slice(0, printed).includes('\t')) {
      return err(parseFailure(TOOL, lineNo, line, 'space indentation'));
    }
    const tokens = line.slice(printed).split(/ +/).filter((t) => t !== '');
    const first = tokens[0] ?? '';
    const firstKey = keyOf(first);
    const previousLength = idx > 0 ? (lines[idx - 1] ?? '').replace(ANSI, '').length : 0;
    const indent = intendedIndent(printed, firstKey, previousLength, level2?.kind ?? null);
    let failure: ParseFailure | null = null;

    if (indent === 0) {
      res = { line: lineNo, text: line, name: first, fields: new Map(), devices: [], connections: [] };
      resources.push(res);
      level2 = null;
      level4 = null;
      failure = addTokens(res, tokens.slice(1), lineNo, line);
    } else if (res === null) {
      return err(parseFailure(TOOL, lineNo, line, 'a resource line (no indent) before indented lines'));
    } else if (indent === 2) {
      level4 = null;
      if (firstKey === 'volume' || firstKey === 'disk') {
        if (res.connections.length > 0) return err(parseFailure(TOOL, lineNo, line, 'volumes before connections'));
        const dev: Obj = { line: lineNo, text: line, fields: new Map() };
        res.devices.push(dev);
        level2 = { kind: 'device', obj: dev };
        failure = addTokens(dev, tokens, lineNo, line);
      } else if (firstKey !== null && firstKey !== 'node-id' && level2?.kind === 'device' && res.connections.length === 0) {
        // a single volume 0 wraps at indent 2 (device_status keeps indent 2 when it prints no volume)
        failure = addTokens(level2.obj, tokens, lineNo, line);
      } else if (firstKey === null || firstKey === 'node-id') {
        const conn: ConnObj = { line: lineNo, text: line, name: firstKey === null ? first : null, fields: new Map(), peerDevices: [] };
        res.connections.push(conn);
        level2 = { kind: 'conn', obj: conn };
        failure = addTokens(conn, firstKey === null ? tokens.slice(1) : tokens, lineNo, line);
      } else {
        return err(parseFailure(TOOL, lineNo, line, 'a volume (volume:/disk:) or a connection (peer name or node-id:)'));
      }
    } else if (indent === 4) {
      if (level2 === null) {
        failure = addTokens(res, tokens, lineNo, line);
      } else if (level2.kind === 'conn' && firstKey !== null && PEER_VOLUME_FIRST_KEYS.has(firstKey)) {
        const pd: Obj = { line: lineNo, text: line, fields: new Map() };
        level2.obj.peerDevices.push(pd);
        level4 = pd;
        failure = addTokens(pd, tokens, lineNo, line);
      } else {
        return err(parseFailure(TOOL, lineNo, line, 'a peer volume (volume:, replication:, peer-disk: or disk:) under a connection'));
      }
    } else if (indent === 6) {
      if (level2 === null || (level2.kind === 'conn' && level2.obj.peerDevices.length > 0)) {
        return err(parseFailure(TOOL, lineNo, line, 'a continuation of a volume or connection line'));
      }
      failure = addTokens(level2.obj, tokens, lineNo, line);
    } else if (indent === 8) {
      if (level4 === null) return err(parseFailure(TOOL, lineNo, line, 'a continuation of a peer volume line'));
      failure = addTokens(level4, tokens, lineNo, line);
    } else {
      return err(parseFailure(TOOL, lineNo, line, 'indent of 0, 2, 4, 6 or 8 spaces'));
    }
    if (failure) return err(failure);
  }

  const out: DrbdStatusResource[] = [];
  for (const r of resources) {
    const devices: DrbdStatusDevice[] = [];
    for (const d of r.devices) {
      const built = buildDevice(TOOL, d.line, d.text, d.fields);
      if (!built.ok) return built;
      devices.push(built.value);
    }
    const connections: DrbdStatusConnection[] = [];
    for (const c of r.connections) {
      const pds: DrbdStatusPeerDevice[] = [];
      for (const p of c.peerDevices) {
        const built = buildPeerDevice(TOOL, p.fields);
        if (!built.ok) return built;
        pds.push(built.value);
      }
      const built = buildConnection(TOOL, c.name, c.fields, pds);
      if (!built.ok) return built;
      connections.push(built.value);
    }
    const built = buildResource(TOOL, r.line, r.text, r.name, r.fields, devices, connections);
    if (!built.ok) return built;
    out.push(built.value);
  }
  return ok(out);
}
