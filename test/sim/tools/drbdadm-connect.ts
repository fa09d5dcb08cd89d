import type { HostDrbdView } from '../model/drbd-view.js';
import { hostAddress } from '../model/host-address.js';
import type { DrbdResource } from '../model/types.js';
import { adminConnect, adminDisconnect } from '../ops/drbd-connect.js';
import type { OpResult } from '../ops/result.js';
import type { ToolCtx } from './context.js';

/**
 * `drbdadm connect [--discard-my-data] RES` and `drbdadm disconnect RES`: silent, exit 0, when the
 * kernel agrees (lab captures 19 and 21). A refusal is drbdsetup's print_config_error line
 * ("OBJ: Failure: (N) TEXT", exit 10, then the kernel's info text under "additional info from
 * kernel:"), and drbdadm's m_system_ex adds the drbdsetup command line it ran.
 */

/** drbdsetup's print_config_error words for the kernel's ERR_* codes (user/v84 and user/v9 drbdsetup.c error_messages) */
const FAILURE = {
  localAddr: { code: 102, text: 'Local address(port) already in use.' },
  discardImpossible: { code: 123, text: '--discard-my-data not allowed when primary.' },
  netConfigured: { code: 125, text: 'Device has a net-config (use disconnect first)' },
  resNotKnown: { code: 158, text: 'Unknown resource', info: 'unknown resource' },
  invalidRequest: { code: 162, text: 'Invalid configuration request', info: 'unknown connection' },
} as const;
type Failure = (typeof FAILURE)[keyof typeof FAILURE];

/**
 * The drbdsetup command line drbdadm runs. 8.4 (user/v84/drbdadm_main.c): connect names the
 * resource and both endpoints, then the `.res` file's net options as make_options spells them
 * (`protocol C;` → --protocol=C, `allow-two-primaries yes;` → --allow-two-primaries=yes), then the
 * options given to drbdadm (add_setup_options); disconnect names only the endpoints
 * (adm_disconnect). 9 (user/v9/drbdadm_main.c adm_connect, __adm_drbdsetup): the resource and the
 * peer's node id, then the options given.
 */
export function drbdsetupConnectLine(v: HostDrbdView, r: DrbdResource, addressOf: (host: string) => string, host: string, cmd: 'connect' | 'disconnect', discard: boolean): string {
  const peer = r.nodes[0] === host ? r.nodes[1] : r.nodes[0];
  const given = cmd === 'connect' && discard ? ' --discard-my-data' : '';
  if (v.major === '9') return `drbdsetup ${cmd} ${r.name} ${r.nodes.indexOf(peer)}${given}`;
  const ends = `ipv4:${addressOf(host)}:${r.port} ipv4:${addressOf(peer)}:${r.port}`;
  if (cmd === 'disconnect') return `drbdsetup-84 disconnect ${ends}`;
  return `drbdsetup-84 connect ${r.name} ${ends} --protocol=C${r.allowTwoPrimaries ? ' --allow-two-primaries=yes' : ''}${given}`;
}

/**
 * One resource. Not up: the kernel knows no such resource (drbd_adm_prepare: "unknown resource",
 * ERR_RES_NOT_KNOWN), except 8.4's disconnect, which looks the connection up by its endpoints
 * and finds none ("unknown connection", ERR_INVALID_REQUEST), as it does for a StandAlone one
 * (lab capture 21). 8.4's disconnect sets no resource name, so print_config_error names "??".
 */
export function connectOne(ctx: ToolCtx, v: HostDrbdView, name: string, cmd: 'connect' | 'disconnect', discard: boolean, up: boolean): number {
  const s = ctx.state();
  const r = s.drbd[name]!;
  const line = drbdsetupConnectLine(v, r, (h) => hostAddress(s, h), ctx.host, cmd, discard);
  const objname = v.major === '8.4' && cmd === 'disconnect' ? '??' : name;
  const refuse = (f: Failure): number => {
    const info = 'info' in f ? `additional info from kernel:\n${f.info}\n` : '';
    ctx.err(`${objname}: Failure: (${f.code}) ${f.text}\n${info}Command '${line}' terminated with exit code 10\n`);
    return 10;
  };
  if (!up) return refuse(v.major === '8.4' && cmd === 'disconnect' ? FAILURE.invalidRequest : FAILURE.resNotKnown);
  const res: OpResult = ctx.apply(cmd, (st) => (cmd === 'connect' ? adminConnect(st, name, ctx.host, discard) : adminDisconnect(st, name, ctx.host)));
  if (res.ok || res.error.kind !== 'drbd-connect') return 0;
  switch (res.error.reason) {
    // drbd_adm_connect: 8.4 first finds this end's address in use by its own connection; 9 checks the state
    case 'not-standalone': return refuse(v.major === '8.4' ? FAILURE.localAddr : FAILURE.netConfigured);
    case 'discard-while-primary': return refuse(FAILURE.discardImpossible);
    // conn_try_disconnect: 9 takes SS_ALREADY_STANDALONE for success; 8.4 cannot find the connection
    case 'already-standalone': return v.major === '9' ? 0 : refuse(FAILURE.invalidRequest);
  }
}

/**
 * No DRBD module: drbdsetup's modprobe_drbd fails and says so; drbdsetup then lets "disconnect"
 * succeed ("down" succeeds even if drbd is missing, its main() in v84 and v9), and refuses
 * "connect" with 20, which drbdadm reports with the command line.
 */
export function noModule(ctx: ToolCtx, v: HostDrbdView, name: string, cmd: 'connect' | 'disconnect', discard: boolean, message: string): number {
  if (cmd === 'disconnect') return ctx.err(message), 0;
  const s = ctx.state();
  const line = drbdsetupConnectLine(v, s.drbd[name]!, (h) => hostAddress(s, h), ctx.host, cmd, discard);
  ctx.err(`${message}Command '${line}' terminated with exit code 20\n`);
  return 20;
}
