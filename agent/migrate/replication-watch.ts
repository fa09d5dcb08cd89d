import type { ReplicationSample } from '../decide/handover-replication.js';
import type { MigrationPorts } from './ports.js';

/** How often a domU's resources are read while its memory is copied: the bound on "since when" an ALARM can give. */
export const REPLICATION_READ_EVERY_MS = 2_000;

/** Each resource read once (`drbdadm status`), here and now; a failed read is kept as one, not dropped. */
export async function readReplication(p: MigrationPorts, resources: readonly string[], after: boolean): Promise<ReplicationSample[]> {
  const out: ReplicationSample[] = [];
  for (const resource of resources) {
    const v = await p.drbd.readResource(resource);
    const at = p.clock.now();
    out.push(v.ok ? { at, resource, view: v.value, after } : { at, resource, view: null, error: v.error.message, after });
  }
  return out;
}

export interface ReplicationWatch {
  /** ends the reads (waiting for one under way) and gives every sample taken */
  stop(): Promise<ReplicationSample[]>;
}

/**
 * Reads the resources at once and then every REPLICATION_READ_EVERY_MS until stopped: run beside
 * the step that moves the domU, so a link lost during the copy is seen when it happens, not only
 * as what it left behind. Read-only; a read that fails is a sample like any other.
 */
export function watchReplication(p: MigrationPorts, resources: readonly string[]): ReplicationWatch {
  const samples: ReplicationSample[] = [];
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      samples.push(...(await readReplication(p, resources, false)));
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const cancel = p.clock.schedule(REPLICATION_READ_EVERY_MS, () => resolve());
        wake = () => {
          cancel();
          resolve();
        };
      });
      wake = null;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      (wake as (() => void) | null)?.();
      await loop;
      return samples;
    },
  };
}
