import { drbdViewFor, sameDrbdView, type DrbdView, type HostDrbdView } from '../model/drbd-view.js';
import { setRole } from '../ops/drbd.js';
import { cstate84, dstate84, role84, status84 } from '../render/drbd-84.js';
import { statusLong84, statusLong9 } from '../render/drbd-status-long.js';
import { conn9, status9, statusJson9 } from '../render/drbd-9.js';
import { eventObjects, eventSteps, renderEventsDiff, renderEventsDump, timestampPrefix, type EventObject } from '../render/events2.js';
import type { ToolCtx, ToolHandler } from './context.js';
import { connectOne, noModule } from './drbdadm-connect.js';
import { diskOne } from './drbdadm-disk.js';

/**
 * `drbdadm` and `drbdsetup`. On an 8.4 host drbdadm hands off to drbdadm-84/drbdsetup-84 (errors
 * name "drbdsetup-84 CMD MINOR"); on 9 the objects are resources and connections are named after peers.
 */
/** drbdsetup-84's usage text, printed on stdout after an unknown option (lab capture 02-unknown-names). */
const DRBDSETUP_84_USAGE = [
  '', 'USAGE: drbdsetup command device arguments options', '', 'Device is usually /dev/drbdX or /dev/drbd/X.', '', 'Commands are:',
  '    primary             secondary           attach              ',
  '    disk-options        detach              connect             ',
  '    net-options         disconnect          resize              ',
  '    resource-options    new-current-uuid    invalidate          ',
  '    invalidate-remote   pause-sync          resume-sync         ',
  '    suspend-io          resume-io           outdate             ',
  '    verify              down                state               ',
  '    role                sh-status           cstate              ',
  '    dstate              show-gi             get-gi              ',
  '    show                status              check-resize        ',
  '    events              events2             wait-connect        ',
  '    wait-sync           new-resource        new-minor           ',
  '    del-minor           del-resource        ',
  '', "To get more details about a command issue 'drbdsetup help cmd'.", '', '',
].join('\n');
/**
 * No DRBD module (module=no): drbdsetup first runs `modprobe drbd` when /proc/drbd is missing
 * (modprobe_drbd, v84 and v9), so what it says is that the module cannot be loaded; drbdadm adds
 * the command line it ran (test/fixtures/drbd/stderr/84-could-not-stat-proc-drbd.txt).
 */
const NO_MODULE = 'Could not stat /proc/drbd: No such file or directory\nMake sure that the DRBD kernel module is installed and can be loaded!\n';
/** the drbdsetup command line drbdadm reports: 8.4's status takes the resource, its other commands the minor */
const drbdsetupLine = (v: HostDrbdView, cmd: string, name: string, minor: number): string =>
  v.major === '8.4' ? `drbdsetup-84 ${cmd} ${cmd === 'status' ? name : minor}` : `drbdsetup ${cmd} ${name}`;

function view(ctx: ToolCtx): HostDrbdView | null {
  return drbdViewFor(ctx.state(), ctx.host);
}

function pick(ctx: ToolCtx, v: HostDrbdView, name: string): DrbdView | 'not-configured' | 'down' {
  if (!v.configured.includes(name)) return 'not-configured';
  return v.resources.find((r) => r.name === name) ?? 'down';
}

function downError(ctx: ToolCtx, v: HostDrbdView, name: string, cmd: string): number {
  const minor = ctx.state().drbd[name]?.minor ?? 0;
  if (v.major === '8.4' && cmd === 'status') ctx.err(`${name}: No such resource\nCommand 'drbdsetup-84 status ${name}' terminated with exit code 10\n`);
  else if (v.major === '8.4') ctx.err(`${minor}: Failure: (127) Device minor not allocated\nadditional info from kernel:\nunknown minor\nCommand 'drbdsetup-84 ${cmd} ${minor}' terminated with exit code 10\n`);
  else ctx.err(`${name}: No such resource\nCommand 'drbdsetup ${cmd} ${name}' terminated with exit code 10\n`);
  return 10;
}

