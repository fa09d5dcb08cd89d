import type { DomainState, DomainType, DomuDef, DrbdMajor, DrbdResource, HostState, ReplicaState, RunState, SimState, Toolstack } from './types.js';
import { settleNics } from './nics.js';
import { dataKey, startTimeKey, startTimeText, vmPath, vmPathKey } from './vm-path.js';
import { uuidFor } from './uuid.js';
import { DRBD9_BUILDS } from '../render/proc-drbd.js';
import { renderDomuConfig } from '../render/host-files.js';
import { readCfg } from '../tools/cfg-reader.js';
import { at, checkKeys, checkName, checkResourceName, choice, decimal, FleetError, refuse, splitLine, whole, type Line } from './fleet-line.js';
import { checkResourceClash, type ResourceOrigin } from './fleet-clash.js';

export { FleetError } from './fleet-line.js';

/**
 * The fleet file: one line per host, domU or option (see test/sim/README.md).
 *   option bandwidth=1024 connect-delay=2000 start=2025-01-01T00:00:00Z
 *   host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.5 drbd=8.4
 *   domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1 type=pvh
 *   resource r1 minor=3 port=7790 two-primaries=yes
 */
export const FLEET_KEYWORDS = ['option', 'host', 'domu', 'resource'] as const;
export const DEFAULT_START = Date.UTC(2025, 0, 1, 0, 0, 0);

/** Xen's last domid for a domain (DOMID_FIRST_RESERVED is 0x7FF0); 0 is Domain-0. */
const DOMID_MAX = 0x7fef;
/** DRBD minors are 20 bits (MINORBITS in drbd.h). */
const MINOR_MAX = 0xfffff;
const MIB = 'a whole number of MiB';

/** The first line of each name; a second one would silently replace the first. */
function once(seen: Record<string, Line>, key: string, l: Line, why: string): void {
  const first = seen[key];
  if (!first) {
    seen[key] = l;
    return;
  }
  const same = first.name === l.name ? '' : ` (${l.name} and ${first.name} are one name: host names compare without case, as DNS does)`;
  throw new FleetError(`${at(l)}: a second ${l.kind} ${first.name}${same}; the first is line ${first.no}: ${why}`);
}

export function isFleetLine(text: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? '';
  return (FLEET_KEYWORDS as readonly string[]).includes(first);
}

/** drbd=8.4|8.4.N|9|a DRBD 9 build the sim has a capture of|none → major and full module version */
function drbdOf(l: Line): { drbd: DrbdMajor | null; version: string } {
  const v = l.kv.drbd ?? '8.4';
  if (v === 'none') return { drbd: null, version: '' };
  if (/^8\.4(\.\d+)?$/.test(v)) return { drbd: '8.4', version: v === '8.4' ? '8.4.11' : v };
  if (v === '9') return { drbd: '9', version: '9.0.32-1' };
  if (Object.hasOwn(DRBD9_BUILDS, v)) return { drbd: '9', version: v };
  if (v.startsWith('9')) {
    throw new FleetError(`${at(l)}: drbd=${v}: the sim renders only DRBD 9 versions it has a real capture of (${Object.keys(DRBD9_BUILDS).join(', ')}); write drbd=9`);
  }
  return refuse(l, 'drbd', '8.4, 8.4.N (e.g. 8.4.11), 9, a DRBD 9 version or none');
}

interface Running { readonly def: DomuDef; readonly host: string; readonly line: Line; readonly domid: number | null; readonly run: RunState; readonly cpu: number }

