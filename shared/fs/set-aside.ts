import { renameSync } from 'node:fs';
import { fileFailure } from './regular-file.js';

/** FILE's name once it is set aside. */
export const asideName = (file: string): string => `${file}.unreadable`;

/**
 * A file xenherd keeps that it could not read back, moved to FILE.unreadable before a new one
 * takes its place: what it held may be the only account of it left, for a person to read and
 * mend, and writing over it lost that for good. A rename within the directory, so it moves
 * whatever is there (a symbolic link as the link) and replaces an earlier FILE.unreadable.
 * Null when moved; else why not (an errno).
 */
export function setAside(file: string): string | null {
  try {
    renameSync(file, asideName(file));
    return null;
  } catch (e) {
    return fileFailure(asideName(file), e).errno;
  }
}
