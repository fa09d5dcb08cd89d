/**
 * The CA certificates an agent fetched by their pinned fingerprint (fetchPinnedCa), kept for the
 * life of the process, keyed by the controller's origin and the fingerprint. Without them every
 * try of the link made two TLS connections, one to read the CA and then the real one: after a
 * controller restart that doubled the handshakes a controller takes from its whole fleet at once.
 * A kept CA is only ever used to verify a connection fully; it is dropped when one fails that
 * verification. The keys are the config's controller URLs (a handful), so there is no bound.
 */
export class PinnedCas {
  private readonly kept = new Map<string, string>();

  get(url: URL, fingerprint: string): string | undefined {
    return this.kept.get(keyOf(url, fingerprint));
  }

  keep(url: URL, fingerprint: string, caPem: string): void {
    this.kept.set(keyOf(url, fingerprint), caPem);
  }

  forget(url: URL, fingerprint: string): void {
    this.kept.delete(keyOf(url, fingerprint));
  }
}

const keyOf = (url: URL, fingerprint: string): string => `${url.origin} ${fingerprint.toUpperCase()}`;
