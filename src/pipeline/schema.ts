/**
 * The pipeline configuration's schema: one table that validates configs
 * (errors name file, line and key) and is rendered as JSON Schema.
 */
import { VmcraftError } from '../core/errors.js';
import type { MergedConfig } from './config.js';
import { BUILTIN_STAGES } from './stage.js';

type Spec =
  | { kind: 'string'; enum?: readonly string[]; required?: boolean; description: string }
  | { kind: 'boolean' | 'integer'; required?: boolean; description: string }
  | { kind: 'list'; of: Spec; required?: boolean; description: string }
  | { kind: 'map'; fields: Record<string, Spec>; required?: boolean; description: string }
  | { kind: 'dict'; of: Spec; description: string; required?: boolean }
  | { kind: 'any'; description: string; required?: boolean };

const FIXERS = ['fstab', 'network', 'hypervisor-tools', 'grub', 'initramfs'] as const;
const FORMATS = ['qcow2', 'raw', 'vmdk', 'vhdx', 'vhd', 'vdi'] as const;

/** Stage names: the built-in ones or custom ones (checked by plan()). */
const STAGES: Spec = { kind: 'list', of: { kind: 'string', description: `a stage (${BUILTIN_STAGES.join(', ')} or a custom stage)` }, description: 'stages to run (default: all), always in their fixed order' };

/** One VM of a pipeline. */
const VM: Spec = {
  kind: 'map',
  description: 'one VM to migrate',
  fields: {
    name: { kind: 'string', required: true, description: 'a name for reports and state files' },
    input: { kind: 'list', required: true, of: { kind: 'string', description: 'a disk image or an OVA' }, description: 'the disks, in drive order (or one OVA)' },
    output: {
      kind: 'map',
      required: true,
      description: 'what to produce',
      fields: {
        path: { kind: 'string', required: true, description: 'output image (the first disk; more disks get -1, -2…)' },
        format: { kind: 'string', enum: FORMATS, description: 'output format (default qcow2)' },
        compress: { kind: 'boolean', description: 'compress the output' },
        overwrite: { kind: 'boolean', description: 'replace an existing output this pipeline did not write' },
      },
    },
    stages: STAGES,
    keys: { kind: 'list', of: { kind: 'string', description: 'passphrase' }, description: 'LUKS passphrases' },
    keyFile: { kind: 'string', description: 'a file of LUKS passphrases, one a line, read when the VM runs (on the worker, for a queued pipeline: the passphrases never go to Redis)' },
    fixers: { kind: 'list', of: { kind: 'string', enum: FIXERS, description: 'fixer name' }, description: 'Linux fixers to run (default: all)' },
    renameInterfaces: { kind: 'dict', of: { kind: 'string', description: 'new name' }, description: 'network interface renames, old → new' },
    regenerateGrub: { kind: 'boolean', description: "regenerate grub.cfg with the guest's grub-mkconfig" },
    virtioWin: { kind: 'string', description: 'virtio-win tree for Windows guests (a mounted virtio-win ISO or its content)' },
    virtioDrivers: { kind: 'list', of: { kind: 'string', description: 'driver directory name' }, description: 'VirtIO drivers to inject (default: viostor, vioscsi, netkvm)' },
    validate: {
      kind: 'map',
      description: 'checks of the output',
      fields: {
        check: { kind: 'boolean', description: 'qemu-img check (default true)' },
        inspect: { kind: 'boolean', description: 're-open and re-inspect: same OS, fstab resolvable, injected services present (default true)' },
        boot: {
          kind: 'map',
          description: "boot the output under QEMU with the guest's kernel and initrd (present: enabled; {} for the defaults)",
          fields: {
            marker: { kind: 'string', description: 'regular expression the serial console must print (default: the root filesystem mounted from a virtio disk)' },
            timeoutSec: { kind: 'integer', description: 'time limit in seconds (default 300)' },
            memoryMiB: { kind: 'integer', description: 'guest memory in MiB (default 1024)' },
            accel: { kind: 'string', enum: ['auto', 'kvm', 'tcg'], description: 'accelerator (default auto: KVM where it works, else TCG)' },
          },
        },
      },
    },
    options: { kind: 'dict', of: { kind: 'any', description: 'options of one custom stage' }, description: 'options of custom stages, by stage name' },
  },
};

