/**
 * The name OpenSSH looks a host's key up under in known_hosts (sshd(8) SSH_KNOWN_HOSTS FILE
 * FORMAT; ssh's put_host_port): the host alone at port 22, else only `[host]:port`. A key listed
 * under the bare host is the key of the sshd at port 22; ssh to another port of that host does
 * not take it (`ssh-keygen -F '[10.0.0.2]:2222'` finds no `10.0.0.2 KEY` line either).
 */
export const knownHostsName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);
