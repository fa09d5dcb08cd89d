/**
 * OpenSSH expands `${VAR}` from its environment in some options before it connects, and before
 * `ssh -G` prints them (OpenSSH 9.2 ssh.c: ControlPath, IdentityAgent, ForwardAgent's socket and
 * UserKnownHostsFile, through misc.c percent_dollar_expand). A variable that is not set stops ssh
 * there, naming the variable but not the option: "vdollar_percent_expand: env var ${X} has no
 * value", then "invalid environment variable expansion", exit 255.
 */

/** The variables ssh's stderr says have no value, each once, in the order said. */
export function unsetSshVariables(stderr: string): string[] {
  const names = [...stderr.matchAll(/env var \$\{([^}\n]*)\} has no value/g)].map((m) => m[1] ?? '');
  return [...new Set(names.filter((n) => n !== ''))];
}

/** ssh_config's own spelling of the options OpenSSH 9.2 expands `${VAR}` in, by `ssh -G`'s key */
const SPELLED: Readonly<Record<string, string>> = {
  controlpath: 'ControlPath',
  identityagent: 'IdentityAgent',
  forwardagent: 'ForwardAgent',
  userknownhostsfile: 'UserKnownHostsFile',
};

/** One option of the dump that holds a variable, as ssh_config spells it and as written there. */
export interface OptionWithVariable {
  readonly option: string;
  readonly variable: string;
  readonly value: string;
}

/**
 * The options of an `ssh -G` dump, made with each variable of MARKERS set to its marker, that
 * hold a marker: each said as ssh_config spells the option, its value with `${VAR}` put back.
 */
export function optionsWithVariables(stdout: string, markers: ReadonlyMap<string, string>): OptionWithVariable[] {
  const found: OptionWithVariable[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^([a-z0-9]+) (.*)$/.exec(line.replace(/\r$/, ''));
    if (m === null) continue;
    const key = m[1] ?? '';
    let value = m[2] ?? '';
    const held = [...markers].filter(([, marker]) => value.includes(marker));
    for (const [variable, marker] of held) value = value.split(marker).join(`\${${variable}}`);
    for (const [variable] of held) found.push({ option: SPELLED[key] ?? key, variable, value });
  }
  return found;
}