export const drbdadm: ToolHandler = async (ctx, argv) => {
  const args = argv.filter((a) => !a.startsWith('-'));
  const [cmd = '', ...names] = args;
  const v = view(ctx);
  if (!v) return ctx.err('drbdadm: command not found\n'), 127;
  const targets = names.length === 0 || names.includes('all') ? (cmd === 'status' ? v.configured.filter((n) => v.resources.some((r) => r.name === n)) : v.configured) : names;
  if (!['role', 'cstate', 'dstate', 'status', 'primary', 'secondary', 'connect', 'disconnect', 'attach', 'detach'].includes(cmd)) return ctx.err(`drbdadm: Unknown command '${cmd}'\n`), 1;
  if (cmd === 'connect' || cmd === 'disconnect') return connectAll(ctx, v, targets, cmd, argv.includes('--discard-my-data'));
  const first = names.length === 0 || names.includes('all') ? v.configured[0] : names[0];
  if (!v.loaded && first !== undefined && v.configured.includes(first)) {
    ctx.err(`${NO_MODULE}Command '${drbdsetupLine(v, cmd, first, ctx.state().drbd[first]?.minor ?? 0)}' terminated with exit code 20\n`);
    return 20;
  }
  if (cmd === 'status' && targets.length === 0 && v.major === '9') return ctx.out('# No currently configured DRBD found.\n'), 0;
  let rc = 0;
  for (const name of targets) {
    const r = pick(ctx, v, name);
    if (r === 'not-configured') {
      ctx.err(`'${name}' not defined in your config (for this host).\n`);
      return 1;
    }
    if (r === 'down') {
      rc = Math.max(rc, downError(ctx, v, name, cmd));
      continue;
    }
    switch (cmd) {
      case 'role': ctx.out(v.major === '8.4' ? role84(r) : `${r.role}\n`); break;
      case 'cstate': ctx.out(v.major === '8.4' ? cstate84(r) : `${conn9(r)}\n`); break;
      case 'dstate': ctx.out(dstate84(r)); break;
      case 'status': ctx.out(v.major === '8.4' ? status84(r) : status9(r)); break;
      case 'attach':
      case 'detach': rc = Math.max(rc, diskOne(ctx, v, name, cmd)); break;
      default: {
        const res = ctx.apply(cmd, (s) => setRole(s, name, ctx.host, cmd === 'primary' ? 'Primary' : 'Secondary'));
        if (!res.ok && res.error.kind === 'drbd-state') {
          const e = res.error;
          // print_config_error: 17 when no disk is UpToDate (SS_NO_UP_TO_DATE_DISK), else 11
          const code = e.code === -2 ? 17 : 11;
          ctx.err(v.major === '8.4'
            ? `${e.minor}: State change failed: (${e.code}) ${e.text}\nCommand 'drbdsetup-84 ${cmd} ${e.minor}' terminated with exit code ${code}\n`
            : `${name}: State change failed: (${e.code}) ${e.text}\nCommand 'drbdsetup ${cmd} ${name}' terminated with exit code ${code}\n`);
          rc = Math.max(rc, code);
        }
      }
    }
  }
  return rc;
};

/** connect/disconnect, resource by resource as drbdadm iterates them; an unknown name stops it there (as above) */
function connectAll(ctx: ToolCtx, v: HostDrbdView, targets: readonly string[], cmd: 'connect' | 'disconnect', discard: boolean): number {
  let rc = 0;
  for (const name of targets) {
    const r = pick(ctx, v, name);
    if (r === 'not-configured') return ctx.err(`'${name}' not defined in your config (for this host).\n`), 1;
    const code = v.loaded ? connectOne(ctx, v, name, cmd, discard, r !== 'down') : noModule(ctx, v, name, cmd, discard, NO_MODULE);
    rc = Math.max(rc, code);
  }
  return rc;
}

async function events2(ctx: ToolCtx, flags: Set<string>, only: string | null): Promise<number> {
  const ts = (): string => (flags.has('--timestamps') ? timestampPrefix(ctx.state().now) : '');
  const mine = (o: EventObject): boolean => only === null || o.key.split(' ')[1] === `name:${only}`;
  let last = view(ctx);
  let shown = eventObjects(last).filter(mine);
  ctx.out(renderEventsDump(shown, ts()));
  if (flags.has('--now')) return 0;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((res) => (finish = res));
  const unsubscribe = ctx.subscribe((_before, after) => {
    if (after.hosts[ctx.host]?.power !== 'on') return finish(255);
    const next = view(ctx);
    // a view as it was prints nothing (no step, no change): most commits of a fleet are another Dom0's
    if (sameDrbdView(last, next)) return void (last = next);
    let text = '';
    for (const step of eventSteps(last, next)) {
      if ('lines' in step) {
        if (only === null || step.resource === only) text += step.lines.map((l) => `${ts()}${l}\n`).join('');
        continue;
      }
      const objs = step.objects.filter(mine);
      text += renderEventsDiff(shown, objs, ts());
      shown = objs;
    }
    last = next;
    if (text) ctx.out(text);
  });
  void ctx.closed.then(() => finish(0));
  const code = await done;
  unsubscribe();
  return code;
}

export const drbdsetup: ToolHandler = async (ctx, argv) => {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const [cmd = '', name] = argv.filter((a) => !a.startsWith('-'));
  const v = view(ctx);
  if (!v) return ctx.err('drbdsetup: command not found\n'), 127;
  if (!v.loaded) return ctx.err(NO_MODULE), 20;
  const only = name && name !== 'all' ? name : null;
  if (cmd === 'events2') return events2(ctx, flags, only);
  if (cmd !== 'status') return ctx.err(`drbdsetup: unknown command '${cmd}'\n`), 20;
  if (flags.has('--json') && v.major === '8.4') return ctx.out(DRBDSETUP_84_USAGE), ctx.err("status: unrecognized option '--json'\n"), 20;
  const rs = v.resources.filter((r) => only === null || r.name === only);
  if (only !== null && rs.length === 0) return ctx.err(`${only}: No such resource\n`), 10;
  if (flags.has('--json') || flags.has('-j')) return ctx.out(statusJson9(rs)), 0;
  if (rs.length === 0 && v.major === '9') return ctx.out('# No currently configured DRBD found.\n'), 0;
  // status_cmd's getopt: -v/--verbose, -s/--statistics (or -vs), in any order around the resource name
  const letters = [...flags].filter((f) => /^-[a-z]+$/.test(f)).join('');
  const long = { verbose: flags.has('--verbose') || letters.includes('v'), statistics: flags.has('--statistics') || letters.includes('s') };
  ctx.out(rs.map((r) => (v.major === '8.4' ? statusLong84(r, long) : statusLong9(r, long))).join(''));
  return 0;
};
