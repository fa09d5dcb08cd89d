import { andList } from '../../shared/text/and-list.js';
import { optionsWithVariables, unsetSshVariables, type OptionWithVariable } from '../parse/ssh-g-env.js';
import type { ToolRunner } from './exec.js';
import type { ToolFailure } from './tool-failure.js';

/** ssh stops at the first option it cannot expand: one run more for each option that names another */
const MAX_RUNS = 4;
/** a name the environment can carry; another is said, not set */
const SETTABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `ssh -G NAME` refused for a `${VAR}` it found no value for (parse/ssh-g-env.ts). `xl migrate`
 * runs root's ssh with this process's environment, as the route check ran `ssh -G`, so that ssh
 * stops there too and the migration fails. ssh names the variable, not the option: `ssh -G` is run
 * again with each such variable set to a marker, and the options whose values hold one are named.
 * FAILURE is the first run's, its message replaced.
 */
export async function unsetVariablesExplained(run: ToolRunner, name: string, failure: ToolFailure, timeoutMs: number): Promise<ToolFailure> {
  const markers = new Map<string, string>();
  let found = unsetSshVariables(failure.stderr);
  const unset = [...found];
  let dump = '';
  for (let i = 0; i < MAX_RUNS && found.length > 0; i++) {
    for (const v of found.filter((x) => SETTABLE.test(x))) markers.set(v, `xenherd-unset-${markers.size}-${v}-7c1e`);
    const again = await run('ssh', ['-G', '--', name], { timeoutMs, env: Object.fromEntries(markers) });
    if (again.ok) dump = again.value.stdout;
    found = again.ok ? [] : unsetSshVariables(again.error.stderr).filter((v) => !unset.includes(v));
    unset.push(...found);
  }
  const options = optionsWithVariables(dump, markers);
  const where = options.length > 0 ? `root's ssh_config gives ${name} ${andList(options.map((o) => `${o.option} ${o.value}`))}` : `an option of root's ssh_config for ${name} names ${andList(unset.map((v) => `\${${v}}`))}`;
  return { ...failure, message: `${[failure.tool, ...failure.args].join(' ')}: exit code ${failure.exitCode ?? ''}: ${where}, and ${unsetWords(unset, options.length, 'ssh stops there')}` };
}

/**
 * `ssh -G NAME` printed IdentityFile or CertificateFile with a `${VAR}` this process's environment,
 * which `xl migrate`'s ssh gets, does not set (parse/ssh-g-env.ts): that ssh connects and then
 * stops. Said as a failure of that `ssh -G` run (ARGS), as the route cannot be used.
 */
export function unsetOnceConnected(name: string, args: readonly string[], stdout: string, options: readonly OptionWithVariable[]): ToolFailure {
  const unset = [...new Set(options.map((o) => o.variable))];
  const held = [...new Set(options.map((o) => `${o.option} ${o.value}`))];
  return {
    code: 'XH_ERR_TOOL_FAILED',
    tool: 'ssh',
    args,
    exitCode: 0,
    signal: null,
    stdout,
    stderr: '',
    message: `${['ssh', ...args].join(' ')}: root's ssh_config gives ${name} ${andList(held)}, which ssh expands only once connected, and ${unsetWords(unset, held.length, 'ssh stops there after connecting')}`,
  };
}

/** the end of a refusal for UNSET variables held by COUNT options: why it fails and the fix */
function unsetWords(unset: readonly string[], count: number, stops: string): string {
  const vars = andList(unset.map((v) => `\${${v}}`));
  const plain = unset.length === 1 ? `${unset[0] ?? ''} is` : `${andList(unset)} are`;
  const home = unset.includes('HOME') ? ' (systemd sets HOME for a service only when its unit sets User=)' : '';
  const fix = unset.every((v) => SETTABLE.test(v)) ? `, or set ${andList(unset)} for the agent (systemd: Environment= in a drop-in for xenherd-agent.service)` : '';
  return (
    `${plain} not set in the environment \`xl migrate\`'s ssh gets from this process${home}: ${stops} ("invalid environment variable expansion") and the migration would fail; ` +
    `fix: write ${count === 1 ? 'that option' : 'those options'} without ${vars} in root's ssh_config (\`~/\` and \`%d\` name root's home without the environment)${fix}`
  );
}
