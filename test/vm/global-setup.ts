/** Refuses to run the kernel tests outside the VM (they need its kernel and change /dev). */
export default function setup(): void {
  if (process.env.VMCRAFT_IN_VM !== '1') throw new Error('the kernel tests run inside the VM: npx tsx test/vm/run.ts -- npx vitest run -c vitest.vm.config.ts');
}
