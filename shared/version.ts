/**
 * The release version. The bundler replaces XENHERD_VERSION with package.json's version; when
 * run from source (tests, dev tools) the global is absent and "dev" is reported.
 */
declare const XENHERD_VERSION: string | undefined;

export const VERSION: string = typeof XENHERD_VERSION === 'string' ? XENHERD_VERSION : '0.0.0-dev';
