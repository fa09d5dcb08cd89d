/** Where a hold listens: the process, or a stand-in in a test. */
export interface HangUpSource {
  on(signal: 'SIGHUP', listener: () => void): unknown;
  off(signal: 'SIGHUP', listener: () => void): unknown;
}

/** SIGHUP held until the daemon's own handler is in place. */
export interface HangUpHold {
  /** HANDLER hears every SIGHUP from now on; true when one or more came while held */
  take(handler: () => void): boolean;
}

/**
 * Node's default for SIGHUP ends the process, and a daemon's handler (the agent's reload, the
 * controller's answer that nothing needs one) is in place only once it has read its config and
 * opened what it serves. A hang-up before then (`systemctl reload` or logrotate's postrotate right
 * after a start) killed it mid-start. The composition root holds SIGHUP from its first line
 * instead; a hang-up held is remembered, not acted on, and the handler that takes over hears
 * whether one came: the file it asked to be read again may have changed after the start read it.
 * Taking over is one synchronous step, so no hang-up falls between the hold and the handler.
 */
export function holdHangUps(source: HangUpSource): HangUpHold {
  let heard = false;
  const hold = (): void => {
    heard = true;
  };
  source.on('SIGHUP', hold);
  return {
    take(handler) {
      // the handler first: without a listener Node closes its signal watcher, and a hang-up caught
      // but not yet dispatched (the process busy reading its files) went with it
      source.on('SIGHUP', handler);
      source.off('SIGHUP', hold);
      const came = heard;
      heard = false;
      return came;
    },
  };
}
