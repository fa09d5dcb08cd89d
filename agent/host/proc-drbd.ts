import { err, ok } from '../../shared/result.js';
import type { ProcDrbdReader } from '../adapters/drbd.js';
import type { HostFiles } from './files.js';

/** /proc/drbd through the host's files (so the simulator can give each host its own). */
export const procDrbdReader =
  (files: HostFiles): ProcDrbdReader =>
  async () => {
    const r = await files.readText('/proc/drbd');
    if (r.ok) return r;
    if (r.error.errno === 'ENOENT') return ok(null);
    return err({ code: 'XH_ERR_FILE', path: r.error.path, message: r.error.message });
  };
