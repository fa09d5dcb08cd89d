/**
 * A small seeded pseudo-random sequence (mulberry32) as a pure function of its state, so cores
 * that need jitter keep the state in their own data and a test or a fault run replays exactly
 * from its seed. Not for anything secret.
 */
export function nextRandom(state: number): { readonly value: number; readonly state: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let r = Math.imul(next ^ (next >>> 15), next | 1);
  r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
  return { value: ((r ^ (r >>> 14)) >>> 0) / 4294967296, state: next };
}

/** A stateful generator over the same sequence, for code that owns its own loop (harnesses). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    const r = nextRandom(state);
    state = r.state;
    return r.value;
  };
}
