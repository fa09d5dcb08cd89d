/**
 * The one line splitter: text arriving in chunks (a child's stdout, an ssh channel, a socket)
 * becomes whole lines without their newline. Whatever the source prints, it never holds more than
 * maxLineChars of an unfinished line:
 *  - overflow 'stop' (default): onOverflow is called once and the splitter takes nothing more, so
 *    the caller can end a source printing an endless line;
 *  - overflow 'split': the line is handed on in pieces of maxLineChars (a progress line redrawn
 *    with carriage returns is long, not broken).
 * Callers decode bytes as a stream first (setEncoding('utf8')), so no character is ever split.
 */
export interface LineSplitter {
  push(chunk: string): void;
  /** the source ended: a last line without its newline is delivered */
  end(): void;
}

export interface SplitterOptions {
  readonly maxLineChars?: number;
  readonly overflow?: 'stop' | 'split';
  readonly onOverflow?: (startOfLine: string) => void;
}

export function lineSplitter(onLine: (line: string) => void, o: SplitterOptions = {}): LineSplitter {
  const max = o.maxLineChars ?? Number.POSITIVE_INFINITY;
  const split = o.overflow === 'split';
  let pending = '';
  let dead = false;
  const overflow = (text: string): void => {
    dead = true;
    pending = '';
    o.onOverflow?.(text.slice(0, 200));
  };
  return {
    push(chunk) {
      if (dead) return;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.length <= max) onLine(line);
        else if (!split) return overflow(line);
        else for (let i = 0; i < line.length; i += max) onLine(line.slice(i, i + max));
        if (dead) return;
      }
      if (pending.length <= max) return;
      if (!split) return overflow(pending);
      while (pending.length >= max) {
        onLine(pending.slice(0, max));
        pending = pending.slice(max);
      }
    },
    end() {
      if (dead || pending === '') return;
      const last = pending;
      pending = '';
      onLine(last);
    },
  };
}
