import { readFileSync } from 'node:fs';
import { instantiateSync } from '@assemblyscript/loader';

/** The built module, found from this file (dist/wasm-core/host) or its source (wasm-core/host). */
const CANDIDATES = ['../../../wasm-core/build/', '../build/'];

let compiled: WebAssembly.Module | null = null;

/** Compiles core.wasm once per thread; every receiver instantiates it with its own memory. */
export function coreModule(): WebAssembly.Module {
  if (compiled) return compiled;
  let lastError: unknown;
  for (const dir of CANDIDATES) {
    try {
      compiled = new WebAssembly.Module(readFileSync(new URL(`${dir}core.wasm`, import.meta.url)));
      return compiled;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`wasm-core/build/core.wasm is missing or invalid; run "node wasm-core/build.mjs" (${String(lastError)})`);
}

/** A fresh instance. `abort` throws, so a failed assertion in a debug build is never silent. */
export function instantiateCore<T extends Record<string, unknown>>(): T & { memory: WebAssembly.Memory } {
  const { instance } = instantiateSync<T>(coreModule(), {
    env: {
      abort: (_message: number, _file: number, line: number, column: number) => {
        throw new Error(`wasm-core aborted at line ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as T & { memory: WebAssembly.Memory };
}
