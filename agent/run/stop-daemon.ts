/**
 * A running agent's stop on SIGTERM or SIGINT: its core is told first, in the signal's own turn,
 * and only then is its control socket closed, both waited for. Closed first, the socket took a turn
 * of the event loop, in which the first read of the host could land: an agent stopped while it
 * started became ready after all and told systemd READY=1 during its stop.
 */
export async function stopDaemon(core: { stop(): Promise<void> }, controlSocket: { close(): Promise<void> }): Promise<void> {
  const coreStopped = core.stop();
  await controlSocket.close();
  await coreStopped;
}
