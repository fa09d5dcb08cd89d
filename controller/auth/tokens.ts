import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { HOST_NAME_RE } from '../../shared/names.js';

/**
 * Bearer tokens: "xh1.<id>.<secret>". The id (public, 12 hex digits) finds the entry; the
 * secret (32 random bytes) is checked against its stored SHA-256 in constant time. Only the hash
 * is ever written to disk. A plain hash is enough (no scrypt): the secret is 256 random bits, not
 * a password, so there is nothing to guess from the hash.
 */
const TOKEN_RE = /^xh1\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export const TOKEN_STORE_SCHEMA_VERSION = 1;
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');
const TokenId = z.string().regex(/^[0-9a-f]{12}$/);

export const TokenStoreSchema = z.strictObject({
  schema: z.literal(TOKEN_STORE_SCHEMA_VERSION),
  /** an agent token is bound to one host: it can only ever report as that host */
  agents: z.record(TokenId, z.strictObject({ host: z.string().regex(HOST_NAME_RE), sha256: Sha256Hex, createdAt: z.string() })),
  operators: z.record(TokenId, z.strictObject({ name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/), role: z.enum(['read', 'operate']), sha256: Sha256Hex, createdAt: z.string() })),
});
export type TokenStore = z.infer<typeof TokenStoreSchema>;
export type OperatorRole = TokenStore['operators'][string]['role'];

export const emptyTokenStore = (): TokenStore => ({ schema: TOKEN_STORE_SCHEMA_VERSION, agents: {}, operators: {} });

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** A new token and the id and hash to store for it. */
export function newToken(): { token: string; id: string; sha256: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `xh1.${id}.${secret}`, id, sha256: sha256(secret).toString('hex') };
}

export type Principal = { readonly kind: 'agent'; readonly host: string; readonly tokenId: string } | { readonly kind: 'operator'; readonly name: string; readonly role: OperatorRole; readonly tokenId: string };

/**
 * Why a request has no principal. "header": no token was presented (no Authorization header, or
 * one not of the form "Bearer TOKEN"): a client that does not speak the API, not a guess. "token":
 * a token was presented and is not one of ours.
 */
export type AuthFailure = { readonly ok: false; readonly fault: 'header' | 'token'; readonly reason: string };

/**
 * The credentials of "Bearer CREDENTIALS": the scheme in any case and any spaces or tabs after it
 * (RFC 9110 11.1 makes the scheme case-insensitive; curl users type "bearer" and double spaces).
 */
const BEARER_RE = /^bearer[ \t]+(.*?)[ \t]*$/is;

/** Who holds this token, or why nobody does (for the log: never the token itself). */
export function authenticate(store: TokenStore, authorization: string | undefined): { ok: true; principal: Principal } | AuthFailure {
  if (authorization === undefined) return { ok: false, fault: 'header', reason: 'no Authorization header' };
  const m = BEARER_RE.exec(authorization);
  if (!m || m[1] === '') return { ok: false, fault: 'header', reason: 'Authorization is not "Bearer TOKEN"' };
  const t = TOKEN_RE.exec(m[1] as string);
  if (!t) return { ok: false, fault: 'token', reason: 'not a xenherd token (xh1.ID.SECRET)' };
  const id = t[1] as string;
  const secret = t[2] as string;
  const agent = store.agents[id];
  const operator = store.operators[id];
  const entry = agent ?? operator;
  if (!entry) return { ok: false, fault: 'token', reason: `unknown token id ${id}` };
  if (!timingSafeEqual(sha256(secret), Buffer.from(entry.sha256, 'hex'))) return { ok: false, fault: 'token', reason: `wrong secret for token id ${id}` };
  if (agent) return { ok: true, principal: { kind: 'agent', host: agent.host, tokenId: id } };
  const op = operator as NonNullable<typeof operator>;
  return { ok: true, principal: { kind: 'operator', name: op.name, role: op.role, tokenId: id } };
}
