import { andList } from '../../shared/text/and-list.js';

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
  identityfile: 'IdentityFile',
  certificatefile: 'CertificateFile',
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

/**
 * IdentityFile and CertificateFile are expanded only once ssh has connected, as it loads the keys
 * (OpenSSH 9.2 ssh.c load_public_identity_files): `ssh -G` prints them as written, `${VAR}` and
 * all, and succeeds where the `ssh` of `xl migrate` then stops, after the TCP connect, with "env var
 * ${X} has no value" and "invalid environment variable expansion".
 */
const EXPANDED_ONCE_CONNECTED = /^(identityfile|certificatefile) (.*)$/;

/** The `${VAR}`s of an `ssh -G` dump's IdentityFile and CertificateFile lines, each with its option. */
export function variablesExpandedOnceConnected(stdout: string): OptionWithVariable[] {
  const found: OptionWithVariable[] = [];
  for (const line of stdout.split('\n')) {
    const m = EXPANDED_ONCE_CONNECTED.exec(line.replace(/\r$/, ''));
    if (m === null) continue;
    const value = m[2] ?? '';
    // ssh reads a variable's name up to the first `}` (misc.c vdollar_percent_expand)
    for (const v of value.matchAll(/\$\{([^}]*)\}/g)) found.push({ option: SPELLED[m[1] ?? ''] ?? '', variable: v[1] ?? '', value });
  }
  return found;
}

/** a name the environment can carry; another is said, not set */
export const SETTABLE_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The end of a refusal for UNSET variables held by COUNT options of root's ssh_config: that
 * `xl migrate`'s ssh gets none of them, STOPS (where ssh stops), and the fix.
 */
export function unsetVariableWords(unset: readonly string[], count: number, stops: string): string {
  const vars = andList(unset.map((v) => `\${${v}}`));
  const plain = unset.length === 1 ? `${unset[0] ?? ''} is` : `${andList(unset)} are`;
  const home = unset.includes('HOME') ? ' (systemd sets HOME for a service only when its unit sets User=)' : '';
  const fix = unset.every((v) => SETTABLE_VARIABLE.test(v)) ? `, or set ${andList(unset)} for the agent (systemd: Environment= in a drop-in for xenherd-agent.service)` : '';
  return (
    `${plain} not set in the environment \`xl migrate\`'s ssh gets from this process${home}: ${stops} ("invalid environment variable expansion") and the migration would fail; ` +
    `fix: write ${count === 1 ? 'that option' : 'those options'} without ${vars} in root's ssh_config (\`~/\` and \`%d\` name root's home without the environment)${fix}`
  );
}
