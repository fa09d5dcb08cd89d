/**
 * The line xenherdctl prints when a program it runs with the terminal attached (ssh for `ssh
 * NAME`, a roll's reboot command) could not be started. Node's "spawn ssh ENOENT" names no fix;
 * the operator needs to know the program is missing and which package brings it: the controller's
 * package only recommends openssh-client, so a machine installed without recommends has no ssh.
 */
export function spawnFailureLine(cmd: string, error: { readonly message: string; readonly code?: string | undefined }): string {
  if (error.code !== 'ENOENT') return `xenherdctl: cannot run ${cmd}: ${error.message}`;
  const fix = cmd === 'ssh' ? ': install openssh-client (apt install openssh-client)' : ': install it, or give its full path';
  return `xenherdctl: cannot run ${cmd}: no such program on PATH${fix}`;
}
