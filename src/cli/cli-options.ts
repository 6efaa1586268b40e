/** Option helpers the CLI's commands share. */
import { Help, type Option } from 'commander';

/** Commander argument parser for a repeatable option: the values in order. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** Help of `--chain-dir`. */
export const CHAIN_DIR_HELP = 'let the images read backing files and snapshot parents in this directory (by default an image is opened alone)';

/**
 * Help settings for the whole program (subcommands inherit them): a repeatable
 * option's empty list is not shown as "(default: [])".
 */
export const HELP_SETTINGS: Partial<Help> = {
  optionDescription(this: Help, option: Option): string {
    const empty = Array.isArray(option.defaultValue) && option.defaultValue.length === 0;
    return Help.prototype.optionDescription.call(this, empty ? Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { defaultValue: undefined }) : option);
  },
};
