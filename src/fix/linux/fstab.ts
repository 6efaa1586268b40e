/**
 * fstab and crypttab: entries that name a disk by a name the hypervisor
 * decides (/dev/sdX, /dev/vdX, /dev/xvdX, /dev/hdX, /dev/nvmeXnY, by-path,
 * by-id) are rewritten to UUID= (or PARTUUID=), keeping comments, options,
 * spacing and order. Network, bind and pseudo filesystems are left alone.
 */

/** Specs whose meaning changes when the disk moves to another controller. */
export const UNSTABLE_SPEC = /^\/dev\/((sd|vd|xvd|hd)[a-z]+\d*|nvme\d+n\d+(p\d+)?|disk\/by-(path|id)\/.+)$/;

/** Stable names of a device: its filesystem UUID, else its partition UUID. */
export type StableName = (spec: string) => string | undefined;

/** One rewritten line. */
export interface SpecRewrite { line: number; from: string; to: string }

/**
 * Rewrites the spec field (field 1 of fstab, field 2 of crypttab) of lines
 * whose spec is unstable and resolvable; returns the new text and what changed.
 */
export function rewriteSpecs(text: string, field: 0 | 1, stable: StableName): { text: string; rewrites: SpecRewrite[] } {
  const rewrites: SpecRewrite[] = [];
  const lines = text.split('\n').map((line, index) => {
    if (/^\s*(#|$)/.test(line)) return line;
    const parts = line.match(/^(\s*)(\S+)(\s+)(\S+)(.*)$/s);
    if (!parts) return line;
    const spec = field === 0 ? parts[2]! : parts[4]!;
    if (!UNSTABLE_SPEC.test(spec)) return line;
    const to = stable(spec);
    if (!to) return line;
    rewrites.push({ line: index + 1, from: spec, to });
    return field === 0 ? `${parts[1]}${to}${parts[3]}${parts[4]}${parts[5]}` : `${parts[1]}${parts[2]}${parts[3]}${to}${parts[5]}`;
  });
  return { text: lines.join('\n'), rewrites };
}
