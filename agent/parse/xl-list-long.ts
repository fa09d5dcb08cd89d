import * as z from 'zod';
import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { jsonRepeatedKey } from './repeated-key.js';
import { withoutCr } from './tool-lines.js';
import { LIST_HEADER_RE } from './xl-columns.js';

/**
 * `xl list -l` (xl_info.c list_domains_details). With `output_format="json"` (the default since
 * libxl has JSON, 4.2+) it prints one JSON array of `{"domid": N, "config": libxl_domain_config}`;
 * indentation depends on the yajl build (4 spaces with yajl 2's default, 2 in other builds), and
 * from 4.21 on a build with json-c >= 0.15 prints json-c's pretty form instead (2 spaces, no blank
 * after the colon, "/" escaped as "\/"; tools/configure.ac, libxl_json.c), so we always JSON.parse.
 * Since 4.5 libxl's JSON generator leaves out fields equal to their default
 * (gentypes.py: `if (!default) gen`), so every field below is optional and a missing integer
 * flag means 0 — notably a disk without `readwrite` is read-only. Before 4.5 it printed every
 * field: an unset string as `null`, an unset enum as "unknown", integers as they are (0, -1 for
 * an unset memory size), empty lists as `[]`.
 * Domains without a stored config are silently skipped (before 4.5 Domain-0 always was).
 * With `output_format="sxp"` in xl.conf the output is `(domain\n\t(domid N)…` instead; xl 4.1
 * and 4.0.1 print nothing else (no JSON), and xl 4.0.0 has no `-l` at all: it prints the plain list.
 */

/**
 * A loose object whose optional fields may also be `null`: pre-4.5 libxl prints an unset string
 * as `"script": null` where 4.5+ leaves the key out, and both mean "not set". Such nulls are
 * dropped before validation; a null for a field that is not optional is judged as before.
 */
const passthrough = <T extends z.ZodRawShape>(shape: T) => z.preprocess((v) => dropNullOptionals(v, shape), z.looseObject(shape));

function dropNullOptionals(v: unknown, shape: z.ZodRawShape): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(x === null && shape[k] instanceof z.ZodOptional)));
}

export const XlDiskJsonSchema = passthrough({
  pdev_path: z.string().optional(),
  vdev: z.string().optional(),
  backend: z.string().optional(),
  format: z.string().optional(),
  script: z.string().optional(),
  readwrite: z.number().int().optional(),
  is_cdrom: z.number().int().optional(),
});

export const XlNicJsonSchema = passthrough({
  devid: z.number().int().optional(),
  mac: z.string().optional(),
  bridge: z.string().optional(),
  ip: z.string().optional(),
  ifname: z.string().optional(),
  script: z.string().optional(),
});

export const XlDomainJsonSchema = passthrough({
  domid: z.number().int().nonnegative().nullable(),
  config: passthrough({
    c_info: passthrough({
      type: z.string().optional(),
      name: z.string(),
      uuid: z.string().optional(),
    }),
    b_info: passthrough({
      max_vcpus: z.number().int().optional(),
      max_memkb: z.number().int().optional(),
      target_memkb: z.number().int().optional(),
    }).optional(),
    disks: z.array(XlDiskJsonSchema).optional(),
    nics: z.array(XlNicJsonSchema).optional(),
  }),
});

export const XlListLongSchema = z.array(XlDomainJsonSchema);
export type XlDomainJson = z.infer<typeof XlDomainJsonSchema>;

/** The detail xenherd uses, flattened. */
export interface XlDomainDetail {
  readonly domid: number | null;
  readonly name: string;
  readonly uuid: string | null;
  /** "pv", "pvh", "hvm" */
  readonly type: string | null;
  readonly maxMemKiB: number | null;
  readonly targetMemKiB: number | null;
  readonly maxVcpus: number | null;
  readonly disks: readonly XlDiskDetail[];
  readonly nics: readonly XlNicDetail[];
}

export interface XlDiskDetail {
  /** e.g. "/dev/drbd0", or the DRBD resource name when script is block-drbd */
  readonly pdevPath: string | null;
  readonly vdev: string | null;
  readonly backend: string | null;
  readonly format: string | null;
  readonly script: string | null;
  readonly readwrite: boolean;
  readonly cdrom: boolean;
}

export interface XlNicDetail {
  readonly devid: number;
  readonly mac: string | null;
  readonly bridge: string | null;
  readonly ip: string | null;
  readonly script: string | null;
}

