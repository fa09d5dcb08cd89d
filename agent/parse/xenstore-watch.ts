import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { withoutCr } from './tool-lines.js';

/**
 * One line of `xenstore-watch PATH…` output. The tool (tools/xs-clients/xenstore_client.c,
 * do_watch) prints only the path that fired, `printf("%s\n", vec[XS_WATCH_PATH])`, never the
 * token, and flushes after each. Every watch fires once when it is registered, and may fire
 * spuriously: an event is a hint to re-read (`xl list`), not a fact.
 *
 * Special paths: `@introduceDomain`, `@releaseDomain`, and (Xen ≥ 4.18 with `-d 1`, or a watch on
 * `@releaseDomain/<domid>`) `@releaseDomain/<domid>`.
 */
export interface XenstoreWatchEvent {
  readonly path: string;
  readonly kind: 'introduceDomain' | 'releaseDomain' | 'node';
  /** the domid when the special path carries one, else null */
  readonly domid: number | null;
}

/** xenstored's valid path characters (tools/xenstored/core.c) */
const PATH_RE = /^[A-Za-z0-9\-/_@]+$/;
const SPECIAL_RE = /^@(introduceDomain|releaseDomain)(?:\/(0|[1-9][0-9]{0,4}))?$/;

export function parseXenstoreWatchLine(line: string, lineNo: number): Result<XenstoreWatchEvent, ParseFailure> {
  const path = withoutCr(line);
  if (!PATH_RE.test(path)) return err(parseFailure('xenstore-watch', lineNo, line, 'one xenstore path per line (letters, digits and - / _ @)'));
  if (path.startsWith('@')) {
    const m = SPECIAL_RE.exec(path);
    if (!m) return err(parseFailure('xenstore-watch', lineNo, line, '@introduceDomain, @releaseDomain or @releaseDomain/<domid>'));
    return ok({ path, kind: m[1] === 'introduceDomain' ? 'introduceDomain' : 'releaseDomain', domid: m[2] === undefined ? null : Number(m[2]) });
  }
  return ok({ path, kind: 'node', domid: null });
}
