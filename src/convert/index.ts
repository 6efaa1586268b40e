/**
 * The converter: format detection, info, conversion with progress, chains, OVA/OVF. Importable on its own.
 * Format detection, chain resolution and the image headers they read belong to attach/ (an image is
 * checked before it is attached); they are handed on here unchanged.
 */
export { detectFormat, detectFromSample, qemuDriver, type ImageFormat, type FormatDetection, type FileSample } from '../attach/detect.js';
export { imageInfo, parseImageInfo, type ImageInfo, type ImageLayerInfo, type ImageInfoOptions, type Qcow2Details, type VmdkDetails } from './info.js';
export { convert, convertArgs, type ConvertOptions, type ConvertResult, type OutputFormat } from './convert.js';
export { ProgressTracker, parseProgressPercents, type ProgressEvent } from './progress.js';
export { resolveChain, type ChainLink, type ResolveChainOptions } from '../attach/chain.js';
export type { ChainPolicy } from '../attach/references.js';
export { flatten } from './flatten.js';
export { parseQcow2References, parseQedReferences, readHeaderReferences, type HeaderReferences } from '../attach/headers.js';
export { parseVhdFooter, parseVhdDynamicHeader, readVhd, vhdParentOf, type VhdFooter, type VhdDynamicHeader, type VhdLocatorEntry, type VhdLayout } from '../attach/vhd.js';
export { mergeVhdChain } from './vhd.js';
export { parseVmdkDescriptor, readVmdkDescriptor, NO_PARENT_CID, type VmdkDescriptor, type VmdkExtent } from '../attach/vmdk.js';
export { parseOvf, parseManifest, allocationUnits, type OvfDescriptor, type OvfDisk, type OvfFile, type OvfNic, type ManifestEntry } from './ovf.js';
export { extractOva, safeMemberName, type OvaContents, type ExtractedFile } from './ova.js';
export { readOvfPackage, type OvfPackage } from './ovf-package.js';
