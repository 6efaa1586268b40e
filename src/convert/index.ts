/** The converter: format detection, info, conversion with progress, chains, OVA/OVF. Importable on its own. */
export { detectFormat, detectFromSample, qemuDriver, type ImageFormat, type FormatDetection, type FileSample } from './detect.js';
export { imageInfo, parseImageInfo, type ImageInfo, type ImageLayerInfo, type ImageInfoOptions, type Qcow2Details, type VmdkDetails } from './info.js';
export { convert, convertArgs, type ConvertOptions, type ConvertResult, type OutputFormat } from './convert.js';
export { ProgressTracker, parseProgressPercents, type ProgressEvent } from './progress.js';
export { resolveChain, type ChainLink, type ResolveChainOptions } from './chain.js';
export type { ChainPolicy } from '../attach/references.js';
export { flatten } from './flatten.js';
export { parseQcow2References, parseQedReferences, readHeaderReferences, type HeaderReferences } from './headers.js';
export { parseVhdFooter, parseVhdDynamicHeader, readVhd, vhdParentOf, mergeVhdChain, type VhdFooter, type VhdDynamicHeader, type VhdLocatorEntry, type VhdLayout } from './vhd.js';
export { parseVmdkDescriptor, readVmdkDescriptor, NO_PARENT_CID, type VmdkDescriptor, type VmdkExtent } from './vmdk.js';
export { parseOvf, parseManifest, allocationUnits, type OvfDescriptor, type OvfDisk, type OvfFile, type OvfNic, type ManifestEntry } from './ovf.js';
export { extractOva, safeMemberName, type OvaContents, type ExtractedFile } from './ova.js';
export { readOvfPackage, type OvfPackage } from './ovf-package.js';
