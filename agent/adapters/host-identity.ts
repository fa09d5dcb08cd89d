import { hostname } from 'node:os';

/**
 * This machine's name from the kernel: the agent's name for itself until the toolstack answers
 * (`xl info` host), which is what peers and the controller know it by.
 */
export const kernelHostName = (): string => hostname();
