/**
 * Where the sessions of a CLI invocation run: `--vm`, `--host` or
 * `--mode <auto|host|vm>`, on every command that opens images, before or
 * after the command's name, given to the session as its `mode` option
 * (see GuestFSOptions.mode; without a flag the session's default, `auto`).
 *
 * {@link addModeOptions} adds the three options to a command (`--vm` and
 * `--host` conflict with each other and with `--mode`); {@link modeHook}, a
 * commander preAction hook, reads them once per invocation, and
 * launchSession (output.ts) uses {@link requestedMode}.
 */
import { Option, type Command } from 'commander';
import type { SessionMode } from '../api/options.js';

/** The mode options as commander parses them. */
export interface ModeFlags {
  vm?: boolean;
  host?: boolean;
  mode?: SessionMode;
}

/** The values `--mode` takes. */
export const MODE_CHOICES: readonly SessionMode[] = ['auto', 'host', 'vm'];

/** Adds `--vm`, `--host` and `--mode <mode>` to a command that opens images (once). */
export function addModeOptions(command: Command): Command {
  if (command.options.some((o) => o.long === '--mode')) return command;
  return command
    .addOption(new Option('--vm', "run the session in a throwaway VM with its own kernel: the image never meets this host's kernel, root not needed (same as --mode vm)").conflicts(['host', 'mode']))
    .addOption(new Option('--host', "run the session on this host's kernel: fast, needs root (same as --mode host)").conflicts(['vm', 'mode']))
    .addOption(new Option('--mode <mode>', 'where the session runs; auto: on the host when it can do what the images need, else in a VM (default: auto)').choices(MODE_CHOICES));
}

/** Whether a command takes the mode options. */
export function takesMode(command: Command): boolean {
  return command.options.some((o) => o.long === '--mode');
}

/** The mode the flags ask for; undefined when none is given. */
export function modeOf(flags: ModeFlags): SessionMode | undefined {
  return flags.vm ? 'vm' : flags.host ? 'host' : flags.mode;
}

/** The flag as the user spelled it, for messages. */
function spelled(flags: ModeFlags): string {
  return flags.vm ? '--vm' : flags.host ? '--host' : `--mode ${flags.mode}`;
}

let requested: SessionMode | undefined;

/** The mode this invocation's flags ask for; undefined when none was given. */
export function requestedMode(): SessionMode | undefined {
  return requested;
}

/**
 * A commander preAction hook: the mode flags given before the subcommand's
 * name and after it both count. Asking two different modes, or giving a mode
 * to a command that opens no image, is a usage error (exit 2).
 */
export function modeHook(thisCommand: Command, actionCommand: Command): void {
  const globalFlags = thisCommand.opts<ModeFlags>();
  const global = modeOf(globalFlags);
  const localFlags = actionCommand === thisCommand ? {} : actionCommand.opts<ModeFlags>();
  const local = modeOf(localFlags);
  if (global && actionCommand !== thisCommand && !takesMode(actionCommand)) {
    actionCommand.error(`error: ${spelled(globalFlags)} applies to commands that open images; \`${actionCommand.name()}\` opens none`, { exitCode: 2, code: 'vmcraft.modeNotApplicable' });
  }
  if (global && local && global !== local) {
    actionCommand.error(`error: ${spelled(globalFlags)} before \`${actionCommand.name()}\` and ${spelled(localFlags)} after it ask for different modes`, { exitCode: 2, code: 'vmcraft.conflictingMode' });
  }
  requested = local ?? global;
}
