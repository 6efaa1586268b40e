/**
 * The one declarative table of the GuestFS API, after libguestfs' generator:
 * each call's camelCase name, its libguestfs name (the alias generated on
 * GuestFS), its feature group and a one-line summary. The aliases, the
 * compatibility page and a test that every entry is implemented come from it.
 */

/** Feature groups, like libguestfs' optgroups; each is backed by host tools. */
export type ApiGroup = 'lifecycle' | 'devices' | 'partitions' | 'filesystems' | 'mount' | 'files' | 'inspect' | 'lvm2' | 'luks' | 'mdadm' | 'guest' | 'customize' | 'fix' | 'hivex';

/** One call of the API. */
export interface ApiEntry {
  /** Method name on GuestFS. */
  readonly name: string;
  /** The libguestfs call it corresponds to (an alias of the same name is generated), if any. */
  readonly libguestfs?: string;
  readonly group: ApiGroup;
  /** Lower-case summary without a final period (libguestfs' shortdesc rule). */
  readonly summary: string;
  /** vmcraft version that added it. */
  readonly since: string;
}

const v = '0.1.0';

/** Every public call of GuestFS. */
export const API = [
  { name: 'addDrive', libguestfs: 'add_drive', group: 'lifecycle', summary: 'add a disk image to the session', since: v },
  { name: 'launch', libguestfs: 'launch', group: 'lifecycle', summary: 'attach the drives and find their block devices', since: v },
  { name: 'shutdown', libguestfs: 'shutdown', group: 'lifecycle', summary: 'unmount, detach and remove everything the session set up', since: v },
  { name: 'close', libguestfs: 'close', group: 'lifecycle', summary: 'shut down and end the session', since: v },
  { name: 'metrics', group: 'lifecycle', summary: 'time spent per phase', since: v },
  { name: 'resources', group: 'lifecycle', summary: 'resources the session holds now', since: v },
  { name: 'available', libguestfs: 'feature_available', group: 'lifecycle', summary: 'whether feature groups are usable on this host', since: v },

  { name: 'listDevices', libguestfs: 'list_devices', group: 'devices', summary: 'list the whole block devices', since: v },
  { name: 'listPartitions', libguestfs: 'list_partitions', group: 'devices', summary: 'list the partitions', since: v },
  { name: 'listFilesystems', libguestfs: 'list_filesystems', group: 'devices', summary: 'list the devices that may hold filesystems, with their types', since: v },
  { name: 'blockdevGetSize64', libguestfs: 'blockdev_getsize64', group: 'devices', summary: 'get the size of a device in bytes', since: v },
  { name: 'hostDevice', group: 'devices', summary: 'get the host block device behind a session device', since: v },
  { name: 'lvs', libguestfs: 'lvs', group: 'lvm2', summary: 'list the logical volumes', since: v },
  { name: 'vgs', libguestfs: 'vgs', group: 'lvm2', summary: 'list the activated volume groups', since: v },
  { name: 'pvs', libguestfs: 'pvs', group: 'lvm2', summary: 'list the physical volumes', since: v },
  { name: 'listMdDevices', libguestfs: 'list_md_devices', group: 'mdadm', summary: 'list the assembled raid arrays', since: v },
  { name: 'luksOpen', libguestfs: 'luks_open', group: 'luks', summary: 'open a luks device with a key and activate what is inside', since: v },
  { name: 'vfsType', libguestfs: 'vfs_type', group: 'filesystems', summary: 'get the filesystem type of a device', since: v },
  { name: 'vfsUuid', libguestfs: 'vfs_uuid', group: 'filesystems', summary: 'get the filesystem uuid of a device', since: v },
  { name: 'vfsLabel', libguestfs: 'vfs_label', group: 'filesystems', summary: 'get the filesystem label of a device', since: v },

  { name: 'partGetParttype', libguestfs: 'part_get_parttype', group: 'partitions', summary: 'get the partition table type', since: v },
  { name: 'partList', libguestfs: 'part_list', group: 'partitions', summary: 'list the partitions of a partition table', since: v },
  { name: 'partGetGptType', libguestfs: 'part_get_gpt_type', group: 'partitions', summary: 'get the gpt type guid of a partition', since: v },
  { name: 'partGetGptGuid', libguestfs: 'part_get_gpt_guid', group: 'partitions', summary: 'get the gpt guid of a partition', since: v },
  { name: 'partGetName', libguestfs: 'part_get_name', group: 'partitions', summary: 'get the gpt name of a partition', since: v },
  { name: 'partGetMbrId', libguestfs: 'part_get_mbr_id', group: 'partitions', summary: 'get the mbr type byte of a partition', since: v },
  { name: 'partGetBootable', libguestfs: 'part_get_bootable', group: 'partitions', summary: 'get the mbr boot flag of a partition', since: v },
  { name: 'partToDev', libguestfs: 'part_to_dev', group: 'partitions', summary: 'get the device a partition is on', since: v },
  { name: 'partToPartnum', libguestfs: 'part_to_partnum', group: 'partitions', summary: 'get the number of a partition', since: v },

  { name: 'mount', libguestfs: 'mount', group: 'mount', summary: 'mount a filesystem', since: v },
  { name: 'mountRo', libguestfs: 'mount_ro', group: 'mount', summary: 'mount a filesystem read-only', since: v },
  { name: 'mountOptions', libguestfs: 'mount_options', group: 'mount', summary: 'mount a filesystem with options', since: v },
  { name: 'mountVfs', libguestfs: 'mount_vfs', group: 'mount', summary: 'mount a filesystem with options and type', since: v },
  { name: 'umount', libguestfs: 'umount', group: 'mount', summary: 'unmount a filesystem', since: v },
  { name: 'umountAll', libguestfs: 'umount_all', group: 'mount', summary: 'unmount every filesystem', since: v },
  { name: 'mountpoints', libguestfs: 'mountpoints', group: 'mount', summary: 'list what is mounted where', since: v },
  { name: 'mounts', libguestfs: 'mounts', group: 'mount', summary: 'list the mounted devices', since: v },
  { name: 'mountRoot', group: 'mount', summary: 'mount an inspected root and its fstab mount points', since: v },

  { name: 'read', libguestfs: 'read_file', group: 'files', summary: 'read a whole file', since: v },
  { name: 'cat', libguestfs: 'cat', group: 'files', summary: 'read a whole file as text', since: v },
  { name: 'readLines', libguestfs: 'read_lines', group: 'files', summary: 'read a file as lines', since: v },
  { name: 'write', libguestfs: 'write', group: 'files', summary: 'create or replace a file', since: v },
  { name: 'writeAppend', libguestfs: 'write_append', group: 'files', summary: 'append to a file', since: v },
  { name: 'exists', libguestfs: 'exists', group: 'files', summary: 'test whether a path exists', since: v },
  { name: 'isFile', libguestfs: 'is_file', group: 'files', summary: 'test whether a path is a regular file', since: v },
  { name: 'isDir', libguestfs: 'is_dir', group: 'files', summary: 'test whether a path is a directory', since: v },
  { name: 'isSymlink', libguestfs: 'is_symlink', group: 'files', summary: 'test whether a path is a symbolic link', since: v },
  { name: 'ls', libguestfs: 'ls', group: 'files', summary: 'list the names in a directory', since: v },
  { name: 'stat', libguestfs: 'statns', group: 'files', summary: 'get file information, following symlinks', since: v },
  { name: 'lstat', libguestfs: 'lstatns', group: 'files', summary: 'get file information of a symlink itself', since: v },
  { name: 'mkdir', libguestfs: 'mkdir', group: 'files', summary: 'create a directory', since: v },
  { name: 'mkdirP', libguestfs: 'mkdir_p', group: 'files', summary: 'create a directory and its parents', since: v },
  { name: 'rm', libguestfs: 'rm', group: 'files', summary: 'remove a file', since: v },
  { name: 'rmRf', libguestfs: 'rm_rf', group: 'files', summary: 'remove a file or directory recursively', since: v },
  { name: 'rmdir', libguestfs: 'rmdir', group: 'files', summary: 'remove an empty directory', since: v },
  { name: 'cp', libguestfs: 'cp', group: 'files', summary: 'copy a file', since: v },
  { name: 'cpA', libguestfs: 'cp_a', group: 'files', summary: 'copy a file or directory preserving attributes', since: v },
  { name: 'mv', libguestfs: 'mv', group: 'files', summary: 'move or rename a file', since: v },
  { name: 'chmod', libguestfs: 'chmod', group: 'files', summary: 'change the mode of a file', since: v },
  { name: 'chown', libguestfs: 'chown', group: 'files', summary: 'change the owner of a file', since: v },
  { name: 'lnS', libguestfs: 'ln_s', group: 'files', summary: 'create a symbolic link', since: v },
  { name: 'readlink', libguestfs: 'readlink', group: 'files', summary: 'read the target of a symbolic link', since: v },
  { name: 'touch', libguestfs: 'touch', group: 'files', summary: 'create a file or update its times', since: v },
  { name: 'truncate', libguestfs: 'truncate_size', group: 'files', summary: 'set the size of a file', since: v },
  { name: 'upload', libguestfs: 'upload', group: 'files', summary: 'copy a host file into the guest', since: v },
  { name: 'download', libguestfs: 'download', group: 'files', summary: 'copy a guest file to the host', since: v },
  { name: 'globExpand', libguestfs: 'glob_expand', group: 'files', summary: 'expand a wildcard pattern', since: v },
  { name: 'find', libguestfs: 'find', group: 'files', summary: 'list every name below a directory', since: v },
  { name: 'findModifiedSince', group: 'files', summary: 'list the files modified since a date', since: v },
  { name: 'checksum', libguestfs: 'checksum', group: 'files', summary: 'compute the checksum of a file', since: v },
  { name: 'checksums', group: 'files', summary: 'compute the checksums of every regular file below a directory', since: v },
  { name: 'checksumsOut', libguestfs: 'checksums_out', group: 'files', summary: 'write the checksums of every regular file below a directory to a host file', since: v },
  { name: 'du', libguestfs: 'du', group: 'files', summary: 'estimate the space used by a path in KiB', since: v },
  { name: 'statvfs', libguestfs: 'statvfs', group: 'files', summary: 'get filesystem statistics', since: v },
  { name: 'caseSensitivePath', libguestfs: 'case_sensitive_path', group: 'files', summary: 'get the on-disk spelling of a path matched case-insensitively', since: v },

  { name: 'inspectOs', libguestfs: 'inspect_os', group: 'inspect', summary: 'find the installed operating systems', since: v },
  { name: 'inspectOsInfo', group: 'inspect', summary: 'get everything inspection found about a root', since: v },
  { name: 'inspectGetRoots', libguestfs: 'inspect_get_roots', group: 'inspect', summary: 'get the roots found by inspection', since: v },
  { name: 'inspectFstabDevices', group: 'inspect', summary: "map each of a root's fstab entries to the session device it names", since: v },
  { name: 'inspectGetType', libguestfs: 'inspect_get_type', group: 'inspect', summary: 'get the operating system type', since: v },
  { name: 'inspectGetDistro', libguestfs: 'inspect_get_distro', group: 'inspect', summary: 'get the distribution', since: v },
  { name: 'inspectGetProductName', libguestfs: 'inspect_get_product_name', group: 'inspect', summary: 'get the product name', since: v },
  { name: 'inspectGetBuildId', libguestfs: 'inspect_get_build_id', group: 'inspect', summary: 'get the system build id', since: v },
  { name: 'inspectGetMajorVersion', libguestfs: 'inspect_get_major_version', group: 'inspect', summary: 'get the major version', since: v },
  { name: 'inspectGetMinorVersion', libguestfs: 'inspect_get_minor_version', group: 'inspect', summary: 'get the minor version', since: v },
  { name: 'inspectGetArch', libguestfs: 'inspect_get_arch', group: 'inspect', summary: 'get the architecture', since: v },
  { name: 'inspectGetHostname', libguestfs: 'inspect_get_hostname', group: 'inspect', summary: 'get the hostname', since: v },
  { name: 'inspectGetPackageFormat', libguestfs: 'inspect_get_package_format', group: 'inspect', summary: 'get the package format', since: v },
  { name: 'inspectGetPackageManagement', libguestfs: 'inspect_get_package_management', group: 'inspect', summary: 'get the package management tool', since: v },
  { name: 'inspectGetProductVariant', libguestfs: 'inspect_get_product_variant', group: 'inspect', summary: 'get the product variant (client or server for windows)', since: v },
  { name: 'inspectGetWindowsSystemroot', libguestfs: 'inspect_get_windows_systemroot', group: 'inspect', summary: 'get the windows system root', since: v },
  { name: 'inspectGetWindowsSystemHive', libguestfs: 'inspect_get_windows_system_hive', group: 'inspect', summary: 'get the path of the windows system hive', since: v },
  { name: 'inspectGetWindowsSoftwareHive', libguestfs: 'inspect_get_windows_software_hive', group: 'inspect', summary: 'get the path of the windows software hive', since: v },
  { name: 'inspectGetWindowsCurrentControlSet', libguestfs: 'inspect_get_windows_current_control_set', group: 'inspect', summary: 'get the windows current control set', since: v },
  { name: 'inspectGetDriveMappings', libguestfs: 'inspect_get_drive_mappings', group: 'inspect', summary: 'get the windows drive letters and their devices', since: v },
  { name: 'inspectGetOsinfo', libguestfs: 'inspect_get_osinfo', group: 'inspect', summary: 'get the osinfo short id', since: v },
  { name: 'inspectGetMountpoints', libguestfs: 'inspect_get_mountpoints', group: 'inspect', summary: 'get the mount points of a root', since: v },
  { name: 'inspectGetFilesystems', libguestfs: 'inspect_get_filesystems', group: 'inspect', summary: 'get the filesystems of a root', since: v },

  { name: 'command', libguestfs: 'command', group: 'guest', summary: 'run a command inside the guest', since: v },
  { name: 'sh', libguestfs: 'sh', group: 'guest', summary: 'run a shell script inside the guest', since: v },
  { name: 'shLines', libguestfs: 'sh_lines', group: 'guest', summary: 'run a shell script inside the guest and split its output into lines', since: v },
  { name: 'setHostname', group: 'customize', summary: 'set the hostname of the guest', since: v },
  { name: 'setTimezone', group: 'customize', summary: 'set the timezone of the guest', since: v },
  { name: 'setPassword', group: 'customize', summary: 'set the password of a guest user', since: v },
  { name: 'injectSshKey', group: 'customize', summary: 'add an ssh public key to a guest user', since: v },
  { name: 'writeFile', group: 'customize', summary: 'write a file only when its content differs', since: v },
  { name: 'appendLine', group: 'customize', summary: 'append a line to a file unless it has it', since: v },
  { name: 'installPackages', group: 'customize', summary: 'install packages with the guest package manager', since: v },
  { name: 'updatePackages', group: 'customize', summary: 'update all packages with the guest package manager', since: v },
  { name: 'runFirstBoot', group: 'customize', summary: 'run a script once at the next boot of the guest', since: v },
  { name: 'setMachineIdForFirstBoot', group: 'customize', summary: 'empty the machine id so that the next boot makes a new one', since: v },
  { name: 'sysprep', group: 'customize', summary: 'remove machine-specific state from the guest', since: v },
  { name: 'fixers', group: 'fix', summary: 'list the linux fixers', since: v },
  { name: 'fixPlan', group: 'fix', summary: 'plan the fixes a guest needs to boot on kvm without writing anything', since: v },
  { name: 'fixApply', group: 'fix', summary: 'apply fix plans with backups of every file changed', since: v },
  { name: 'registryKeys', group: 'hivex', summary: 'read a registry key with its values and subkey names', since: v },
  { name: 'registryRead', group: 'hivex', summary: 'read a typed registry value', since: v },
  { name: 'registryWrite', group: 'hivex', summary: 'apply a batch of registry edits with a backup of the hive', since: v },
  { name: 'registryExport', group: 'hivex', summary: 'export a registry key and its subtree as reg text', since: v },
  { name: 'registryMerge', group: 'hivex', summary: 'merge reg text into a hive with a backup', since: v },
  { name: 'hivexOpen', libguestfs: 'hivex_open', group: 'hivex', summary: 'open a registry hive file of the guest, for reading or with write for changes', since: v },
  { name: 'hivexClose', libguestfs: 'hivex_close', group: 'hivex', summary: 'close the open hive, dropping uncommitted changes', since: v },
  { name: 'hivexRoot', libguestfs: 'hivex_root', group: 'hivex', summary: 'get the root node of the open hive', since: v },
  { name: 'hivexNodeName', libguestfs: 'hivex_node_name', group: 'hivex', summary: 'get the name of a node', since: v },
  { name: 'hivexNodeParent', libguestfs: 'hivex_node_parent', group: 'hivex', summary: 'get the parent of a node', since: v },
  { name: 'hivexNodeChildren', libguestfs: 'hivex_node_children', group: 'hivex', summary: 'list the child nodes of a node', since: v },
  { name: 'hivexNodeGetChild', libguestfs: 'hivex_node_get_child', group: 'hivex', summary: 'get a child node by name', since: v },
  { name: 'hivexNodeValues', libguestfs: 'hivex_node_values', group: 'hivex', summary: 'list the values of a node', since: v },
  { name: 'hivexNodeGetValue', libguestfs: 'hivex_node_get_value', group: 'hivex', summary: 'get a value of a node by name', since: v },
  { name: 'hivexValueKey', libguestfs: 'hivex_value_key', group: 'hivex', summary: 'get the name of a value', since: v },
  { name: 'hivexValueType', libguestfs: 'hivex_value_type', group: 'hivex', summary: 'get the type number of a value', since: v },
  { name: 'hivexValueValue', libguestfs: 'hivex_value_value', group: 'hivex', summary: 'get the bytes of a value', since: v },
  { name: 'hivexValueString', libguestfs: 'hivex_value_string', group: 'hivex', summary: 'get a string value as text', since: v },
  { name: 'hivexValueUtf8', libguestfs: 'hivex_value_utf8', group: 'hivex', summary: 'get a string value as text (deprecated name of hivex_value_string)', since: v },
  { name: 'hivexNodeAddChild', libguestfs: 'hivex_node_add_child', group: 'hivex', summary: 'add a child node', since: v },
  { name: 'hivexNodeDeleteChild', libguestfs: 'hivex_node_delete_child', group: 'hivex', summary: 'delete a node and everything below it', since: v },
  { name: 'hivexNodeSetValue', libguestfs: 'hivex_node_set_value', group: 'hivex', summary: 'set or add a value of a node', since: v },
  { name: 'hivexCommit', libguestfs: 'hivex_commit', group: 'hivex', summary: 'write the open hive with its changes to the guest, with a backup', since: v },
  { name: 'windowsPath', group: 'files', summary: 'get the guest path of a windows path as spelled on disk', since: v },
  { name: 'injectVirtioDrivers', group: 'fix', summary: 'inject virtio drivers into a windows guest', since: v },
] as const satisfies readonly ApiEntry[];

/** Entries that have a libguestfs alias. */
type AliasedEntry = Extract<(typeof API)[number], { libguestfs: string }>;

/** The libguestfs-named aliases of a class `T` that implements the API. */
export type LibguestfsAliases<T> = {
  [E in AliasedEntry as E['libguestfs']]: E['name'] extends keyof T ? T[E['name']] : never;
};

/** Defines every libguestfs alias on `prototype` as the same function as its camelCase method. */
export function installAliases(prototype: object): void {
  for (const entry of API as readonly ApiEntry[]) {
    if (!entry.libguestfs || entry.libguestfs === entry.name) continue;
    const method = (prototype as Record<string, unknown>)[entry.name];
    if (typeof method !== 'function') throw new Error(`API table names ${entry.name}, which GuestFS does not implement`);
    Object.defineProperty(prototype, entry.libguestfs, { value: method, writable: true, configurable: true, enumerable: false });
  }
}
