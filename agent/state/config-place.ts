/**
 * Who can change a domU config this Dom0 may start, as the host adapter read it
 * (agent/host/guarded-configs.ts): modes and owners only. Whether that makes it unsafe to start
 * is judged over these facts by agent/decide/config-safety.ts.
 */
export interface Ownership {
  /** st_mode (the permission bits are used) */
  readonly mode: number;
  readonly uid: number;
}

export interface ConfigPlace {
  /** the config as the operator knows it, and its mode and owner (symlinks followed); null: could not be examined */
  readonly file: { readonly path: string; readonly st: Ownership | null };
  /** its dir (the guarded dir; a visitor's: the config dir), then each dir above it up to /, likewise */
  readonly dirs: readonly { readonly path: string; readonly st: Ownership | null }[];
  /** the user the agent runs as (root under systemd): a file of its own is as good as root's */
  readonly ownUid: number;
}