export const SXP_HINT = 'JSON; this is SXP output: xl before 4.2 prints only SXP; on 4.2 or later set output_format="json" in /etc/xen/xl.conf';
const PLAIN_LIST_HINT = 'JSON; this is the plain `xl list` table: xl 4.0.0 has no `list -l`, it ignores -l';
/**
 * Empty stdout is refused even with exit 0, because it never means "no domains" in output xenherd
 * can read: with JSON output (list_domains_details in xl_info.c, xl_cmdimpl.c before 4.9) xl
 * opens the array before the first domain and prints it whole or not at all, so no domains is
 * "[]", and nothing is printed only when making the JSON failed (yajl says so on stderr; json-c,
 * 4.21+, may say nothing). Nothing for "no domain" comes only from SXP output (output_format="sxp",
 * or xl 4.1 which has no JSON; 4.1–4.4 never list Domain-0), which is refused anyway.
 */
const EMPTY_HINT =
  'a JSON array of domains: with JSON output xl prints at least "[]", and nothing only when it failed to make the JSON (see its stderr); ' +
  'nothing for "no domain" comes only with SXP output: on 4.2 or later set output_format="json" in /etc/xen/xl.conf (xl 4.1 prints only SXP)';

export function parseXlListLong(text: string): Result<XlDomainDetail[], ParseFailure> {
  const tool = 'xl';
  const start = text.trimStart();
  if (start === '') return err(parseFailure(tool, 0, text, EMPTY_HINT));
  const first = withoutCr(start.split('\n', 1)[0] ?? '');
  const firstLine = text.slice(0, text.length - start.length).split('\n').length;
  if (start.startsWith('(domain')) return err(parseFailure(tool, firstLine, first, SXP_HINT));
  if (LIST_HEADER_RE.test(first)) return err(parseFailure(tool, firstLine, first, PLAIN_LIST_HINT));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return err(parseFailure(tool, jsonErrorLine(text, e), text.slice(0, 200), `complete JSON (${e instanceof Error ? e.message : String(e)})`));
  }
  const repeated = jsonRepeatedKey(text);
  if (repeated !== null) return err(parseFailure(tool, repeated.line, repeated.text, repeated.expected));
  // Some printf_info paths print a single object rather than an array; accept it as one domain.
  const asArray = Array.isArray(json) ? json : [json];
  const parsed = XlListLongSchema.safeParse(asArray);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.')}: ${issue.message}`;
    return err(parseFailure(tool, 0, text.slice(0, 200), `xl domain config JSON${where}`));
  }
  return ok(parsed.data.map(toDetail));
}

function toDetail(d: XlDomainJson): XlDomainDetail {
  const { c_info, b_info, disks = [], nics = [] } = d.config;
  return {
    domid: d.domid,
    name: c_info.name,
    uuid: c_info.uuid ?? null,
    type: c_info.type ?? null,
    maxMemKiB: b_info?.max_memkb ?? null,
    targetMemKiB: b_info?.target_memkb ?? null,
    maxVcpus: b_info?.max_vcpus ?? null,
    disks: disks.map((k) => ({
      pdevPath: k.pdev_path ?? null,
      vdev: k.vdev ?? null,
      backend: k.backend ?? null,
      format: k.format ?? null,
      script: k.script ?? null,
      readwrite: (k.readwrite ?? 0) !== 0,
      cdrom: (k.is_cdrom ?? 0) !== 0,
    })),
    nics: nics.map((n) => ({
      // libxl prints devid (its default is -1, so 0 is printed); a file without it is read as 0
      devid: n.devid ?? 0,
      mac: n.mac ?? null,
      bridge: n.bridge ?? null,
      ip: n.ip ?? null,
      script: n.script ?? null,
    })),
  };
}

/** Node's JSON.parse messages carry "position N" (or "line N column M" on newer V8). */
function jsonErrorLine(text: string, e: unknown): number {
  const msg = e instanceof Error ? e.message : '';
  const lc = /line (\d+) column/.exec(msg);
  if (lc?.[1] !== undefined) return Number(lc[1]);
  const pos = /position (\d+)/.exec(msg);
  if (pos?.[1] !== undefined) return text.slice(0, Number(pos[1])).split('\n').length;
  // "Unexpected end of JSON input": the output stops early, so the last line is where it broke.
  return text.trimEnd().split('\n').length;
}
