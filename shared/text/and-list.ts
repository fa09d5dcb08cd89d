/** Names in a sentence: "a", "a and b", "a, b and c" ('' for none). */
export const andList = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1) ?? ''}`);
