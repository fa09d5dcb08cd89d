/**
 * The name OpenSSH looks a host's key up under first in known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE
 * FORMAT; ssh's put_host_port): the host alone at port 22, else `[host]:port`, what `ssh-keyscan
 * -p` writes. At another port ssh reads the bare host's lines (port 22's key) only when no line
 * lists a key under `[host]:port` (agent/adapters/known-hosts.ts keysAtPort); `ssh-keygen -F
 * '[10.0.0.2]:2222'` shows the first lookup alone.
 */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);
