// The systemd-notify package (CommonJS, no types of its own): module.exports = notify(opts) → Promise.
declare module 'systemd-notify' {
  interface NotifyOptions {
    readonly ready?: boolean;
    readonly status?: string;
    readonly pid?: number;
    readonly booted?: boolean;
  }
  const notify: (opts?: NotifyOptions) => Promise<unknown>;
  export default notify;
}
