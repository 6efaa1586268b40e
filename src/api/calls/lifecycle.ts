/** The lifecycle calls: the session's own methods, plus `available`. */
import { VmcraftError } from '../../core/errors.js';
import { featuresAvailable, FEATURE_GROUPS } from '../../core/features.js';
import { probeHost } from '../../core/probe.js';
import { a } from '../args.js';
import { defineCall, sessionCall } from '../entry.js';

const v = '0.1.0';

/** The calls of this module, in table order. */
export const LIFECYCLE_CALLS = [
  sessionCall({ name: 'addDrive', libguestfs: 'add_drive', group: 'lifecycle', summary: 'add a disk image to the session', since: v, args: [a.hostPathIn('imagePath'), a.options('options', [])], returns: 'self', ts: 'this' }),
  sessionCall({ name: 'addDriveScratch', libguestfs: 'add_drive_scratch', group: 'lifecycle', summary: 'add a temporary scratch drive', since: '0.2.0', doc: 'A new, empty, writable raw drive of `size` bytes, in a private temporary file removed when the session closes. libguestfs\' `name`/`label` optargs are not taken.', args: [a.int64('size', { doc: 'bytes' })], returns: 'self', ts: 'this' }),
  sessionCall({ name: 'launch', libguestfs: 'launch', group: 'lifecycle', summary: 'attach the drives and find their block devices', since: v, args: [], returns: 'void', ts: 'Promise<void>' }),
  sessionCall({ name: 'shutdown', libguestfs: 'shutdown', group: 'lifecycle', summary: 'unmount, detach and remove everything the session set up', since: v, args: [], returns: 'void', ts: 'Promise<void>' }),
  sessionCall({ name: 'close', libguestfs: 'close', group: 'lifecycle', summary: 'shut down and end the session', since: v, args: [], returns: 'void', ts: 'Promise<void>' }),
  sessionCall({ name: 'metrics', group: 'lifecycle', summary: 'time spent per phase', since: v, args: [], returns: 'hash', ts: 'Record<string, PhaseMetric>' }),
  sessionCall({ name: 'resources', group: 'lifecycle', summary: 'resources the session holds now', since: v, args: [], returns: 'stringList', ts: 'string[]' }),
  defineCall({
    name: 'available', libguestfs: 'feature_available', group: 'lifecycle', since: v, anytime: true,
    summary: 'whether feature groups are usable on this host',
    doc: 'Backed by probes of the host tools each group needs (libguestfs `feature_available`).',
    args: [a.stringList('groups', { ts: 'FeatureGroup[]', doc: `any of ${FEATURE_GROUPS.join(', ')}` })], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (_g, groups) => {
      const unknown = groups.filter((group) => !FEATURE_GROUPS.includes(group));
      if (unknown.length) throw new VmcraftError('EINVAL', `unknown feature group(s) ${unknown.join(', ')} (known: ${FEATURE_GROUPS.join(', ')})`);
      return featuresAvailable(await probeHost(), groups);
    },
  }),
];
