/** The `customize` and `fix` subcommands: the jobs users script most, on an inspected, mounted guest. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { GuestFS } from '../guestfs.js';
import type { FixPlan } from '../fix/types.js';
import type { ShellIo } from './shell.js';

const collect = (value: string, previous: string[]) => [...previous, value];

async function openMounted(images: string[], readonly: boolean, keys: string[]): Promise<GuestFS> {
  const g = await GuestFS.open(images, { readonly, keys });
  const [root] = await g.inspectOs();
  if (!root) {
    await g.close();
    throw Object.assign(new Error('no operating system found'), { code: 'EINSPECT' });
  }
  await g.mountRoot(root);
  return g;
}

/** `user:KEY` or `user:file:PATH` → [user, key]. */
async function sshKeyArg(arg: string): Promise<[string, string]> {
  const [user, ...rest] = arg.split(':');
  const value = rest.join(':');
  return [user!, value.startsWith('file:') ? (await readFile(value.slice(5), 'utf8')).trim() : value];
}

interface CustomizeFlags { add: string[]; key: string[]; hostname?: string; timezone?: string; sshInject: string[]; rootPassword?: string; install: string[]; firstboot: string[]; sysprep?: boolean }

/** Adds `customize` and `fix` to the program. */
export function addJobCommands(program: Command, io: ShellIo): void {
  program
    .command('customize')
    .description('customise a guest before its first boot (like virt-customize)')
    .requiredOption('-a, --add <image>', 'disk image (repeat for several drives)', collect, [])
    .option('--key <passphrase>', 'LUKS passphrase (repeatable)', collect, [])
    .option('--hostname <name>', 'set the hostname')
    .option('--timezone <zone>', 'set the timezone, e.g. Europe/Paris')
    .option('--ssh-inject <user:key>', 'add an SSH public key (user:KEY or user:file:PATH; repeatable)', collect, [])
    .option('--root-password <spec>', 'password:SECRET or file:PATH (hashed with SHA-512; never logged)')
    .option('--install <packages>', 'install packages, comma-separated (repeatable)', collect, [])
    .option('--firstboot <script>', 'a script file to run once at the next boot (repeatable)', collect, [])
    .option('--sysprep', 'remove machine-specific state (machine-id, SSH host keys, logs…)')
    .action(async (flags: CustomizeFlags) => {
      const g = await openMounted(flags.add, false, flags.key);
      try {
        if (flags.hostname) io.out(`hostname: ${(await g.setHostname(flags.hostname)) ? 'set' : 'unchanged'}`);
        if (flags.timezone) io.out(`timezone: ${(await g.setTimezone(flags.timezone)) ? 'set' : 'unchanged'}`);
        for (const arg of flags.sshInject) {
          const [user, key] = await sshKeyArg(arg);
          io.out(`ssh key for ${user}: ${(await g.injectSshKey(user, key)) ? 'added' : 'already there'}`);
        }
        if (flags.rootPassword) {
          const [kind, ...rest] = flags.rootPassword.split(':');
          const secret = kind === 'file' ? (await readFile(rest.join(':'), 'utf8')).trim() : rest.join(':');
          await g.setPassword('root', { password: secret });
          io.out('root password: set');
        }
        const packages = flags.install.flatMap((p) => p.split(',')).filter(Boolean);
        if (packages.length) {
          await g.installPackages(packages);
          io.out(`installed: ${packages.join(' ')}`);
        }
        for (const [i, file] of flags.firstboot.entries()) io.out(`first boot: ${await g.runFirstBoot(await readFile(file, 'utf8'), `${String(i).padStart(2, '0')}-script`)}`);
        if (flags.sysprep) {
          const r = await g.sysprep();
          io.out(`sysprep: removed ${r.removed.length}, emptied ${r.emptied.length}`);
        }
      } finally {
        await g.close();
      }
    });

  program
    .command('fix')
    .description('make a guest from VMware, Hyper-V or a cloud boot on KVM: shows the plan, --apply applies it')
    .requiredOption('-a, --add <image>', 'disk image (repeat for several drives)', collect, [])
    .option('--key <passphrase>', 'LUKS passphrase (repeatable)', collect, [])
    .option('--fixer <name>', 'run only these fixers (repeatable)', collect, [])
    .option('--apply', 'apply the plan (backups of every file changed go to /var/lib/vmcraft/backups in the guest)')
    .option('--regenerate-grub', "regenerate grub.cfg with the guest's grub-mkconfig")
    .option('--json', 'print the plan (and report) as JSON')
    .action(async (flags: { add: string[]; key: string[]; fixer: string[]; apply?: boolean; regenerateGrub?: boolean; json?: boolean }) => {
      const g = await openMounted(flags.add, !flags.apply, flags.key);
      try {
        const plans = await g.fixPlan(flags.fixer.length ? flags.fixer : undefined, { regenerateGrub: flags.regenerateGrub ?? false });
        const reports = flags.apply ? await g.fixApply(plans) : undefined;
        if (flags.json) io.out(JSON.stringify({ plans, ...(reports ? { reports } : {}) }, null, 2));
        else printPlans(plans, io, flags.apply ?? false);
      } finally {
        await g.close();
      }
    });
}

function printPlans(plans: FixPlan[], io: ShellIo, applied: boolean): void {
  for (const plan of plans) {
    const work = plan.changes.length + plan.commands.length;
    io.out(`${plan.fixer}: ${work === 0 ? 'nothing to do' : `${work} change(s)${applied ? ' applied' : ' planned'}`}`);
    for (const c of plan.changes) for (const r of c.reasons) io.out(`  ${c.path}: ${r}`);
    for (const argv of plan.commands) io.out(`  run: ${argv.join(' ')}`);
    for (const n of plan.notes) io.out(`  note: ${n}`);
  }
}
