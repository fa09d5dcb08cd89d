import type { DrbdView } from '../model/drbd-view.js';
import { WrapPrintf as Wrap, type WrapUtils } from './wrap-printf.js';

/**
 * `drbdsetup status` with --verbose and/or --statistics, as drbd-utils 9.22.0 prints it: DRBD 9
 * through user/v9/drbdsetup.c (resource_status, device_status, connection_status,
 * peer_device_status and the print_*_statistics they call), DRBD 8.4 through
 * user/v84/drbdsetup.c (the same shape without node ids, force-io-failures, backing_dev, quorum or
 * in-flight counters; the peer named "peer"). Both print through user/shared/wrap_printf.c, which
 * breaks lines at 80 columns when stdout is no terminal, as under the agent (wrap-printf.ts).
 *
 * `utils: '9.32'` prints as drbd-utils 9.32.0 to 9.34.0 do: the v84 printers are the same, but
 * wrap_printf is the changed one; the v9 printers also say, when verbose, whether the device is
 * open (`open:unknown` from a module that does not report it, as the sim's 9.0.32 does not) and
 * `tls:no` after the peer's role (9.29 and 9.28 added them).
 */
export interface StatusFlags {
  readonly verbose: boolean;
  readonly statistics: boolean;
  /** the drbd-utils release whose printers to imitate; 9.22 when not given */
  readonly utils?: WrapUtils;
}

/**
 * The kernel's counters. The sim does no I/O: a device's size is the sim's (the one `status
 * --json` prints), every other counter 0. Tests comparing lab captures pass the captured ones.
 */
export interface DrbdCounters {
  readonly sizeKiB: number;
  readonly readKiB: number;
  readonly writtenKiB: number;
  readonly alWrites: number;
  readonly bmWrites: number;
  readonly receivedKiB: number;
  readonly sentKiB: number;
  readonly outOfSyncKiB: number;
}
export const SIM_DISK_KIB = 10485436;
export const SIM_COUNTERS: DrbdCounters = { sizeKiB: SIM_DISK_KIB, readKiB: 0, writtenKiB: 0, alWrites: 0, bmWrites: 0, receivedKiB: 0, sentKiB: 0, outOfSyncKiB: 0 };

const nine = (r: DrbdView): { conn: string; repl: string } =>
  r.cstate === 'Connected' ? { conn: 'Connected', repl: 'Established' } : { conn: r.cstate === 'StandAlone' ? 'StandAlone' : 'Connecting', repl: 'Off' };

/** DRBD 9: one resource, one volume (volume 0), one connection. */
export function statusLong9(r: DrbdView, f: StatusFlags, c: DrbdCounters = SIM_COUNTERS): string {
  const w = new Wrap(f.utils);
  const since932 = f.utils === '9.32';
  const { conn, repl } = nine(r);
  w.print(0, r.name);
  if (f.verbose) w.print(4, ` node-id:${r.nodeId}`);
  w.print(4, ` role:${r.role}`);
  if (f.verbose) w.print(4, ' suspended:no');
  if (f.verbose) w.print(4, ' force-io-failures:no');
  if (f.statistics && f.verbose) {
    w.print(4, '\n');
    w.print(4, ' write-ordering:flush');
  }
  w.print(0, '\n');
  const indent = volumeHead(w, f, r);
  // the client: field follows a Diskless disk when verbose or when stdout is no terminal
  if (r.disk === 'Diskless') w.print(indent, ' client:no');
  if (f.verbose) w.print(indent, ` backing_dev:/dev/vg0/${r.name}`);
  if (f.verbose) w.print(indent, ' quorum:yes');
  if (f.verbose && since932) w.print(indent, ' open:unknown');
  if (f.statistics) w.print(6, '\n');
  deviceStatistics(w, f, c);
  w.print(6, '\n');
  w.print(2, r.peer);
  if (f.verbose) w.print(6, ` node-id:${r.peerNodeId}`);
  if (f.verbose || conn !== 'Connected') w.print(6, ` connection:${conn}`);
  if (f.verbose || conn === 'Connected') w.print(6, ` role:${r.peerRole}`);
  if (f.verbose && since932) w.print(6, ' tls:no');
  if (f.verbose) {
    w.print(6, ' congested:no');
    w.print(6, ' ap-in-flight:0');
    w.print(6, ' rs-in-flight:0');
  }
  w.print(0, '\n');
  if (f.verbose || f.statistics || conn === 'Connected') peerDevice(w, f, c, { repl, showRepl: f.verbose, peerDisk: r.peerDisk, peerClient: true });
  w.print(0, '\n');
  return w.out;
}

