/** VALUE as a word for sh: as it is when nothing in it is special, else in single quotes (a ' inside as '\''). */
export const shellWord = (value: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`);
