import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import { DomainsAnswerSchema, HostsAnswerSchema, StatusAnswerSchema } from '../../../shared/protocol/ctl-api.js';
import { begin, fail, wantsJson, type CtlHooks } from '../context.js';
import { optionValue } from '../options.js';
import { alertsBlock, domainsTable, hostsTable } from '../render-hosts.js';

async function hosts(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [0, 0], 'hosts [--json]');
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const r = await inv.value.client.get('/hosts', HostsAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) io.stdout(`${JSON.stringify(r.value)}\n`);
  else io.stdout(r.value.hosts.length === 0 ? 'no Dom0 has reported to the controller yet (xenherd-controller enroll HOST)\n' : hostsTable(r.value.hosts));
  return 0;
}

async function domains(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'host', takesValue: true }], [0, 0], 'domains [--host HOST] [--json]');
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const host = optionValue(inv.value.args, 'host');
  if (host !== undefined && !HOST_NAME_RE.test(host)) return fail({ code: 'XH_ERR_USAGE', message: `--host ${JSON.stringify(host)} is not a host name` }, io, inv.value.json);
  const r = await inv.value.client.get(host === undefined ? '/domains' : `/domains?host=${encodeURIComponent(host)}`, DomainsAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) io.stdout(`${JSON.stringify(r.value)}\n`);
  else io.stdout(r.value.domains.length === 0 ? 'no domains reported\n' : domainsTable(r.value.domains));
  return 0;
}

async function status(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [0, 0], 'status [--json]');
  if (!inv.ok) return fail(inv.error, io, wantsJson(argv));
  const r = await inv.value.client.get('/status', StatusAnswerSchema);
  if (!r.ok) return fail(r.error, io, inv.value.json);
  if (inv.value.json) {
    io.stdout(`${JSON.stringify(r.value)}\n`);
    return 0;
  }
  const s = r.value.summary;
  io.stdout(
    [
      alertsBlock(r.value.alerts, hooks.clock.now()),
      `fleet: ${s.hosts} hosts (${s.reachable} reachable, ${s.unreachable} unreachable), ${s.domus} domUs running, ${s.midMigration} migrating, ${s.inMaintenance} hosts not online\n\n`,
      hostsTable(r.value.hosts),
    ].join(''),
  );
  return 0;
}

export const hostsCommand = (hooks: CtlHooks): Command => ({
  name: 'hosts',
  summary: 'List the Dom0s reporting to the controller: reachable or not, last seen, maintenance, memory.',
  usage: 'hosts [--json]',
  help: [
    'Lists the Dom0s whose agents report to the controller: reachable (link up, heard from within the',
    "controller's staleAfter) or not, when last heard from, maintenance state, free/total memory, how many",
    'domains and homes they report, boot id and agent version.',
    '',
    'usage: xenherdctl hosts [--json]',
    '',
  ].join('\n'),
  run: (argv, io) => hosts(argv, io, hooks),
});

export const domainsCommand = (hooks: CtlHooks): Command => ({
  name: 'domains',
  summary: 'List every domain the Dom0s report (or those of one --host), with its home and freshness.',
  usage: 'domains [--host HOST] [--json]',
  help: [
    'Lists every domain the Dom0s report (or only those of HOST): state, migration row, memory, vcpus,',
    'home, and how old the report is (STALE: host unreachable or unheard for more than 30 s).',
    '',
    'usage: xenherdctl domains [--host HOST] [--json]',
    'exit: 0; 1 when no agent of HOST has reported',
    '',
  ].join('\n'),
  run: (argv, io) => domains(argv, io, hooks),
});

export const statusCommand = (hooks: CtlHooks): Command => ({
  name: 'status',
  summary: 'Summarize the fleet: alerts first (conflicts no single Dom0 sees), then the hosts.',
  usage: 'status [--json]',
  help: [
    'Summarizes the fleet. Alerts come first: conflicts no single Dom0 can see (a domU running on two',
    'hosts, a home claimed by two Dom0s, a DRBD resource Primary on both nodes outside a migration, a',
    'ledger saying a domU is away at a host that does not run it), and migrations whose ending nobody',
    'knows (one that ended in an ALARM stays until xenherd-agent reconcile NAME on its Dom0). Then the',
    'counts and the hosts.',
    '',
    'usage: xenherdctl status [--json]',
    '',
  ].join('\n'),
  run: (argv, io) => status(argv, io, hooks),
});
