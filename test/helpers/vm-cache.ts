/** A private VM cache for tests that must really build into it: the cache module reads $VMCRAFT_VM_CACHE when it loads. */
import { vi } from 'vitest';

/** Points $VMCRAFT_VM_CACHE at a test's own directory, and back. */
export function privateVmCache(): { load<T>(cache: string, load: () => Promise<T>): Promise<T>; restore(): void } {
  const saved = process.env.VMCRAFT_VM_CACHE;
  return {
    /** Sets the variable to `cache` and runs `load` (an import) on fresh modules, which see it. */
    async load(cache, load) {
      process.env.VMCRAFT_VM_CACHE = cache;
      vi.resetModules();
      return load();
    },
    /** Puts the variable back as it was, for the modules other tests load. */
    restore() {
      if (saved === undefined) delete process.env.VMCRAFT_VM_CACHE;
      else process.env.VMCRAFT_VM_CACHE = saved;
      vi.resetModules();
    },
  };
}
