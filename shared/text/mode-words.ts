/**
 * Who besides a file's owner may read or write it, in the words xenherd's warnings use for a
 * file's mode: "others" when the bits for every user are set, else "its group" (the wider class
 * is the one that matters). Used for agent.json, ctl.json and guarded domU configs alike.
 */
/** A file's permission bits as ls and chmod write them (0644, 01777). No I/O here: pure rooms use it. */
export const modeText = (m: number): string => `0${(m & 0o7777).toString(8).padStart(3, '0')}`;

const by = (mode: number, bits: number): string | null => ((mode & bits & 0o007) !== 0 ? 'others' : (mode & bits & 0o070) !== 0 ? 'its group' : null);

/** "readable and writable by others", "readable by its group and writable by others", ...; null: owner only. */
export function accessWords(mode: number): string | null {
  const readers = by(mode, 0o044);
  const writers = by(mode, 0o022);
  if (readers === null && writers === null) return null;
  if (readers !== null && readers === writers) return `readable and writable by ${readers}`;
  return [readers && `readable by ${readers}`, writers && `writable by ${writers}`].filter(Boolean).join(' and ');
}

/** "writable by others", "writable by its group"; null: only its owner can write it. */
export function writeWords(mode: number): string | null {
  const writers = by(mode, 0o022);
  return writers === null ? null : `writable by ${writers}`;
}
