import { err, ok, type Result } from '../../shared/result.js';
import { DRBD_HOST_NAME_RE } from '../../shared/names.js';
import { configError, near, type ConfigFileError } from './domu-config-error.js';
import { lexDrbdConf, type DrbdToken } from './drbd-res-lexer.js';

/*
 * An `on` section's name is checked with shared/names.ts's DRBD_HOST_NAME_RE. Any other name (a
 * space, a slash) is no Dom0 xenherd can be asked about: the file is refused rather than the name
 * dropped, since a dropped host can leave the other one looking like the only peer.
 */

const isName = (t: DrbdToken | undefined): t is DrbdToken => t !== undefined && (t.kind === 'word' || t.kind === 'string');

/**
 * The hosts holding a replica of RESOURCE, from its file (`/etc/drbd.d/RESOURCE.res`, shown in
 * errors as `file`): the names of the `on NAME [NAME…] { … }` sections directly inside its
 * `resource RESOURCE { … }` block, in file order, 8.4 and 9 alike. Everything else is skipped
 * whole: other resources in the file (a stacked one's `on` hosts hold no replica of this one),
 * and blocks such as `connection` (whose `via proxy on NAME` names a proxy, not a replica),
 * `proxy`, `floating`, `volume`, `net` and `disk`. A file that does not parse, does not define
 * RESOURCE, or names no host in it, is refused: who holds the replicas is then unknown, never
 * "nobody". So is a stacked RESOURCE (a `stacked-on-top-of LOWER { … }` section in it): that
 * replica is held by whichever Dom0 is LOWER's Primary, which no file names, and its `on` hosts
 * alone (the far site's node) would be read as the one partner of a Dom0 not among them.
 *
 * drbdadm takes `include "GLOB";` only at the top level (my_parse in drbdadm_parser.c; its
 * scanner makes the bare word a keyword anywhere, so one inside a resource is a parse error
 * unless a `skip` block holds it). A top-level include cannot add hosts to RESOURCE: a resource
 * section name may appear once in the whole configuration (check_uniq "resource section"), and
 * `common` sections allow no `on`. So a top-level include is passed by, and one inside RESOURCE
 * is refused, as drbdadm refuses it.
 */
export function drbdResHosts(text: string, resource: string, file: string): Result<string[], ConfigFileError> {
  const r = drbdResReplicas(text, resource, file);
  return r.ok ? ok(r.value.hosts) : r;
}

/** RESOURCE's hosts as drbdResHosts reads them, and those of them diskless by their configuration */
export interface DrbdResReplicas {
  readonly hosts: string[];
  /**
   * the hosts whose `on` section says `disk none` for every volume of the resource and names no
   * disk (a quorum tiebreaker, a DRBD client): in file order. They are hosts of the resource, its
   * kernel connections named after them, but hold no copy of its data to run a domU on.
   */
  readonly diskless: string[];
}

/** An `on` section being read: its names, and what its `disk` statements said per volume. */
interface OnSection {
  readonly names: readonly DrbdToken[];
  /** the volumes it gives `disk none` ("0" for a `disk none;` directly in the section, DRBD's implicit volume); most sections have none */
  none: string[] | null;
  /** the volumes it declares with a `volume N { }` block */
  volumes: string[] | null;
  /** any disk other than none */
  disk: boolean;
  /** the volume block being read inside it, if any */
  volume: string | null;
}

