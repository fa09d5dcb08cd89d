// Made by packaging/build.mjs when it builds xenherdctl: the program's bundle as one CommonJS
// module function's source, and a digest of it that names its code cache.
declare module 'xenherd:ctl-program' {
  export const PROGRAM_SOURCE: string;
  export const PROGRAM_SOURCE_KEY: string;
}
