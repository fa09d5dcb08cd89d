/**
 * An agent's answer read on after a sentence that has named its Dom0 already ("xen1 refused to be
 * set draining: …"). An agent names its own host in its answers, for a reader who does not know
 * which Dom0 spoke: as an opening "HOST: ", or as the sentence's subject ("HOST is draining for
 * …", "HOST could not write its maintenance flag …", "the agent on HOST is stopping"). Put after
 * the wrapper unchanged, that reads as the name twice in a row; here the opening is dropped and
 * the subject becomes "it" (or "its agent"). Any other answer is kept as it came.
 */
export function afterHostNamed(message: string, host: string): string {
  const colon = `${host}: `;
  if (message.startsWith(colon)) return message.slice(colon.length);
  if (message.startsWith(`${host}'s `)) return `its ${message.slice(host.length + 3)}`;
  if (message.startsWith(`${host} `)) return `it ${message.slice(host.length + 1)}`;
  for (const agent of [`the agent on ${host} `, `the agent of ${host} `]) {
    if (message.startsWith(agent)) return `its agent ${message.slice(agent.length)}`;
  }
  return message;
}