export function parseFleet(text: string): SimState {
  const lines = text.split('\n').map((t, i) => splitLine(t, i + 1)).filter((l): l is Line => l !== null);
  let bandwidth = 1024;
  let connectDelay = 2000;
  let start = DEFAULT_START;
  const hosts: Record<string, HostState> = {};
  const domus: Record<string, DomuDef> = {};
  const drbdOpts: Record<string, Line> = {};
  const seen: Record<string, Record<string, Line>> = { option: {}, host: {}, domu: {}, resource: {} };
  const running: Running[] = [];
  for (const l of lines) {
    checkKeys(l);
    if (l.kind !== 'option') checkName(l);
    switch (l.kind) {
      case 'option':
        for (const k of Object.keys(l.kv)) {
          const first = seen.option![k];
          if (first) throw new FleetError(`line ${l.no}: option ${k}= is given twice, also on line ${first.no}: keep one`);
          seen.option![k] = l;
        }
        bandwidth = decimal(l, 'bandwidth', 'MiB/s of simulated copy: a number', bandwidth, true);
        connectDelay = whole(l, 'connect-delay', { min: 0, what: 'a whole number of milliseconds', dflt: connectDelay });
        if (l.kv.start !== undefined) {
          // a time without a zone is local time: the same file would start elsewhere on another machine
          const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(l.kv.start);
          start = iso ? Date.parse(l.kv.start) : NaN;
          if (!Number.isFinite(start)) refuse(l, 'start', 'a UTC date and time, e.g. start=2025-01-01T00:00:00Z');
        }
        break;
      case 'host': {
        once(seen.host!, l.name.toLowerCase(), l, 'give each host one line');
        const toolstack: Toolstack = choice(l, 'toolstack', ['xl', 'xm'], 'xl');
        const { drbd, version } = drbdOf(l);
        const cpus = whole(l, 'cpus', { min: 1, what: 'a whole number of CPUs', dflt: 4 });
        const module = choice(l, 'module', ['yes', 'no'], 'yes');
        hosts[l.name] = {
          name: l.name,
          totalMiB: whole(l, 'mem', { min: 1, what: MIB }),
          dom0MiB: whole(l, 'dom0mem', { min: 1, what: MIB, dflt: 1024 }),
          overheadMiB: whole(l, 'overhead', { min: 0, what: MIB, dflt: 0 }),
          cpus,
          dom0Vcpus: whole(l, 'dom0vcpus', { min: 1, what: 'a whole number of vCPUs', dflt: cpus }),
          // xen=4.17.7 etc.; the lab's build constants can be set per key with info.KEY=VALUE (no spaces)
          info: Object.fromEntries(Object.entries(l.kv).filter(([k]) => k.startsWith('info.')).map(([k, v]) => [k.slice(5), v])),
          power: choice(l, 'power', ['on', 'off'], 'on'),
          toolstack,
          xenVersion: l.kv.xen ?? (toolstack === 'xm' ? '4.1.4' : '4.17.5'),
          drbd,
          drbdVersion: version,
          drbdModuleLoaded: drbd !== null && module === 'yes',
          nextDomid: whole(l, 'next-domid', { min: 1, max: DOMID_MAX, what: 'a domid', dflt: 1 }),
          dom0CpuS: decimal(l, 'dom0cpu', 'seconds of CPU time: a number', 0),
          migrateTab: choice(l, 'migrate-tab', ['yes', 'no'], 'no') === 'yes',
        };
        break;
      }
      case 'domu': {
        once(seen.domu!, l.name, l, 'a domU name is one domain in the whole fleet (xl refuses a second domain of one name)');
        const home = l.kv.home;
        if (home === undefined) throw new FleetError(`${at(l)} needs home= (the host whose drbd-auto config starts it)`);
        const peer = l.kv.peer ?? null;
        if (peer !== null && peer.toLowerCase() === home.toLowerCase()) refuse(l, 'peer', `a host other than its home=${home}: the peer holds the DRBD replica the home does not`);
        const res = l.kv.drbd === undefined ? [] : l.kv.drbd.split(',');
        for (const [i, r] of res.entries()) {
          checkResourceName(l, r);
          if (res.indexOf(r) !== i) refuse(l, 'drbd', `each resource once (${r} is named twice)`);
        }
        const def: DomuDef = {
          name: l.name,
          memMiB: whole(l, 'mem', { min: 1, what: MIB }),
          vcpus: whole(l, 'vcpus', { min: 1, what: 'a whole number of vCPUs', dflt: 1 }),
          home,
          peer,
          drbd: res,
          type: l.kv.type === undefined ? null : choice<DomainType>(l, 'type', ['pv', 'pvh', 'hvm'], 'pv'),
        };
        domus[l.name] = def;
        // read even when it does not run: a typo is one whichever way running= says
        const domid = l.kv.domid === undefined ? null : whole(l, 'domid', { min: 1, max: DOMID_MAX, what: 'a domid (0 is Domain-0)' });
        const st = choice(l, 'state', ['r', 'b', 'p'], 'b');
        const run: RunState = st === 'r' ? 'running' : st === 'p' ? 'paused' : 'blocked';
        const cpu = decimal(l, 'cpu', 'seconds of CPU time: a number', 0);
        const on = l.kv.running;
        if (on !== undefined && on !== 'no') running.push({ def, host: on, line: l, domid, run, cpu });
        break;
      }
      case 'resource':
        once(seen.resource!, l.name, l, 'give each resource one line');
        drbdOpts[l.name] = l;
        break;
    }
  }
  const hostList = Object.keys(hosts).join(', ') || 'none yet: add a host line';
  // host names compare without case, as DNS does (one host line per name, whatever its case): a
  // reference in another case than the host line's is that host, spelled as its line spells it
  const byLower = new Map(Object.keys(hosts).map((h) => [h.toLowerCase(), h]));
  const canon = (v: string): string => byLower.get(v.toLowerCase()) ?? v;
  for (const d of Object.values(domus)) {
    const l = seen.domu![d.name]!;
    for (const key of ['home', 'peer'] as const) {
      if (l.kv[key] !== undefined && !hosts[canon(l.kv[key])]) refuse(l, key, `a host the fleet has a host line for (${hostList})`);
    }
    domus[d.name] = { ...d, home: canon(d.home), peer: d.peer === null ? null : canon(d.peer) };
  }
  for (const [i, r] of running.entries()) running[i] = { ...r, def: domus[r.def.name]!, host: canon(r.host) };
  // DRBD resources: one per name used by a domU, replicated on its home and peer
  const drbd: Record<string, DrbdResource> = {};
  const origin: Record<string, ResourceOrigin> = {};
  let minor = 0;
  for (const d of Object.values(domus)) {
    const dl = seen.domu![d.name]!;
    for (const r of d.drbd) {
      if (drbd[r]) continue;
      if (!d.peer) refuse(dl, 'drbd', `a peer= too: a DRBD resource has a replica on the home and one on the peer`);
      const o = drbdOpts[r];
      const m = o ? whole(o, 'minor', { min: 0, max: MINOR_MAX, what: 'a DRBD minor', dflt: minor }) : minor;
      minor = Math.max(minor, m) + 1;
      const nodes: [string, string] = [d.home, d.peer!];
      const replicas: Record<string, ReplicaState> = {};
      for (const n of nodes) if (hosts[n]?.power === 'on' && hosts[n]?.drbdModuleLoaded) replicas[n] = { role: 'Secondary', disk: 'UpToDate' };
      drbd[r] = {
        name: r,
        minor: m,
        port: o ? whole(o, 'port', { min: 1, max: 65535, what: 'a TCP port', dflt: 7788 + m }) : 7788 + m,
        nodes,
        replicas,
        link: Object.keys(replicas).length === 2 ? 'connected' : 'connecting',
        standalone: [],
        diverged: false,
        primaryApart: [],
        discardMyData: [],
        allowTwoPrimaries: (o ? choice(o, 'two-primaries', ['yes', 'no'], 'yes') : 'yes') === 'yes',
      };
      origin[r] = { resourceLine: o ?? null, domuLine: dl };
      checkResourceClash(drbd, origin, r);
    }
  }
  const domains: DomainState[] = [];
  const nextDomid: Record<string, number> = Object.fromEntries(Object.values(hosts).map((h) => [h.name, h.nextDomid]));
  for (const { def, host, line, domid: given, run, cpu } of running) {
    const h = hosts[host];
    if (!h) refuse(line, 'running', `the host it runs on (${hostList}) or no`);
    if (h.power === 'off') throw new FleetError(`${at(line)}: running=${host}: ${host} is off (power=off): give running=no or power it on`);
    // xl would refuse to create what does not fit: a fleet that starts one is a typo, not a state
    const used = h.dom0MiB + h.overheadMiB + domains.filter((d) => d.host === host).reduce((n, d) => n + d.memMiB, 0);
    if (used + def.memMiB > h.totalMiB) throw new FleetError(`line ${line.no}: ${def.name} (mem=${def.memMiB}) does not fit on ${host}: ${Math.max(0, h.totalMiB - used)} of its mem=${h.totalMiB} MiB are free (dom0mem=${h.dom0MiB} and the domUs before it take the rest)`);
    const domid = given ?? nextDomid[host] ?? 1;
    const twin = domains.find((d) => d.host === host && d.domid === domid);
    if (twin) refuse(line, 'domid', `a domid no other domU on ${host} has (${twin.name}, line ${seen.domu![twin.name]!.no}, has ${domid}), or no domid= for the next free one`);
    nextDomid[host] = Math.max(nextDomid[host] ?? 1, domid + 1);
    // a domU the fleet file starts is one xl created from the config written for it
    domains.push({ name: def.name, domid, host, memMiB: def.memMiB, vcpus: def.vcpus, run, cpuTimeS: cpu, uuid: uuidFor(def.name), drbd: def.drbd, configPath: `/etc/xen/drbd-auto/${def.name}.cfg`, guest: settleNics(readCfg(renderDomuConfig(def)).guest, def.name) });
    for (const r of def.drbd) {
      const res = drbd[r];
      if (!res) continue;
      if (!res.nodes.includes(host)) refuse(line, 'running', `its home or peer, the hosts with a replica of ${r} (${res.nodes.join(', ')}), or no: ${host} holds none`);
      drbd[r] = { ...res, replicas: { ...res.replicas, [host]: { role: 'Primary', disk: 'UpToDate' } } };
    }
  }
  const hostsOut: Record<string, HostState> = {};
  for (const h of Object.values(hosts)) hostsOut[h.name] = { ...h, nextDomid: nextDomid[h.name] ?? h.nextDomid };
  const xenstore: Record<string, Record<string, string>> = {};
  for (const h of Object.values(hostsOut)) {
    xenstore[h.name] = { '/local/domain/0/name': 'Domain-0' };
    for (const d of domains.filter((x) => x.host === h.name)) {
      xenstore[h.name]![`/local/domain/${d.domid}/name`] = d.name;
      // xl created it as the simulation starts
      if (h.toolstack === 'xl') Object.assign(xenstore[h.name]!, { [vmPathKey(d.domid)]: vmPath(d.uuid), [dataKey(d.domid)]: '', [startTimeKey(d.uuid)]: startTimeText(start) });
    }
  }
  if (Object.keys(hostsOut).length === 0) throw new FleetError('the fleet has no host line: add one, e.g. host xen1 mem=8192');
  return { now: start, hosts: hostsOut, domains, drbd, xenstore, migrations: [], domus, bandwidthMiBps: bandwidth, connectDelayMs: connectDelay, nextMigrationId: 1 };
}
