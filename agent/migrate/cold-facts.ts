import type { XhError } from '../../shared/errors.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ColdStartFacts, ColdStopFacts } from '../decide/cold-move-plan.js';
import { readGuarded } from '../host/host-read.js';
import { drbdPeerOf, resourceHosts } from '../host/homes.js';
import { readMaintenanceFlag } from '../host/maintenance-flag.js';
import { parseDomuConfig } from '../parse/domu-config.js';
import { readMigrationFacts } from './facts.js';
import type { MigrationPorts } from './ports.js';
import { drbdHere } from './preflight-run.js';

/**
 * What each half of a cold move is decided from, read once the domU is held: the migration facts,
 * plus the replica hosts of its resources and their DRBD state here (shutdown) or its config and DRBD roles read now
 * (start: the rules of guarded autostart, on fresh reads only).
 */
export async function readColdStopFacts(p: MigrationPorts, name: string): Promise<Result<ColdStopFacts, XhError>> {
  const f = await readMigrationFacts(p, name);
  if (!f.ok) return f;
  const resources = f.value.resources ?? [];
  return ok({ ...f.value, resourceHosts: await resourceHosts(p, resources), drbd: await drbdHere(p, resources) });
}

/** NAME's config on this host: the guarded dir's (only) one, else `<configDir>/NAME.cfg`; null when neither has one. */
async function configOf(p: MigrationPorts, name: string): Promise<Result<{ path: string; resources: string[] } | null, XhError>> {
  // read by the rules of this host's toolstack, which would start it
  const all = (await readGuarded(p.files, p.config.guardedDir, p.toolstack.kind)).entries.filter((g) => g.name === name);
  // two files of the guarded dir for one domU: which one to start cannot be known (autostart defers too)
  if (all.length > 1) return err({ code: 'XH_ERR_CONFIG', message: `${name} is defined by ${all.length} files of the guarded dir (${all.map((g) => g.configPath).join(', ')}): keep one file per domU; not started` });
  const guarded = all[0];
  if (guarded?.error) return err({ code: 'XH_ERR_CONFIG', message: `${guarded.configPath}: ${guarded.error}` });
  if (guarded) return ok({ path: guarded.configPath, resources: [...guarded.drbdResources] });
  const path = `${p.config.migration.configDir.replace(/\/+$/, '')}/${name}.cfg`;
  const text = await p.files.readText(path);
  if (!text.ok) return text.error.errno === 'ENOENT' ? ok(null) : err({ code: 'XH_ERR_FILE', message: text.error.message });
  const cfg = parseDomuConfig(text.value, p.files.display(path), { dialect: p.toolstack.kind });
  if (!cfg.ok) return err(cfg.error);
  if (cfg.value.name !== name) return err({ code: 'XH_ERR_CONFIG', message: `${p.files.display(path)} names the domU ${JSON.stringify(cfg.value.name)}, not ${name}: not started from it` });
  return ok({ path, resources: [...cfg.value.drbdResources] });
}

export async function readColdStartFacts(p: MigrationPorts, name: string): Promise<Result<ColdStartFacts, XhError>> {
  const f = await readMigrationFacts(p, name);
  if (!f.ok) return f;
  const config = await configOf(p, name);
  if (!config.ok) return config;
  const resources = config.value?.resources ?? [];
  const maintenance = (await readMaintenanceFlag(p.files, p.config.stateDir)).flag.state;
  const views = new Map<string, DrbdResourceView>();
  let availability: ColdStartFacts['drbd']['availability'] = 'ok';
  if (resources.length > 0) {
    // availability first: drbdadm status would load a missing module
    const a = await p.drbd.availability();
    if (!a.ok) return err({ code: a.error.code, message: a.error.message });
    availability = a.value.availability;
    if (availability === 'ok') {
      const read = await p.drbd.readResources(resources);
      if (!read.ok) return err({ code: read.error.code, message: read.error.message });
      for (const v of read.value) views.set(v.name, v);
    }
  }
  const drbdPartner = resources.length > 0 ? await drbdPeerOf(p, resources) : f.value.drbdPartner;
  const resHosts = new Map<string, readonly string[]>();
  for (const [r, h] of await resourceHosts(p, resources)) if (!('problem' in h)) resHosts.set(r, h.hosts);
  return ok({ ...f.value, resources, drbdPartner, config: config.value, maintenance, drbd: { availability, resources: views }, resHosts });
}
