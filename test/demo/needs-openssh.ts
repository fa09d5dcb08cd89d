// Both demo stories move domUs, and every migration goes through OpenSSH: the agent asks the
// peer's `migrate2` forced command before it moves anything (the demo starts its own sshd on
// 127.0.0.1 for it). Without OpenSSH a story would stop halfway with a key error, so the demo
// says what is missing before it starts anything.
import { existsSync } from 'node:fs';
import { SSH_TOOLS } from '../ssh/sshd.js';

/** The OpenSSH programs that EXISTS says are missing (SSH_TOOLS: sshd, ssh, ssh-keygen). */
export const missingSshTools = (exists: (path: string) => boolean = existsSync): string[] => SSH_TOOLS.filter((p) => !exists(p));

/** The line the demo prints on stderr when MISSING is not empty; exit with XH_ERR_TOOL_NOT_FOUND's 69. */
export const needsOpenSshMessage = (missing: readonly string[]): string =>
  `demo: XH_ERR_TOOL_NOT_FOUND: ${missing.join(', ')} not installed. Every migration in the demo goes through OpenSSH ` +
  '(the demo starts its own sshd on 127.0.0.1; the system service need not run): ' +
  'apt-get install -y openssh-server openssh-client, then npm run demo again\n';
