/** The data of a pipeline: plans (serialisable, nothing touched), events and reports. */
import type { ImageFormat } from '../attach/detect.js';
import type { OutputFormat } from '../convert/convert.js';
import type { ProgressEvent } from '../convert/progress.js';

/** The built-in stages, in the order they always run. */
export type BuiltinStageName = 'fetch' | 'flatten' | 'inspect' | 'fix' | 'convert' | 'validate';

/** One source the plan found: a disk image (and its verified chain) or an OVA to unpack. */
export interface SourcePlan {
  /** Absolute path as configured. */
  path: string;
  /** Format detected from the content. */
  format: ImageFormat;
  /** For a disk: every image it reads, top first (one entry when it has no parent). */
  chain: { path: string; format: ImageFormat }[];
  /**
   * What FLATTEN must do: `none` (qemu reads the chain itself, no bytes are
   * moved) or `merge` (a differencing VHD chain, which qemu cannot read,
   * merged into a standalone image in the work directory).
   */
  flatten: 'none' | 'merge';
}

/** Boot smoke test of the output under QEMU: the guest's own kernel and initrd, its root on a virtio disk. */
export interface BootCheckPlan {
  /** A regular expression the serial console must print. */
  marker: string;
  timeoutSec: number;
  memoryMiB: number;
  /** `auto`: KVM where /dev/kvm opens (TCG when QEMU fails under it), else TCG. */
  accel: 'auto' | 'kvm' | 'tcg';
}

/** What one VM's run will do; JSON-serialisable. */
export interface VmPlan {
  name: string;
  /** This VM's directory for intermediate images and its report. */
  workDir: string;
  /** The resume state file, beside the first output. */
  stateFile: string;
  /** The JSON report. */
  reportFile: string;
  sources: SourcePlan[];
  /** Stage names in the order they run (built-in order, custom stages where registered). */
  stages: string[];
  fix: {
    /** Linux fixers (default: all). */
    fixers: string[];
    renameInterfaces: Record<string, string>;
    regenerateGrub: boolean;
    /** virtio-win tree for Windows guests (absent: no driver injection). */
    virtioWin?: string;
    virtioDrivers: string[];
  };
  output: {
    /** The first disk's output; disk N (from 1) goes to the same name with `-N` before the extension. */
    path: string;
    format: OutputFormat;
    compress: boolean;
    /** Replace outputs this pipeline did not write. */
    overwrite: boolean;
  };
  validate: { check: boolean; inspect: boolean; boot?: BootCheckPlan };
  /** LUKS passphrases (redacted in reports). */
  keys: string[];
  /** A file of more LUKS passphrases, one a line, read when the VM runs (so a queued job carries its path, not the passphrases). */
  keyFile?: string;
  /** Custom stage options, by stage name. */
  options: Record<string, unknown>;
  /** Things the planner noticed. */
  notes: string[];
}

/** A whole pipeline: every VM and how many run at once. */
export interface PipelinePlan {
  version: 1;
  concurrency: number;
  /** For queued runs: tries in all, and the wait before the second (doubled before each later one). */
  retry?: { attempts: number; backoffSec: number };
  vms: VmPlan[];
}

/** One file a stage read or wrote, as recorded in the state file. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A disk image between stages: the file to open and every file it reads. */
export interface DiskRef {
  path: string;
  format: ImageFormat;
  /** The image and its parents, top first, each stamped: exactly the chain the stages open. */
  files: FileStamp[];
}

/** How a stage ended in a run. */
export type StageStatus = 'done' | 'reused' | 'planned' | 'failed' | 'not-run';

/** One stage in a report. */
export interface StageReport {
  name: string;
  status: StageStatus;
  durationMs: number;
  /** What the stage returned (its part of the report). */
  result?: unknown;
}

/** What happened to one VM. */
export interface VmReport {
  name: string;
  status: 'ok' | 'failed' | 'dry-run';
  startedAt: string;
  durationMs: number;
  stages: StageReport[];
  /** Every output with its size and sha256. */
  produced: { path: string; format: string; size: number; sha256: string }[];
  error?: { code: string; message: string };
  reportFile: string;
}

/** What a whole run did. */
export interface PipelineReport {
  vms: VmReport[];
  ok: number;
  failed: number;
  durationMs: number;
}

/** Events of a run, for progress displays and logs. */
export type PipelineEvent =
  | { type: 'vm-start'; vm: string }
  | { type: 'stage-start'; vm: string; stage: string }
  | { type: 'stage-end'; vm: string; stage: string; status: StageStatus; durationMs: number }
  | { type: 'progress'; vm: string; stage: string; progress: ProgressEvent }
  | { type: 'note'; vm: string; stage: string; message: string }
  | { type: 'vm-end'; vm: string; status: VmReport['status']; durationMs: number; error?: string };
