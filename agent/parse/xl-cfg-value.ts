/**
 * The generic value model of a domU config file, shared by the xl.cfg and xm (Python) readers.
 * libxlu keeps every scalar as a string (a NUMBER token and a quoted STRING are the same thing to
 * it, `memory = "512"` is valid); we keep `quoted` only so a typed view can explain itself.
 */
export interface CfgAtom {
  readonly kind: 'atom';
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
}

export interface CfgList {
  readonly kind: 'list';
  readonly items: readonly CfgValue[];
  readonly line: number;
  readonly column: number;
}

export type CfgValue = CfgAtom | CfgList;

/** One `key = value` or `key += value` statement as written. */
export interface CfgStatement {
  readonly key: string;
  readonly op: '=' | '+=';
  readonly value: CfgValue;
  readonly line: number;
}

/** How the reader failed to apply a statement (only `+=` mixing a list and a string can). */
export interface ApplyFailure {
  readonly statement: CfgStatement;
  readonly problem: string;
}

/**
 * Applies statements in order with libxlu's semantics (libxlu_cfg.c xlu__cfg_set_store): the last
 * `=` wins; `+=` appends to a list or concatenates to a string set earlier, and acts as `=` when
 * nothing was set; adding a list to a string (or the reverse) is an error.
 */
export function applyStatements(statements: readonly CfgStatement[]): { settings: Map<string, CfgValue> } | ApplyFailure {
  const settings = new Map<string, CfgValue>();
  // the lists `+=` grows, owned here so each append is a push: copying the list per statement
  // took seconds of CPU on a config of a few thousand `disk+=` lines
  const grown = new Map<string, CfgValue[]>();
  for (const st of statements) {
    const prev = settings.get(st.key);
    if (st.op === '=' || prev === undefined) {
      settings.set(st.key, st.value);
      grown.delete(st.key);
      continue;
    }
    if (prev.kind === 'list' && st.value.kind === 'list') {
      let items = grown.get(st.key);
      if (items === undefined) {
        items = [...prev.items];
        grown.set(st.key, items);
      }
      for (const item of st.value.items) items.push(item);
      settings.set(st.key, { ...st.value, items });
    } else if (prev.kind === 'atom' && st.value.kind === 'atom') {
      settings.set(st.key, { ...st.value, text: prev.text + st.value.text, quoted: prev.quoted || st.value.quoted });
    } else {
      return { statement: st, problem: `can't add a ${st.value.kind === 'list' ? '[list]' : '"string"'} to the ${prev.kind === 'list' ? '[list]' : '"string"'} set on line ${prev.line}` };
    }
  }
  return { settings };
}
