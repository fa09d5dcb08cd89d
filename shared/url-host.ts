/**
 * The host of URL as a name or a bare IP literal: URL keeps an IPv6 literal in brackets
 * ("[::1]"), which neither a socket, a certificate's IP check nor a loopback test accepts.
 */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');
