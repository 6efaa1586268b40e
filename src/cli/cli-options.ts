/** Option helpers the CLI's commands share. */

/** Commander argument parser for a repeatable option: the values in order. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** Help of `--chain-dir`. */
export const CHAIN_DIR_HELP = 'let the images read backing files and snapshot parents in this directory (by default an image is opened alone)';
