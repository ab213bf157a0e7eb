// esbuild runs as WebAssembly, and a WebAssembly instance reserves several GB
// of address space up front (guard regions), whatever it will use. Under an
// address-space limit (`ulimit -v`) that reservation fails as "WebAssembly.
// instantiate(): Out of memory", which says neither what was being done nor
// why. This names both: compiling which file, under which limit.
import * as fs from 'node:fs';

const WASM_OUT_OF_MEMORY = /WebAssembly\.(instantiate|Module|Memory)|Cannot allocate Wasm memory|Out of memory/i;

/** The process's address-space limit in bytes (`ulimit -v`, Linux), or undefined when there is none or it is unknown. */
export function addressSpaceLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max address space\s+(\S+)/m.exec(text)?.[1];
  return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** "this process's address-space limit of 4.1 GB (ulimit -v 4000000)", or undefined when there is none. */
export function addressSpaceLimitText(limit = addressSpaceLimit()): string | undefined {
  return limit === undefined
    ? undefined
    : `this process's address-space limit of ${gb(limit)} (ulimit -v ${Math.floor(limit / 1024)})`;
}

/** The one line for a compiler that could not get its memory, or undefined when `e` is something else. */
export function compilerOutOfMemory(file: string, e: unknown, limit = addressSpaceLimit()): string | undefined {
  if (!(e instanceof Error) || !WASM_OUT_OF_MEMORY.test(e.message)) return undefined;
  const limitText = addressSpaceLimitText(limit);
  const why =
    limitText === undefined
      ? 'the compiler (esbuild as WebAssembly) could not reserve its memory'
      : `the compiler (esbuild as WebAssembly, which reserves about 10 GB of address space) could not get it under ${limitText}`;
  return `out of memory compiling ${file}: ${why}; raise the limit (ulimit -v unlimited) or free memory, and try again`;
}
