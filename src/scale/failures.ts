/**
 * Which failures a queued VM is tried again for. Permanent ones come from the
 * VM itself (its images, its configuration, its keys) and would fail the same
 * way on every worker; every other one (a lock, an I/O error, a tool that
 * failed, an aborted run, a worker that cannot reach the storage) may pass.
 */
import type { VmcraftErrorCode } from '../core/errors.js';

/** The codes that fail a VM at once, without another try. */
export const PERMANENT_CODES: readonly VmcraftErrorCode[] = [
  'EINVAL', // the plan or an option is wrong
  'EFORMAT', // a corrupt or unknown image
  'ECHAIN', // a broken snapshot chain
  'EUNSAFE', // an image names files it may not read
  'ECHECKSUM', // an OVA whose manifest does not match
  'EINSPECT', // no operating system found
  'EBADKEY', // a wrong passphrase
  'EVALIDATE', // the output failed its checks
  'EARCH', // a guest this host cannot run binaries of
  'EEXIST', // an output the pipeline did not write
  'EPATHESCAPE', // a guest path leaving the guest
  'EREGISTRY', // a Windows hive that cannot be read or written
  'EUNSUPPORTED', // a feature the image needs and vmcraft lacks
];

/** Whether a failure with this code is permanent. */
export function isPermanent(code: string): boolean {
  return (PERMANENT_CODES as readonly string[]).includes(code);
}
