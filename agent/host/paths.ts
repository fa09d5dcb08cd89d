import { join } from 'node:path';

/** A host path (/var/lib/xenherd, /run/xenherd/agent.sock) as a real path under XENHERD_HOST_ROOT. */
export const underRoot = (root: string, hostPath: string): string => (root === '/' ? hostPath : join(root, hostPath));
