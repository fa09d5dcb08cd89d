import { andList } from '../../shared/text/and-list.js';
import { optionsWithVariables, SETTABLE_VARIABLE, unsetSshVariables, unsetVariableWords } from '../parse/ssh-g-env.js';
import type { ToolRunner } from './exec.js';
import type { ToolFailure } from './tool-failure.js';

/** ssh stops at the first option it cannot expand: one run more for each option that names another */
const MAX_RUNS = 4;

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
    for (const v of found.filter((x) => SETTABLE_VARIABLE.test(x))) markers.set(v, `xenherd-unset-${markers.size}-${v}-7c1e`);
    const again = await run('ssh', ['-G', '--', name], { timeoutMs, env: Object.fromEntries(markers) });
    if (again.ok) dump = again.value.stdout;
    found = again.ok ? [] : unsetSshVariables(again.error.stderr).filter((v) => !unset.includes(v));
    unset.push(...found);
  }
  const options = optionsWithVariables(dump, markers);
  const where = options.length > 0 ? `root's ssh_config gives ${name} ${andList(options.map((o) => `${o.option} ${o.value}`))}` : `an option of root's ssh_config for ${name} names ${andList(unset.map((v) => `\${${v}}`))}`;
  return { ...failure, message: `${[failure.tool, ...failure.args].join(' ')}: exit code ${failure.exitCode ?? ''}: ${where}, and ${unsetVariableWords(unset, options.length, 'ssh stops there')}` };
}
