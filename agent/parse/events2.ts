import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { splitLines, withoutCr } from './tool-lines.js';
import { drbdDonePercent } from './drbd-done-percent.js';
import {
  isConnectionWord,
  isDisk,
  isReplicationWord,
  isRole,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdReplicationWord,
  type DrbdRole,
} from '../../shared/drbd-words.js';

/**
 * One line of `drbdsetup events2 [--now] [--timestamps] [--statistics]`.
 *
 * Grammar from drbd-utils: user/v9/drbdsetup_events2.c (print_*_changes, print_helper,
 * format_timestamp) and, for an 8.4 kernel, user/v84/drbdsetup.c (print_notifications,
 * event_key):
 *   [TIMESTAMP ' '] VERB ' ' OBJECT (' ' key:value)*
 *   [TIMESTAMP ' '] 'exists -'          end of the initial state dump
 *   '- skipped N'                       (8.4) N notifications were lost: state is stale
 * TIMESTAMP is printf "%04u-%02u-%02uT%02u:%02u:%02u.%06u%+03d:%02u" (local time, µs, offset).
 * `change` lines carry only the keys that changed. Unknown keys (statistics, future additions)
 * are kept in `fields`; the state words we act on are checked against drbd-words.ts. The
 * `--diff` form (`role:Secondary->Primary`) is not supported and fails on typed keys.
 */

export const EVENTS2_VERBS = ['exists', 'create', 'change', 'destroy', 'call', 'response', 'rename'] as const;
export type Events2Verb = (typeof EVENTS2_VERBS)[number];
export const EVENTS2_OBJECTS = ['resource', 'connection', 'device', 'peer-device', 'path', 'helper'] as const;
export type Events2Object = (typeof EVENTS2_OBJECTS)[number];

/** Typed values present on the line; a missing key means "unchanged" on a `change` line. */
export interface Events2State {
  readonly role?: DrbdRole;
  readonly suspended?: string;
  readonly connection?: DrbdConnectionWord;
  readonly disk?: DrbdDiskState;
  readonly peerDisk?: DrbdDiskState;
  readonly replication?: DrbdReplicationWord;
  /** `done:` percentage; null when unknown (nan, inf, or outside 0 to 100) */
  readonly done?: number | null;
}

export interface Events2Event {
  readonly kind: 'event';
  readonly timestamp: string | null;
  readonly verb: Events2Verb;
  readonly object: Events2Object;
  /** resource name */
  readonly name: string;
  /** rename only */
  readonly newName: string | null;
  readonly peerNodeId: number | null;
  readonly connName: string | null;
  readonly volume: number | null;
  readonly minor: number | null;
  readonly state: Events2State;
  readonly fields: Readonly<Record<string, string>>;
}

export type Events2Line =
  | { readonly kind: 'initial-done'; readonly timestamp: string | null }
  | { readonly kind: 'skipped'; readonly count: number; readonly timestamp: string | null }
  | Events2Event;

const TOOL = 'drbdsetup events2';
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}) /;
const isVerb = (w: string): w is Events2Verb => (EVENTS2_VERBS as readonly string[]).includes(w);
const isObject = (w: string): w is Events2Object => (EVENTS2_OBJECTS as readonly string[]).includes(w);

