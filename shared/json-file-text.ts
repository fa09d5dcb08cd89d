/**
 * A JSON file's text as JSON.parse takes it: without the byte-order mark some editors (Notepad,
 * some Windows tools) put first. JSON.parse refuses one with a message that does not name it
 * ("Unexpected token"), while the file means the same with or without it.
 */
export const withoutByteOrderMark = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