/** The whole configuration. */
const CONFIG_SPEC: Spec = {
  kind: 'map',
  description: 'a vmcraft pipeline',
  fields: {
    workDir: { kind: 'string', description: 'where intermediate images and state files go' },
    concurrency: { kind: 'integer', description: 'VMs migrated at once (default 1)' },
    stages: STAGES,
    retry: {
      kind: 'map',
      description: 'queued pipelines (vmcraft pipeline enqueue): how a VM that failed for a passing reason (a lock, an I/O error, a worker that died) is tried again',
      fields: {
        attempts: { kind: 'integer', description: 'tries in all, the first one included (default 3); permanent failures (no OS, a bad image, a wrong key) are never tried again' },
        backoffSec: { kind: 'integer', description: 'wait before the second try, doubled before each later one (default 30)' },
      },
    },
    vms: { kind: 'list', required: true, of: VM, description: 'the VMs' },
  },
};

function check(spec: Spec, value: unknown, path: string, merged: MergedConfig, errors: string[]): void {
  const at = (p: string) => {
    const o = merged.origins.get(p);
    return o ? `${o.file}:${o.line}` : '(merged config)';
  };
  const fail = (message: string): void => void errors.push(`${at(path)}: ${path || "(top)"}: ${message}`);
  switch (spec.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') return fail(`expected a string, got ${JSON.stringify(value)}`);
      if (spec.enum && !spec.enum.includes(value)) fail(`expected one of ${spec.enum.join(', ')}, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`expected true or false, got ${JSON.stringify(value)}`);
      return;
    case 'integer':
      if (!Number.isInteger(value) || (value as number) < 1) fail(`expected a whole number ≥ 1, got ${JSON.stringify(value)}`);
      return;
    case 'list':
      if (!Array.isArray(value)) return fail(`expected a list, got ${JSON.stringify(value)}`);
      value.forEach((item, i) => check(spec.of, item, `${path}.${i}`, merged, errors));
      return;
    case 'dict':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a map');
      for (const [k, v] of Object.entries(value)) check(spec.of, v, `${path}.${k}`, merged, errors);
      return;
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a map');
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!(key in spec.fields)) errors.push(`${at(path ? `${path}.${key}` : key)}: ${path ? `${path}.${key}` : key}: unknown key (known: ${Object.keys(spec.fields).join(', ')})`);
      }
      for (const [key, field] of Object.entries(spec.fields)) {
        const p = path ? `${path}.${key}` : key;
        if (obj[key] === undefined) {
          if (field.required) errors.push(`${at(path)}: ${p}: missing`);
        } else check(field, obj[key], p, merged, errors);
      }
    }
  }
}

/** Validates merged config data; EINVAL listing every problem with file:line and key. */
export function validateConfig(merged: MergedConfig): void {
  const errors: string[] = [];
  check(CONFIG_SPEC, merged.data, '', merged, errors);
  if (errors.length) throw new VmcraftError('EINVAL', `invalid pipeline configuration:\n${errors.join('\n')}`);
}

/** The JSON Schema of the pipeline configuration (draft 2020-12), as shipped in schema/pipeline.schema.json. */
export function jsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://vmcraft.dev/schema/pipeline.schema.json', title: 'vmcraft pipeline', ...schemaOf(CONFIG_SPEC) };
}

function schemaOf(spec: Spec): Record<string, unknown> {
  const base = { description: spec.description };
  switch (spec.kind) {
    case 'any':
      return base;
    case 'string':
      return { ...base, type: 'string', ...(spec.enum ? { enum: [...spec.enum] } : {}) };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'integer':
      return { ...base, type: 'integer', minimum: 1 };
    case 'list':
      return { ...base, type: 'array', items: schemaOf(spec.of) };
    case 'dict':
      return { ...base, type: 'object', additionalProperties: schemaOf(spec.of) };
    case 'map':
      return {
        ...base,
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, schemaOf(v)])),
        required: Object.entries(spec.fields).filter(([, v]) => v.required).map(([k]) => k),
      };
  }
}
