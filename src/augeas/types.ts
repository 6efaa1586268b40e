/** The types of the Augeas calls' answers and options (re-exported by src/api/types.ts). */

/** What {@link GuestFS.augDefnode} answers: libguestfs' `int_bool` struct. */
export interface AugIntBool {
  /** How many nodes the variable holds. */
  i: number;
  /** 1 when a node was created (the expression matched nothing), else 0. */
  b: number;
}

/** Options of {@link GuestFS.augTransform}, as libguestfs' `aug_transform` optargs. */
export interface AugTransformOptions {
  /** Exclude the file from the lens instead of including it. @default false */
  remove?: boolean;
}

/** What {@link GuestFS.augSave} wrote into the guest (libguestfs returns nothing). */
export interface AugSaveResult {
  /** Guest paths of the files written or created. */
  written: string[];
  /** Guest paths of the files Augeas deleted (their whole tree was removed). */
  removed: string[];
}

