// The controller's listen address and xenherdctl's URL are checked with the same rule as the
// agent's controller URL: one definition, in shared/.
export { isLoopbackAddress } from '../../shared/loopback-address.js';