const ANSI_SGR = /\x1b\[[0-9;]*m/g;

export function parseEvents2Line(line: string, lineNo = 1): Result<Events2Line, ParseFailure> {
  const fail = (expected: string) => err(parseFailure(TOOL, lineNo, line, expected));
  // colour codes come only with --color=always (as in drbdadm status): dropped, not refused
  let rest = withoutCr(line).replace(ANSI_SGR, '');
  const ts = TIMESTAMP.exec(rest);
  const timestamp = ts?.[1] ?? null;
  if (ts) rest = rest.slice(ts[0].length);

  const skipped = /^- skipped (\d{1,9})$/.exec(rest);
  if (skipped?.[1] !== undefined) return ok({ kind: 'skipped', count: Number(skipped[1]), timestamp });
  if (rest === 'exists -') return ok({ kind: 'initial-done', timestamp });

  const tokens = rest.split(' ');
  const [verb, object, ...pairs] = tokens;
  if (verb === undefined || !isVerb(verb)) return fail(`a verb (${EVENTS2_VERBS.join(' ')})`);
  if (object === undefined || !isObject(object)) return fail(`an object (${EVENTS2_OBJECTS.join(' ')})`);
  if ((verb === 'call' || verb === 'response') !== (object === 'helper')) return fail('call/response only with helper');
  if (verb === 'rename' && object !== 'resource') return fail('rename only with resource');

  const fields = new Map<string, string>();
  for (const p of pairs) {
    const i = p.indexOf(':');
    if (i <= 0) return fail(`key:value tokens, got ${JSON.stringify(p)}`);
    const k = p.slice(0, i);
    if (fields.has(k)) return fail(`each key once, ${JSON.stringify(k)} repeats`);
    fields.set(k, p.slice(i + 1));
  }

  const name = fields.get('name');
  if (name === undefined || name === '') return fail('name:');
  const num = (k: string): number | null | 'bad' => {
    const v = fields.get(k);
    if (v === undefined) return null;
    return /^\d{1,9}$/.test(v) ? Number(v) : 'bad';
  };
  const peerNodeId = num('peer-node-id');
  const volume = num('volume');
  const minor = num('minor');
  if (peerNodeId === 'bad' || volume === 'bad' || minor === 'bad') return fail('peer-node-id:, volume:, minor: to be numbers');
  const connName = fields.get('conn-name') ?? null;

  const needsPeer = object === 'connection' || object === 'peer-device' || object === 'path';
  if (needsPeer && connName === null && peerNodeId === null) return fail('conn-name: or peer-node-id:');
  if ((object === 'device' || object === 'peer-device') && volume === null) return fail('volume:');
  if (object === 'helper' && !fields.has('helper')) return fail('helper:');
  const newName = fields.get('new_name') ?? null;
  if (verb === 'rename' && (newName === null || newName === '')) return fail('new_name:');

  const state = typedState(object, fields);
  if (typeof state === 'string') return fail(state);

  return ok({
    kind: 'event',
    timestamp,
    verb,
    object,
    name,
    newName,
    peerNodeId,
    connName,
    volume,
    minor,
    state,
    fields: Object.fromEntries(fields),
  });
}

/** The state words for this object, or a sentence saying which one is not a known word. */
function typedState(object: Events2Object, fields: ReadonlyMap<string, string>): Events2State | string {
  const out: { -readonly [K in keyof Events2State]: Events2State[K] } = {};
  let problem: string | null = null;
  const get = <T extends string>(key: string, guard: (w: string) => w is T, what: string): T | undefined => {
    const v = fields.get(key);
    if (v === undefined || guard(v)) return v;
    problem ??= `${key}: to be ${what}, got ${JSON.stringify(v)}`;
    return undefined;
  };
  if (object === 'resource' || object === 'connection') out.role = get('role', isRole, 'a role');
  if (object === 'resource') out.suspended = fields.get('suspended');
  if (object === 'connection') out.connection = get('connection', isConnectionWord, 'a connection state');
  if (object === 'device') out.disk = get('disk', isDisk, 'a disk state');
  if (object === 'peer-device') {
    out.replication = get('replication', isReplicationWord, 'a replication state');
    out.peerDisk = get('peer-disk', isDisk, 'a disk state');
    const done = fields.get('done');
    if (done !== undefined) {
      const p = drbdDonePercent(done);
      if (p === undefined) problem ??= `done: to be a percentage like 37.50, got ${JSON.stringify(done)}`;
      else out.done = p;
    }
  }
  if (problem !== null) return problem;
  // drop keys that were not on the line, so "absent" stays distinguishable from a value
  for (const k of Object.keys(out) as (keyof Events2State)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** Every line of a captured stream (e.g. `events2 --now`); the first bad line fails the whole. */
export function parseEvents2(text: string): Result<Events2Line[], ParseFailure> {
  const lines = splitLines(text);
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return err(parseFailure(TOOL, 0, text, 'at least `exists -`'));
  const out: Events2Line[] = [];
  for (const [i, line] of lines.entries()) {
    const r = parseEvents2Line(line, i + 1);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

const WORD = /^[a-z][a-z0-9_-]{0,39}$/;

/**
 * For a line parseEvents2Line refused: when it has the events2 shape (`[TIMESTAMP] VERB OBJECT
 * key:value…`) but a verb or object this parser does not know, that pair ("future-verb resource"),
 * so the caller can skip it as a newer drbd-utils' addition; null for a line that is malformed.
 * Known verb and object pairs are never skipped: their state words must still parse.
 */
export function unknownEvents2Kind(line: string): string | null {
  let rest = withoutCr(line).replace(ANSI_SGR, '');
  const ts = TIMESTAMP.exec(rest);
  if (ts) rest = rest.slice(ts[0].length);
  const [verb, object, ...pairs] = rest.split(' ');
  if (verb === undefined || object === undefined || !WORD.test(verb) || !WORD.test(object)) return null;
  if (isVerb(verb) && isObject(object)) return null;
  if (!pairs.every((p) => p.indexOf(':') > 0)) return null;
  return `${verb} ${object}`;
}
