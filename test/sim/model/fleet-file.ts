import type { DomainState, DomainType, DomuDef, DrbdMajor, DrbdResource, HostState, ReplicaState, RunState, SimState, Toolstack } from './types.js';
import { settleNics } from './nics.js';
import { uuidFor } from './uuid.js';
import { DRBD9_BUILDS } from '../render/proc-drbd.js';
import { renderDomuConfig } from '../render/host-files.js';
import { readCfg } from '../tools/cfg-reader.js';

/**
 * The fleet file: one line per host, domU or option (see test/sim/README.md).
 *   option bandwidth=1024 connect-delay=2000 start=2025-01-01T00:00:00Z
 *   host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.5 drbd=8.4
 *   domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1 type=pvh
 *   resource r1 minor=3 port=7790 two-primaries=yes
 */
export const FLEET_KEYWORDS = ['option', 'host', 'domu', 'resource'] as const;
export const DEFAULT_START = Date.UTC(2025, 0, 1, 0, 0, 0);

export class FleetError extends Error {}

interface Line { readonly no: number; readonly kind: string; readonly name: string; readonly kv: Record<string, string> }

function splitLine(text: string, no: number): Line | null {
  const t = text.replace(/#.*$/, '').trim();
  if (!t) return null;
  const [kind = '', name = '', ...rest] = t.split(/\s+/);
  const kv: Record<string, string> = {};
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FleetError(`line ${no}: expected key=value, got "${item}"`);
    kv[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return { no, kind, name, kv };
}

/** Each line kind's keys, so a misspelt one (memory= for mem=) is named, not silently ignored. */
const KEYS: Readonly<Record<string, readonly string[]>> = {
  host: ['mem', 'cpus', 'toolstack', 'xen', 'drbd', 'dom0mem', 'dom0vcpus', 'dom0cpu', 'overhead', 'power', 'module', 'migrate-tab', 'next-domid'],
  domu: ['mem', 'vcpus', 'home', 'peer', 'drbd', 'running', 'domid', 'state', 'cpu', 'type'],
  resource: ['minor', 'port', 'two-primaries'],
};
const KINDS = ['option', ...Object.keys(KEYS)];

function checkKeys(l: Line): void {
  const known = KEYS[l.kind];
  if (!known) throw new FleetError(`line ${l.no}: unknown keyword "${l.kind}": a line starts with ${KINDS.join(', ')} (lower case)`);
  const bad = Object.keys(l.kv).find((k) => !known.includes(k) && !(l.kind === 'host' && k.startsWith('info.')));
  if (bad !== undefined) throw new FleetError(`line ${l.no}: ${l.kind} ${l.name}: unknown key ${bad}= (a ${l.kind} line takes ${known.join('= ')}=${l.kind === 'host' ? ' info.KEY=' : ''})`);
}

const num = (l: Line, key: string, dflt?: number): number => {
  const v = l.kv[key];
  if (v === undefined) {
    if (dflt === undefined) throw new FleetError(`line ${l.no}: ${l.kind} ${l.name} needs ${key}=`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new FleetError(`line ${l.no}: ${key}=${v} is not a number`);
  return n;
};

const domainType = (l: Line): DomainType | null => {
  const t = l.kv.type;
  if (t === undefined) return null;
  if (t !== 'pv' && t !== 'pvh' && t !== 'hvm') throw new FleetError(`line ${l.no}: type must be pv, pvh or hvm`);
  return t;
};

export function isFleetLine(text: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? '';
  return (FLEET_KEYWORDS as readonly string[]).includes(first);
}

export function parseFleet(text: string): SimState {
  const lines = text.split('\n').map((t, i) => splitLine(t, i + 1)).filter((l): l is Line => l !== null);
  let bandwidth = 1024;
  let connectDelay = 2000;
  let start = DEFAULT_START;
  const hosts: Record<string, HostState> = {};
  const domus: Record<string, DomuDef> = {};
  const drbdOpts: Record<string, Line> = {};
  const running: { def: DomuDef; host: string; line: Line }[] = [];
  for (const l of lines) {
    if (l.kind !== 'option') checkKeys(l);
    switch (l.kind) {
      case 'option':
        // "option" lines carry key=value pairs only; the "name" slot is the first pair
        for (const item of [l.name, ...Object.entries(l.kv).map(([k, v]) => `${k}=${v}`)]) {
          const [k, v = ''] = item.split('=');
          if (k === 'bandwidth') bandwidth = Number(v);
          else if (k === 'connect-delay') connectDelay = Number(v);
          else if (k === 'start') start = Date.parse(v);
          else throw new FleetError(`line ${l.no}: unknown option ${k}`);
        }
        break;
      case 'host': {
        const toolstack = (l.kv.toolstack ?? 'xl') as Toolstack;
        if (toolstack !== 'xl' && toolstack !== 'xm') throw new FleetError(`line ${l.no}: toolstack must be xl or xm`);
        const drbdKv = l.kv.drbd ?? '8.4';
        const drbd: DrbdMajor | null = drbdKv === 'none' ? null : drbdKv.startsWith('9') ? '9' : '8.4';
        if (drbd === '8.4' && drbdKv !== '8.4' && !drbdKv.startsWith('8.4')) throw new FleetError(`line ${l.no}: drbd must be 8.4, 9 or none`);
        if (drbd === '9' && drbdKv !== '9' && !(drbdKv in DRBD9_BUILDS)) {
          throw new FleetError(`line ${l.no}: drbd=${drbdKv}: the sim renders only DRBD 9 versions it has a real capture of (${Object.keys(DRBD9_BUILDS).join(', ')}); write drbd=9`);
        }
        hosts[l.name] = {
          name: l.name,
          totalMiB: num(l, 'mem'),
          dom0MiB: num(l, 'dom0mem', 1024),
          overheadMiB: num(l, 'overhead', 0),
          cpus: num(l, 'cpus', 4),
          dom0Vcpus: num(l, 'dom0vcpus', num(l, 'cpus', 4)),
          info: Object.fromEntries(Object.entries(l.kv).filter(([k]) => k.startsWith('info.')).map(([k, v]) => [k.slice(5), v])),
          power: l.kv.power === 'off' ? 'off' : 'on',
          toolstack,
          xenVersion: l.kv.xen ?? (toolstack === 'xm' ? '4.1.4' : '4.17.5'),
          drbd,
          drbdVersion: drbd === null ? '' : drbdKv.includes('.') && drbdKv.split('.').length === 3 ? drbdKv : drbd === '9' ? '9.0.32-1' : '8.4.11',
          drbdModuleLoaded: drbd !== null && l.kv.module !== 'no',
          nextDomid: num(l, 'next-domid', 1),
          dom0CpuS: num(l, 'dom0cpu', 0),
          // xen=4.17.7 etc.; the lab's build constants can be set per key with info.KEY=VALUE (no spaces)

          migrateTab: l.kv['migrate-tab'] === 'yes',
        };
        break;
      }
      case 'domu': {
        const def: DomuDef = {
          name: l.name,
          memMiB: num(l, 'mem'),
          vcpus: num(l, 'vcpus', 1),
          home: l.kv.home ?? '',
          peer: l.kv.peer ?? null,
          drbd: l.kv.drbd ? l.kv.drbd.split(',') : [],
          type: domainType(l),
        };
        if (!def.home) throw new FleetError(`line ${l.no}: domu ${l.name} needs home=`);
        domus[l.name] = def;
        const on = l.kv.running;
        if (on && on !== 'no') running.push({ def, host: on, line: l });
        break;
      }
      case 'resource':
        drbdOpts[l.name] = l;
        break;
      default:
        checkKeys(l);
    }
  }
  for (const d of Object.values(domus)) {
    for (const h of [d.home, d.peer]) if (h && !hosts[h]) throw new FleetError(`domu ${d.name}: unknown host ${h}`);
  }
  // DRBD resources: one per name used by a domU, replicated on its home and peer
  const drbd: Record<string, DrbdResource> = {};
  let minor = 0;
  for (const d of Object.values(domus)) {
    for (const r of d.drbd) {
      if (drbd[r]) continue;
      if (!d.peer) throw new FleetError(`domu ${d.name}: drbd=${r} needs peer=`);
      const o = drbdOpts[r];
      const m = o ? num(o, 'minor', minor) : minor;
      minor = Math.max(minor, m) + 1;
      const nodes: [string, string] = [d.home, d.peer];
      const replicas: Record<string, ReplicaState> = {};
      for (const n of nodes) if (hosts[n]?.power === 'on' && hosts[n]?.drbdModuleLoaded) replicas[n] = { role: 'Secondary', disk: 'UpToDate' };
      drbd[r] = {
        name: r,
        minor: m,
        port: o ? num(o, 'port', 7788 + m) : 7788 + m,
        nodes,
        replicas,
        link: Object.keys(replicas).length === 2 ? 'connected' : 'connecting',
        standalone: [],
        allowTwoPrimaries: o?.kv['two-primaries'] !== 'no',
      };
    }
  }
  const domains: DomainState[] = [];
  const nextDomid: Record<string, number> = Object.fromEntries(Object.values(hosts).map((h) => [h.name, h.nextDomid]));
  for (const { def, host, line } of running) {
    const h = hosts[host];
    if (!h) throw new FleetError(`line ${line.no}: running=${host}: unknown host`);
    if (h.power === 'off') throw new FleetError(`line ${line.no}: running=${host}: host is off`);
    // xl would refuse to create what does not fit: a fleet that starts one is a typo, not a state
    const used = h.dom0MiB + h.overheadMiB + domains.filter((d) => d.host === host).reduce((n, d) => n + d.memMiB, 0);
    if (used + def.memMiB > h.totalMiB) throw new FleetError(`line ${line.no}: ${def.name} (mem=${def.memMiB}) does not fit on ${host}: ${Math.max(0, h.totalMiB - used)} of its mem=${h.totalMiB} MiB are free (dom0mem=${h.dom0MiB} and the domUs before it take the rest)`);
    const domid = line.kv.domid ? num(line, 'domid') : (nextDomid[host] ?? 1);
    nextDomid[host] = Math.max(nextDomid[host] ?? 1, domid + 1);
    const st = line.kv.state ?? 'b';
    const run: RunState = st === 'r' ? 'running' : st === 'p' ? 'paused' : 'blocked';
    // a domU the fleet file starts is one xl created from the config written for it
    domains.push({ name: def.name, domid, host, memMiB: def.memMiB, vcpus: def.vcpus, run, cpuTimeS: num(line, 'cpu', 0), uuid: uuidFor(def.name), drbd: def.drbd, configPath: `/etc/xen/drbd-auto/${def.name}.cfg`, guest: settleNics(readCfg(renderDomuConfig(def)).guest, def.name) });
    for (const r of def.drbd) {
      const res = drbd[r];
      if (!res) continue;
      if (!res.nodes.includes(host)) throw new FleetError(`line ${line.no}: ${def.name} runs on ${host}, which holds no replica of ${r}`);
      drbd[r] = { ...res, replicas: { ...res.replicas, [host]: { role: 'Primary', disk: 'UpToDate' } } };
    }
  }
  const hostsOut: Record<string, HostState> = {};
  for (const h of Object.values(hosts)) hostsOut[h.name] = { ...h, nextDomid: nextDomid[h.name] ?? h.nextDomid };
  const xenstore: Record<string, Record<string, string>> = {};
  for (const h of Object.values(hostsOut)) {
    xenstore[h.name] = { '/local/domain/0/name': 'Domain-0' };
    for (const d of domains.filter((x) => x.host === h.name)) xenstore[h.name]![`/local/domain/${d.domid}/name`] = d.name;
  }
  if (Object.keys(hostsOut).length === 0) throw new FleetError('fleet has no host');
  return { now: start, hosts: hostsOut, domains, drbd, xenstore, migrations: [], domus, bandwidthMiBps: bandwidth, connectDelayMs: connectDelay, nextMigrationId: 1 };
}
