import { ok, type Result } from '../../shared/result.js';
import type { FileFailure, FileStamp, HostFiles, TextParse } from './files.js';
import { sameStamp, settledStamp } from './file-stamp.js';

/** A file as last read: its text, the parses of that text, and the stamp taken before reading it. */
interface Entry {
  readonly stamp: FileStamp | null;
  /** the stamp was settled when taken (file-stamp.ts): a file with the same stamp holds this text */
  readonly trusted: boolean;
  readonly text: string;
  /** by TextParse key: what that parse returned for `text` */
  readonly parsed: Map<string, unknown>;
  /** the last session that asked for the file */
  seen: number;
}

/**
 * What the full re-reads of the host (every minute, read-host.ts) keep between them. Each read
 * found the same hundreds of domU configs and `.res` files and read and parsed them all again;
 * that was nearly all of an idle agent's CPU. Now a file whose stamp (one stat) still matches a
 * settled one is not read again, and a text already parsed is not parsed again.
 *
 * Nothing is taken on trust that a read would refuse: a file whose stat does not match (changed,
 * replaced, gone, no longer a regular file, unreadable, or a stat that fails) is read by the
 * files' own readText with all its checks, and a failed read is returned as it is, never cached.
 */
export class HostFileCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  /**
   * The files as one full read sees them: each path read once however many parts ask for it, so
   * every part sees the same text; each parse done once. `nowMs`: the wall clock before any stat.
   */
  session(files: HostFiles, nowMs: number): HostFiles {
    // files the last full read did not ask for (deleted, no longer listed) are not kept
    for (const [path, e] of this.entries) if (e.seen < this.generation) this.entries.delete(path);
    const gen = ++this.generation;
    const loads = new Map<string, Promise<Result<Entry, FileFailure>>>();
    const load = (hostPath: string): Promise<Result<Entry, FileFailure>> => {
      const known = loads.get(hostPath);
      if (known) return known;
      const p = this.load(files, hostPath, nowMs, gen);
      loads.set(hostPath, p);
      return p;
    };
    return {
      display: files.display,
      list: files.list,
      // never cached: a chmod must be seen at the next read
      access: files.access,
      readText: async (hostPath) => {
        const r = await load(hostPath);
        return r.ok ? ok(r.value.text) : r;
      },
      readParsed: async <T>(hostPath: string, how: TextParse<T>): Promise<Result<T, FileFailure>> => {
        const r = await load(hostPath);
        if (!r.ok) return r;
        const { parsed, text } = r.value;
        // one key, one parse (TextParse): what is kept under it is this parse's T
        if (parsed.has(how.key)) return ok(parsed.get(how.key) as T);
        const value = how.parse(text);
        parsed.set(how.key, value);
        return ok(value);
      },
    };
  }

  private async load(files: HostFiles, hostPath: string, nowMs: number, gen: number): Promise<Result<Entry, FileFailure>> {
    const old = this.entries.get(hostPath);
    const stamp = files.stamp ? files.stamp(hostPath) : null;
    if (old?.trusted && old.stamp && stamp && sameStamp(old.stamp, stamp)) {
      old.seen = gen;
      return ok(old);
    }
    // the stamp was taken before the read: a change meanwhile makes the next stamp differ
    const text = files.readTextSync ? files.readTextSync(hostPath) : await files.readText(hostPath);
    if (!text.ok) {
      this.entries.delete(hostPath);
      return text;
    }
    // the same text parses the same (parses are pure): a file read again keeps its parses
    const parsed = old !== undefined && old.text === text.value ? old.parsed : new Map<string, unknown>();
    const entry: Entry = { stamp, trusted: stamp !== null && settledStamp(stamp, nowMs), text: text.value, parsed, seen: gen };
    this.entries.set(hostPath, entry);
    return ok(entry);
  }
}
