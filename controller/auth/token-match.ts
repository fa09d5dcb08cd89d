import { sameHostName } from '../../shared/names.js';
import type { OperatorRole, TokenStore } from './tokens.js';

/** One token as `xenherd-controller tokens` lists it: never its hash. */
export type TokenRow =
  | { readonly id: string; readonly kind: 'agent'; readonly host: string; readonly createdAt: string }
  | { readonly id: string; readonly kind: 'operator'; readonly name: string; readonly role: OperatorRole; readonly createdAt: string };

/** Which tokens `revoke` removes: every one of a host, every one of an operator, or exactly one. */
export type TokenSelector = { readonly by: 'host'; readonly host: string } | { readonly by: 'operator'; readonly name: string } | { readonly by: 'id'; readonly id: string };

const byText = (a: string, b: string): number => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : a < b ? -1 : a > b ? 1 : 0);

/** Every token, agents first by host, then operators by name (then by id, so the order is stable). */
export function tokenRows(store: TokenStore): TokenRow[] {
  const agents: TokenRow[] = Object.entries(store.agents)
    .map(([id, e]) => ({ id, kind: 'agent' as const, host: e.host, createdAt: e.createdAt }))
    .sort((a, b) => byText(a.host, b.host) || byText(a.id, b.id));
  const operators: TokenRow[] = Object.entries(store.operators)
    .map(([id, e]) => ({ id, kind: 'operator' as const, name: e.name, role: e.role, createdAt: e.createdAt }))
    .sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id));
  return [...agents, ...operators];
}

/** The tokens SELECTOR names. Host and operator names ignore case, as enroll and operator do. */
export function selectTokens(store: TokenStore, selector: TokenSelector): TokenRow[] {
  return tokenRows(store).filter((r) => {
    if (selector.by === 'id') return r.id === selector.id;
    if (selector.by === 'host') return r.kind === 'agent' && sameHostName(r.host, selector.host);
    return r.kind === 'operator' && r.name.toLowerCase() === selector.name.toLowerCase();
  });
}

/** Removes the tokens of ROWS from STORE (in place, as updateTokenStore's change works). */
export function removeTokens(store: TokenStore, rows: readonly TokenRow[]): void {
  for (const r of rows) {
    if (r.kind === 'agent') delete store.agents[r.id];
    else delete store.operators[r.id];
  }
}

/** How many operator tokens with the role operate STORE keeps once ROWS are gone. */
export const operateTokensLeft = (store: TokenStore, rows: readonly TokenRow[]): number => {
  const gone = new Set(rows.map((r) => r.id));
  return Object.entries(store.operators).filter(([id, e]) => e.role === 'operate' && !gone.has(id)).length;
};

/**
 * The token id in WORD: the id itself (12 hex digits, as `tokens` lists it) or a whole token
 * "xh1.ID.SECRET" (someone holding a leaked token need not take it apart); null otherwise. The
 * secret is never returned: nothing downstream can print it.
 */
export function tokenIdOf(word: string): { readonly id: string; readonly wholeToken: boolean } | null {
  if (/^[0-9a-fA-F]{12}$/.test(word)) return { id: word.toLowerCase(), wholeToken: false };
  const m = /^xh1\.([0-9a-f]{12})\.[A-Za-z0-9_-]+$/.exec(word);
  return m ? { id: m[1] as string, wholeToken: true } : null;
}
