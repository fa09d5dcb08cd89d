/**
 * A xenherd token ("xh1.ID.SECRET") anywhere in a text, whatever its case or what surrounds it:
 * a token pasted where a name goes (with a space, quotes, "Bearer ", upper-cased by a terminal)
 * ends up in an error message, and from there in scrollback, sudo and CI logs.
 */
const TOKEN_IN_TEXT = /xh1\.([0-9a-f]{12})\.[A-Za-z0-9_-]+/gi;

/** Whether TEXT holds something shaped like a token. */
export const holdsToken = (text: string): boolean => new RegExp(TOKEN_IN_TEXT.source, 'i').test(text);

/** TEXT with every token's secret replaced by "…": the id stays, so the operator still sees which token it was. */
export const redactTokens = (text: string): string => text.replace(TOKEN_IN_TEXT, (_, id: string) => `xh1.${id}.…`);
