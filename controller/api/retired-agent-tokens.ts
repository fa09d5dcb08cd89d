/**
 * The agent tokens this controller saw revoked or replaced under a live link, one per host, the
 * latest: the id of the token each host's agent last linked with, and when it stopped working.
 * `tokens.json` keeps only current tokens, so without this an agent still dialling with the token
 * an `enroll HOST` just replaced is refused as an "unknown token id", which names no host, and its
 * Dom0 reads as dead (power, network) while its agent runs. Only ids that held a live link of a
 * host are kept (a scanner's guesses are never an entry), and at most one per host: however often
 * tokens are replaced, as many entries as hosts. Kept for the process: after a restart such a
 * refusal is an unknown id again.
 */
export class RetiredAgentTokens {
  private readonly byHost = new Map<string, { readonly tokenId: string; readonly at: number }>();
  private readonly hostOf = new Map<string, string>();

  retired(host: string, tokenId: string, at: number): void {
    const was = this.byHost.get(host);
    if (was !== undefined) this.hostOf.delete(was.tokenId);
    this.byHost.set(host, { tokenId, at });
    this.hostOf.set(tokenId, host);
  }

  /** The host whose live link held TOKENID when it stopped working, and when; undefined for any other id. */
  of(tokenId: string): { readonly host: string; readonly at: number } | undefined {
    const host = this.hostOf.get(tokenId);
    const r = host === undefined ? undefined : this.byHost.get(host);
    return host === undefined || r === undefined ? undefined : { host, at: r.at };
  }
}
