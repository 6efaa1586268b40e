/**
 * The agent inside a VM-mode session's VM (built as dist/vm-agent.js, all its
 * code in one file, and carried in the VM's initramfs). It serves one
 * host-mode session over the VM's disks on a virtio-serial port: the host
 * sends the launch, the calls (by their names in the API table) and the
 * close; the agent sends their results with the session state the host
 * mirrors, and the session's events as they happen. When the port closes or
 * the session is closed, it exits and the VM powers off.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { API } from './api/table.js';
import { GuestFS } from './guestfs.js';
import { AGENT_PORT, MODULES_LOADED } from './vm/appliance.js';
import { decodeMessage, encodeMessage, readMessages, toWire, type AgentMessage, type HostMessage, type MirroredState } from './vm/protocol.js';

const CALLS = new Set(API.filter((e) => e.impl).map((e) => e.name));

/** The virtio-serial port named {@link AGENT_PORT}. */
async function agentPort(): Promise<string> {
  for (const port of await readdir('/sys/class/virtio-ports')) {
    if ((await readFile(`/sys/class/virtio-ports/${port}/name`, 'utf8')).trim() === AGENT_PORT) return `/dev/${port}`;
  }
  throw new Error(`no virtio port named ${AGENT_PORT}`);
}

/** The VM disk whose serial is `serial` (the host names each drive's disk `vmcraft<N>`). */
async function diskBySerial(serial: string): Promise<string> {
  for (const disk of await readdir('/sys/block')) {
    const found = await readFile(`/sys/block/${disk}/serial`, 'utf8').then((s) => s.trim(), () => '');
    if (found === serial) return `/dev/${disk}`;
  }
  throw new Error(`no disk with serial ${serial}`);
}

const port = await open(await agentPort(), 'r+');
const output = port.createWriteStream();
const send = (message: AgentMessage): void => void output.write(encodeMessage(message));

/**
 * Ends the agent (the second stage then powers the VM off). Not process.exit():
 * it waits for the thread pool, one of whose threads is blocked reading the port.
 */
function stop(): void {
  process.kill(process.pid, 'SIGKILL');
}

let g: GuestFS | undefined;
let lastState = '';
const running = new Map<number, AbortController>();

/** The state to send with a result: only when it changed since the last one sent. */
function changedState(): MirroredState | undefined {
  if (!g || g.status !== 'launched') return undefined;
  const state: MirroredState = { devices: g.devices, roots: [...g.roots], mounts: g.mountpoints() };
  const json = JSON.stringify(state);
  if (json === lastState) return undefined;
  lastState = json;
  return state;
}

async function answer(id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    const value = await work();
    send({ t: 'done', id, value, ...withState() });
  } catch (err) {
    send({ t: 'done', id, error: toWire(err), ...withState() });
  } finally {
    running.delete(id);
  }
}

function withState(): { state?: MirroredState } {
  const state = changedState();
  return state ? { state } : {};
}

/** Waits (up to 30 s) for the second stage to have loaded the storage modules, which the session's host probe looks for. */
async function modulesLoaded(): Promise<void> {
  for (let waited = 0; waited < 30_000 && !existsSync(MODULES_LOADED); waited += 20) await new Promise((r) => setTimeout(r, 20));
}

async function launch(message: Extract<HostMessage, { t: 'launch' }>): Promise<void> {
  await modulesLoaded();
  const session = new GuestFS({ ...message.options, mode: 'host', backend: 'device', handleSignals: false });
  for (const event of ['trace', 'log', 'progress', 'phase'] as const) session.on(event, (data: unknown) => send({ t: 'event', event, data }));
  for (const drive of message.drives) session.addDrive(await diskBySerial(drive.serial), { format: 'raw', readonly: drive.readonly });
  g = session;
  await session.launch();
}

async function close(): Promise<void> {
  await g?.close();
}

function handle(message: HostMessage): void {
  switch (message.t) {
    case 'launch':
      void answer(message.id, () => launch(message));
      return;
    case 'call': {
      const { id, name, args } = message;
      void answer(id, async () => {
        if (!CALLS.has(name)) throw new Error(`${name} is not a call of the API`);
        if (!g) throw new Error('the session is not launched');
        return (g as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      });
      return;
    }
    case 'abort':
      running.get(message.id)?.abort(new Error('aborted by the caller'));
      return;
    case 'close':
      void answer(message.id, close).then(() => output.write('', stop));
  }
}

readMessages(
  port.createReadStream(),
  (line) => {
    const controller = new AbortController();
    const message = decodeMessage(line, controller.signal) as HostMessage;
    if (message.t === 'call') running.set(message.id, controller);
    handle(message);
  },
  (err) => {
    console.error(`vmcraft-agent: ${err.message}`);
    void close().finally(stop);
  },
);
send({ t: 'hello', node: process.version });
