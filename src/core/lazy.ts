/**
 * Modules loaded when a call first needs them, not when vmcraft is imported:
 * execa alone doubles node's start-up, yaml, the XML parser, tar and the
 * progress bars each add tens of milliseconds that most programs never use.
 */

/** A loader that imports once, on its first call: `const loadYaml = lazy(() => import('yaml'))`. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