/** drbdResHosts with which of the hosts are diskless by their configuration. */
export function drbdResReplicas(text: string, resource: string, file: string): Result<DrbdResReplicas, ConfigFileError> {
  const lexed = lexDrbdConf(text);
  if (!lexed.ok) return err(configError(file, lexed.error.line, lexed.error.column, lexed.error.problem, lexed.error.expected));
  const hosts = new Set<string>();
  let depth = 0;
  /** the `{` that opened the outermost block still open, for an unclosed file's error */
  let outer: DrbdToken | null = null;
  /** the words since the last `;`, `{` or `}`, at the levels that matter (file, wanted resource) */
  let statement: DrbdToken[] = [];
  let found: DrbdToken | null = null;
  let inside = false;
  /** the depth at which a `skip` block inside the wanted resource opened: drbdadm reads nothing in it */
  let skipAt: number | null = null;
  /** what the first top-level `include` names, to say where a resource not found here may be */
  let included: string | null = null;
  /** the `on` section being read (opened at depth 1 of the wanted resource) */
  let on: OnSection | null = null;
  /** the names of each section giving its hosts a disk; those saying `disk none` wait for every volume of the resource to be known */
  const gaveDisk: (readonly DrbdToken[])[] = [];
  const noneSaid: OnSection[] = [];
  /** the volumes the resource declares at its own level (`volume N { … }`) */
  const volumes = new Set<string>();
  for (const t of lexed.value) {
    if (t.kind === 'word' || t.kind === 'string') {
      if (inside && skipAt === null && t.kind === 'word' && t.text === 'include') {
        return err(configError(file, t.line, t.column, `\`include\` inside resource ${resource}`, `drbdadm refuses an include inside a resource (it takes one only at the top level of a file), and xenherd reads only this file: write the \`on\` sections of ${resource} here`));
      }
      if (depth === 0 || inside) statement.push(t);
    } else if (t.kind === ';') {
      const [head, name] = statement;
      if (depth === 0 && head?.kind === 'word' && head.text === 'include' && included === null && isName(name)) included = name.text;
      // `disk X;` in an `on` section (depth 2) or in a volume block inside one (depth 3); a `disk { … }` options block holds no such statement
      if (on !== null && skipAt === null && head?.kind === 'word' && head.text === 'disk' && isName(name) && statement.length === 2 && (depth === 2 || (depth === 3 && on.volume !== null))) {
        if (name.text === 'none') (on.none ??= []).push(depth === 2 ? '0' : (on.volume ?? '0'));
        else on.disk = true;
      }
      statement = [];
    } else if (t.kind === '{') {
      const head = statement[0];
      const name = statement[1];
      if (depth === 0 && head?.kind === 'word' && head.text === 'resource' && isName(name) && name.text === resource && statement.length === 2) {
        if (found) return err(configError(file, head.line, head.column, `resource ${resource} is defined twice (lines ${found.line} and ${head.line})`, 'keep one resource block per name'));
        found = head;
        inside = true;
      } else if (inside && depth === 1 && head?.kind === 'word' && head.text === 'stacked-on-top-of') {
        const lower = isName(name) ? name.text : 'LOWER';
        return err(
          configError(
            file,
            head.line,
            head.column,
            `resource ${resource} is stacked on ${lower}: its \`stacked-on-top-of\` replica is held by whichever Dom0 is ${lower}'s Primary, which no file names`,
            `xenherd learns which Dom0s hold a replica from \`on HOST { … }\` sections alone, so it cannot move or guard a domU on ${resource}: give the domU a resource of its own whose every replica has an \`on\` section`,
          ),
        );
      } else if (inside && depth === 1 && head?.kind === 'word' && head.text === 'on') {
        const names = statement.slice(1);
        if (names.length === 0) return err(configError(file, head.line, head.column, '`on` section without a host name', 'write on HOST { … }'));
        for (const n of names) {
          if (!DRBD_HOST_NAME_RE.test(n.text)) return err(configError(file, n.line, n.column, `${near(n.text)} is not a valid host name`, 'an `on` section names Dom0s: letters, digits, . _ - (starting with a letter or digit)'));
          hosts.add(n.text);
        }
        on = { names, none: null, volumes: null, disk: false, volume: null };
      }
      if (inside && skipAt === null && head?.kind === 'word' && head.text === 'volume' && isName(name) && statement.length === 2) {
        if (depth === 1) volumes.add(name.text);
        else if (depth === 2 && on !== null) {
          (on.volumes ??= []).push(name.text);
          on.volume = name.text;
        }
      }
      if (inside && skipAt === null && head?.kind === 'word' && head.text === 'skip') skipAt = depth;
      if (depth === 0) outer = t;
      depth++;
      statement = [];
    } else {
      if (depth === 0) return err(configError(file, t.line, t.column, '`}` without a matching `{`', 'remove it or add the missing `{`'));
      depth--;
      if (depth === skipAt) skipAt = null;
      if (on !== null && depth === 2) on.volume = null;
      if (depth === 1 && on !== null) {
        if (on.disk || on.none === null) gaveDisk.push(on.names);
        else noneSaid.push(on);
        on = null;
      }
      if (depth === 0) inside = false;
      statement = [];
    }
  }
  if (outer && depth > 0) return err(configError(file, outer.line, outer.column, 'the block opened here is never closed', 'add the missing `}`'));
  if (!found) {
    const where = included === null ? '' : ` (it includes ${JSON.stringify(included)}, which xenherd does not read)`;
    return err(configError(file, 1, null, `no resource ${resource} block${where}`, `the file of a DRBD resource defines it: resource ${resource} { … }`));
  }
  // a resource whose replicas are named by address only (`floating` sections) or in `drbdsetup
  // show`'s `_this_host` form: which Dom0s hold it is unknown, not "none"
  if (hosts.size === 0) {
    return err(configError(file, found.line, found.column, `resource ${resource} names no host in an \`on\` section`, 'xenherd learns which Dom0s hold a replica from `on HOST { … }` sections (a `floating` section names an address, not a Dom0): write one for each Dom0'));
  }
  const none = new Set<string>();
  for (const o of noneSaid) {
    const all = [...volumes, ...(o.volumes ?? [])];
    if ((all.length === 0 ? ['0'] : all).every((v) => o.none?.includes(v))) for (const n of o.names) none.add(n.text);
    else gaveDisk.push(o.names);
  }
  if (none.size === 0) return ok({ hosts: [...hosts], diskless: [] });
  // a host with a disk in any of its sections holds a copy
  for (const names of gaveDisk) for (const n of names) none.delete(n.text);
  return ok({ hosts: [...hosts], diskless: [...hosts].filter((h) => none.has(h)) });
}
