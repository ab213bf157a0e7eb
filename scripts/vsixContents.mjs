// Reads a .vsix (a zip) without dependencies and checks it against the
// package budget: fewer than 300 files, under 12 MB, no platform-specific
// binary (an executable or native library for one OS/CPU), no file twice.
// Used by scripts/package.mjs (npm run package) and test/unit/package.test.ts.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export const BUDGET = { maxFiles: 300, maxBytes: 12 * 1024 * 1024 };

/** Every entry of a zip file: name, sizes, and its uncompressed bytes on demand. */
export function readZip(file) {
  const buf = fs.readFileSync(file);
  // End of central directory: the last PK\5\6 record (at most 64 KiB of comment after it).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const data = () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + compressedSize);
      return method === 0 ? raw : zlib.inflateRawSync(raw);
    };
    entries.push({ name, size, compressedSize, data });
  }
  return entries;
}

/** What a file is, from its first bytes, when it is code for one platform. */
function nativeKind(bytes) {
  if (bytes.length < 4) return undefined;
  if (bytes[0] === 0x7f && bytes.toString('latin1', 1, 4) === 'ELF') return 'ELF (Linux) binary';
  const m = bytes.readUInt32BE(0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(m)) return 'Mach-O (macOS) binary';
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) return 'PE (Windows) binary';
  return undefined;
}

// Names that are platform-specific whatever their bytes: native addons and
// libraries, executables, and the per-platform packages of esbuild & co.
const PLATFORM_NAME = /\.(node|so(\.\d+)*|dylib|dll|exe)$|(^|\/)@esbuild\/|(^|\/)prebuilds?\//;

// The one node_modules folder that ships: the TypeScript server plugin, which
// tsserver loads by package name from <extension>/node_modules/ (src/tsPlugin).
const SHIPPED_MODULE = /^extension\/node_modules\/resnet-lab-ts-plugin\/[^/]+$/;

/** The contents of a .vsix and every way it breaks the budget. */
export function checkVsix(file, budget = BUDGET) {
  const entries = readZip(file);
  const bytes = fs.statSync(file).size;
  const problems = [];
  if (entries.length >= budget.maxFiles)
    problems.push(`${entries.length} files (budget: fewer than ${budget.maxFiles})`);
  if (bytes >= budget.maxBytes)
    problems.push(`${(bytes / 1048576).toFixed(2)} MB (budget: under ${budget.maxBytes / 1048576} MB)`);
  const byHash = new Map();
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    if (/(^|\/)node_modules\//.test(e.name) && !SHIPPED_MODULE.test(e.name))
      problems.push(`${e.name}: node_modules is not shipped (bundle it)`);
    const data = e.data();
    const kind = nativeKind(data) ?? (PLATFORM_NAME.test(e.name) ? 'platform-specific by its name' : undefined);
    if (kind) problems.push(`${e.name}: ${kind}`);
    if (data.length === 0) continue;
    const h = createHash('sha256').update(data).digest('hex');
    if (byHash.has(h)) problems.push(`${e.name}: the same bytes as ${byHash.get(h)}`);
    else byHash.set(h, e.name);
  }
  return {
    file,
    files: entries.length,
    bytes,
    entries: entries.map(({ name, size, compressedSize }) => ({ name, size, compressedSize })),
    problems,
  };
}

/** One line per file, largest first, for a person reading the package. */
export function describeVsix(r) {
  const lines = [...r.entries]
    .sort((a, b) => b.compressedSize - a.compressedSize)
    .map(
      (e) =>
        `${(e.compressedSize / 1024).toFixed(0).padStart(7)} KB  ${(e.size / 1024).toFixed(0).padStart(7)} KB unpacked  ${e.name}`,
    );
  return [`${r.file}: ${r.files} files, ${(r.bytes / 1048576).toFixed(2)} MB`, ...lines].join('\n');
}
