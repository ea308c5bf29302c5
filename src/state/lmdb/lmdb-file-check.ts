import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { arch, endianness } from 'node:os';

/**
 * Checks the meta pages of an LMDB `data.mdb` before lmdb-js opens it. Needed because lmdb-js 3.5.6
 * crashes the whole process (SIGSEGV in its failed-open cleanup) whenever LMDB refuses a file, e.g. one
 * overwritten with garbage, and a truncated file makes LMDB read past the end of its memory map (SIGBUS).
 * This check turns those cases into an error the runtime can handle by wiping and restoring.
 *
 * It checks what LMDB reads at open: the meta pages (flags, magic 0xBEEFC0DE, format version, page size)
 * and that every meta's last page and tree roots lie inside the file. It does not read data pages:
 * garbage there surfaces as MDB_CORRUPTED errors when read, which the store reports as corruption.
 *
 * Layout (64-bit little-endian builds, LMDB 1.0 as bundled by lmdb-js): a page header is 24 bytes and
 * holds its flags at byte 18; the meta follows it. With lmdb-js's overlapping sync a third meta, without
 * header, sits half a page in.
 */
export function checkLmdbDataFile(path: string): string | undefined {
  // Other layouts are not decoded: skip rather than reject valid files.
  if (endianness() !== 'LE' || !['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(arch())) {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot be read (${(error as Error).message})`;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined; // LMDB initialises an empty file as a new environment.
    const first = readAt(fd, 0, headerBytes);
    if (first.length < headerBytes) return `is ${size} bytes long, shorter than an LMDB meta page`;
    const problem = checkMetaPage(first, 'meta page 0');
    if (problem !== undefined) return problem;
    const pageSize = first.readUInt32LE(offsets.pageSize);
    if (size < 2 * pageSize) return `is ${size} bytes long, shorter than its two meta pages`;
    const second = readAt(fd, pageSize, headerBytes);
    const secondProblem = checkMetaPage(second, 'meta page 1');
    if (secondProblem !== undefined) return secondProblem;
    const middle = readAt(fd, pageSize / 2, headerBytes);
    const pages = Math.floor(size / pageSize);
    for (const [label, meta, hasHeader] of [
      ['meta page 0', first, true],
      ['meta page 1', second, true],
      ['the overlapping-sync meta', middle, false],
    ] as const) {
      // The header-less meta is unused (all zero) until the first overlapping-sync commit.
      if (!hasHeader && meta.readBigUInt64LE(offsets.txnId) === 0n) continue;
      const problem = checkMetaBounds(meta, label, pageSize, pages);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const headerBytes = 160;
const offsets = {
  pageFlags: 18,
  magic: 24,
  version: 28,
  pageSize: 48,
  freeRoot: 88,
  mainRoot: 136,
  lastPage: 144,
  txnId: 152,
} as const;
const metaPageFlag = 0x08;
const lmdbMagic = 0xbeefc0de;
const dataVersion = 2;
const noPage = 0xffffffffffffffffn;

function checkMetaPage(page: Buffer, label: string): string | undefined {
  if (page.length < headerBytes) return `ends inside ${label}`;
  if ((page.readUInt16LE(offsets.pageFlags) & metaPageFlag) === 0) return `has no LMDB ${label}`;
  if (page.readUInt32LE(offsets.magic) !== lmdbMagic) return `has no LMDB magic number in ${label}`;
  const version = page.readUInt32LE(offsets.version) & 0xffff;
  if (version !== dataVersion) return `has LMDB format version ${version} in ${label}, expected ${dataVersion}`;
  const pageSize = page.readUInt32LE(offsets.pageSize);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return `has an invalid page size ${pageSize} in ${label}`;
  }
  return undefined;
}

function checkMetaBounds(meta: Buffer, label: string, pageSize: number, pages: number): string | undefined {
  if (meta.readUInt32LE(offsets.pageSize) !== pageSize) return `has inconsistent page sizes in ${label}`;
  const lastPage = meta.readBigUInt64LE(offsets.lastPage);
  if (lastPage >= BigInt(pages)) {
    return `is truncated: ${label} refers to page ${lastPage} but the file holds ${pages} pages`;
  }
  for (const root of [meta.readBigUInt64LE(offsets.freeRoot), meta.readBigUInt64LE(offsets.mainRoot)]) {
    if (root !== noPage && root > lastPage) return `has a tree root (page ${root}) beyond the last page in ${label}`;
  }
  return undefined;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}
