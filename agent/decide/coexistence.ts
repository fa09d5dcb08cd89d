/**
 * Start-up checks that another boot mechanism does not start guarded domUs unguarded. Pure: the
 * caller reads /etc/xen/auto and /etc/default/xendomains.
 */
export interface AutoDirEntry {
  /** file name in /etc/xen/auto */
  readonly file: string;
  /** the domU name its config declares, null when unreadable */
  readonly name: string | null;
}

export function coexistenceWarnings(input: {
  readonly guarded: readonly { readonly name: string; readonly configPath: string }[];
  readonly autoDir: string;
  readonly autoEntries: readonly AutoDirEntry[];
  readonly xendomainsPath: string;
  readonly xendomainsText: string | null;
}): string[] {
  const out: string[] = [];
  for (const g of input.guarded) {
    const hit = input.autoEntries.find((e) => e.name === g.name || e.file === `${g.name}.cfg` || e.file === g.name);
    if (hit) {
      out.push(
        `${g.name} is guarded (${g.configPath}) and also in ${input.autoDir}/${hit.file}: xendomains would start it at boot without the DRBD checks; remove it from ${input.autoDir}`,
      );
    }
  }
  const save = xendomainsSave(input.xendomainsText);
  if (save !== null) {
    out.push(
      `${input.xendomainsPath} sets XENDOMAINS_SAVE=${save}: xendomains saves domUs at shutdown and restores them at boot without the DRBD checks; set XENDOMAINS_SAVE= (empty)`,
    );
  }
  return out;
}

/** The XENDOMAINS_SAVE value when set non-empty (last assignment wins, as in the shell), else null. */
export function xendomainsSave(text: string | null): string | null {
  if (text === null) return null;
  let value: string | null = null;
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?XENDOMAINS_SAVE=(.*)$/.exec(raw);
    if (!m) continue;
    let v = (m[1] ?? '').replace(/\s+#.*$/, '').trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    value = v === '' ? null : v;
  }
  return value;
}
