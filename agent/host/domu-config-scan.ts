import type { ErrorCode } from '../../shared/errors.js';
import type { DomuConfig, DomuConfigDialect } from '../parse/domu-config.js';
import type { HostFiles } from './files.js';
import { isConfigFileName } from './guarded-configs.js';
import { domuConfigParse, readParsed, resHostsParse } from './parsed-read.js';

/** A domU config found in a directory, with the hosts each of its DRBD resources names. */
export interface ScannedDomuConfig {
  readonly path: string;
  readonly config: DomuConfig;
  /** per DRBD resource of the config: the hosts its `.res` names; null when there is no `.res` here */
  readonly resources: readonly { readonly name: string; readonly hosts: readonly string[] | null }[];
}

/** A file that could not be read or parsed: whatever it holds is unknown, which a caller may need to say. */
export interface ScanProblem {
  readonly code: ErrorCode;
  readonly source: string;
  readonly message: string;
}

const join = (dir: string, name: string): string => `${dir.replace(/\/+$/, '')}/${name}`;

/**
 * Reads the `.res` files of a DRBD config dir, each once however many configs name it. A file
 * that exists but cannot be read is a problem (it may name this host), a missing one is not.
 */
export class ResHosts {
  private readonly known = new Map<string, readonly string[] | null>();
  constructor(
    private readonly files: HostFiles,
    private readonly drbdConfigDir: string,
    private readonly problems: ScanProblem[],
  ) {}

  async of(resource: string): Promise<readonly string[] | null> {
    const known = this.known.get(resource);
    if (known !== undefined) return known;
    const path = join(this.drbdConfigDir, `${resource}.res`);
    const t = await readParsed(this.files, path, resHostsParse(resource, this.files.display(path)));
    const unknown = `whether this host replicates ${resource} is unknown`;
    if (!t.ok && t.error.errno !== 'ENOENT') this.problems.push({ code: t.error.code, source: path, message: `${t.error.message}: ${unknown}` });
    if (t.ok && !t.value.ok) this.problems.push({ code: t.value.error.code, source: path, message: `${t.value.error.message} (${unknown} until it is fixed)` });
    const hosts = t.ok && t.value.ok ? t.value.value.hosts : null;
    this.known.set(resource, hosts);
    return hosts;
  }
}

/**
 * Every domU config (`*.cfg`, editor leftovers skipped) in DIR, parsed by DIALECT's rules (this
 * host's toolstack's, which would start it), first of a name wins. A directory that is missing
 * holds none; one that cannot be listed, and a config that cannot be read or parsed, are
 * problems: never silently "no such domU".
 */
export async function scanDomuConfigs(files: HostFiles, dir: string, res: ResHosts, problems: ScanProblem[], dialect: DomuConfigDialect): Promise<ScannedDomuConfig[]> {
  const listed = await files.list(dir);
  if (!listed.ok) {
    if (listed.error.errno !== 'ENOENT') problems.push({ code: listed.error.code, source: dir, message: `${listed.error.message}: the domU configs there cannot be read` });
    return [];
  }
  const out: ScannedDomuConfig[] = [];
  for (const file of listed.value.filter((f) => f.endsWith('.cfg') && isConfigFileName(f))) {
    const path = join(dir, file);
    const read = await readParsed(files, path, domuConfigParse(files.display(path), dialect));
    if (!read.ok) {
      if (read.error.errno !== 'EISDIR') problems.push({ code: read.error.code, source: path, message: `${read.error.message}: what it configures is unknown` });
      continue;
    }
    const cfg = read.value;
    if (!cfg.ok) {
      problems.push({ code: cfg.error.code, source: path, message: `${cfg.error.message} (what it configures is unknown until it is fixed)` });
      continue;
    }
    if (out.some((o) => o.config.name === cfg.value.name)) continue;
    const resources = [];
    for (const name of cfg.value.drbdResources) resources.push({ name, hosts: await res.of(name) });
    out.push({ path, config: cfg.value, resources });
  }
  return out;
}