/**
 * DRBD 8.4: the kernel reports a peer device's replication as max(WFReportParams, cstate), which
 * drbd_repl_str9 prints as Off (Established when Connected); drbd_conn_str9 names WFConnection
 * Connecting. A StandAlone connection has no peer address and is not listed (lab capture 20).
 */
export function statusLong84(r: DrbdView, f: StatusFlags, c: DrbdCounters = SIM_COUNTERS): string {
  const w = new Wrap(f.utils);
  w.print(0, r.name);
  w.print(4, ` role:${r.role}`);
  if (f.verbose) w.print(4, ' suspended:no');
  if (f.statistics && f.verbose) {
    w.print(4, '\n');
    w.print(4, ' write-ordering:flush');
  }
  w.print(0, '\n');
  volumeHead(w, f, r);
  if (f.statistics) w.print(6, '\n');
  deviceStatistics(w, f, c);
  w.print(6, '\n');
  if (r.cstate !== 'StandAlone') {
    const connected = r.cstate === 'Connected';
    w.print(2, 'peer');
    if (f.verbose || !connected) w.print(6, ` connection:${connected ? 'Connected' : 'Connecting'}`);
    if (f.verbose || connected) w.print(6, ` role:${r.peerRole}`);
    if (f.verbose) w.print(6, ' congested:no');
    w.print(0, '\n');
    const repl = connected ? 'Established' : 'Off';
    if (f.verbose || f.statistics || connected) peerDevice(w, f, c, { repl, showRepl: f.verbose || connected, peerDisk: r.peerDisk, peerClient: false });
  }
  w.print(0, '\n');
  return w.out;
}

/** print_device_statistics (the same in v84 and v9 for what the sim holds) */
/**
 * device_status's opening, the same in both printers: "volume:" and the minor only when verbose
 * (one device, volume 0), then the disk. Returns the indent the device's further fields take.
 */
function volumeHead(w: Wrap, f: StatusFlags, r: DrbdView): number {
  let indent = 2;
  if (f.verbose) {
    w.print(indent, 'volume:0');
    indent = 6;
    w.print(indent, ` minor:${r.minor}`);
  }
  w.print(indent, ` disk:${r.disk}`);
  return indent;
}

function deviceStatistics(w: Wrap, f: StatusFlags, c: DrbdCounters): void {
  if (f.statistics) {
    if (f.verbose) w.print(6, ` size:${c.sizeKiB}`);
    w.print(6, ` read:${c.readKiB}`);
    w.print(6, ` written:${c.writtenKiB}`);
    if (f.verbose) {
      for (const [k, v] of [['al-writes', c.alWrites], ['bm-writes', c.bmWrites], ['upper-pending', 0], ['lower-pending', 0]] as const) w.print(6, ` ${k}:${v}`);
      w.print(6, ' al-suspended:no');
    }
  }
  if (f.verbose) w.print(6, ' blocked:no');
}

/**
 * peer_device_status: replication when verbose or past Established (on 8.4 a connected peer
 * device reports C_CONNECTED, past WFReportParams, so it always shows); the peer's disk when
 * verbose, with statistics, or while replicating or known; peer-client after a Diskless peer
 * disk on 9 only (v84 has no such field), since stdout is no terminal.
 */
interface PeerDeviceLine {
  readonly repl: string;
  readonly showRepl: boolean;
  readonly peerDisk: string;
  readonly peerClient: boolean;
}
function peerDevice(w: Wrap, f: StatusFlags, c: DrbdCounters, { repl, showRepl, peerDisk, peerClient }: PeerDeviceLine): void {
  let indent = 4;
  if (f.verbose) {
    w.print(indent, 'volume:0');
    indent = 8;
  }
  if (showRepl) {
    w.print(indent, ` replication:${repl}`);
    indent = 8;
  }
  if (f.verbose || f.statistics || repl !== 'Off' || peerDisk !== 'DUnknown') {
    w.print(indent, ` peer-disk:${peerDisk}`);
    if (peerDisk === 'Diskless' && peerClient) w.print(indent, ' peer-client:no');
    indent = 8;
    if (f.verbose) w.print(indent, ' resync-suspended:no');
    if (f.statistics) {
      w.print(indent, '\n');
      w.print(indent, ` received:${c.receivedKiB}`);
      w.print(indent, ` sent:${c.sentKiB}`);
      if (f.verbose || c.outOfSyncKiB) w.print(indent, ` out-of-sync:${c.outOfSyncKiB}`);
      if (f.verbose) {
        w.print(indent, ' pending:0');
        w.print(indent, ' unacked:0');
      }
    }
  }
  w.print(0, '\n');
}
