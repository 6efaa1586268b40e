/** A program in a real terminal: a detached tmux session, its screen read back and keys sent to it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

/** One tmux session running one command line. */
export interface Terminal {
  /** The screen with 200 lines of scrollback. */
  screen(): Promise<string>;
  /** Waits until the screen shows `text`; returns the screen. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Types keys (tmux names: Enter, Tab, C-c). */
  send(...keys: string[]): Promise<void>;
  /** Waits up to 10 s for the program to end; whether it did. */
  ended(): Promise<boolean>;
  /** Ends the session (afterAll). */
  kill(): Promise<void>;
}

const tmux = (...args: string[]) => execa('tmux', args, { reject: false });

/** Starts `command` (a shell command line) in a 160x50 terminal named `name`. */
export async function openTerminal(name: string, command: string): Promise<Terminal> {
  await tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '50', command);
  const screen = async () => (await tmux('capture-pane', '-p', '-t', name, '-S', '-200')).stdout;
  return {
    screen,
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await screen();
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s}`);
        await sleep(100);
      }
    },
    async send(...keys) {
      await tmux('send-keys', '-t', name, ...keys);
    },
    async ended() {
      for (let i = 0; i < 100 && (await tmux('has-session', '-t', name)).exitCode === 0; i++) await sleep(100);
      return (await tmux('has-session', '-t', name)).exitCode !== 0;
    },
    async kill() {
      await tmux('kill-session', '-t', name);
    },
  };
}
