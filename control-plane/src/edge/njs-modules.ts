import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { nginxTemplateDir } from '../nginx/nginx-config.js';

/** What an edge's njsDir holds: nginx/njs/*.js and the wasm2js build of wasm-core they import. */
export async function njsModuleFiles(): Promise<Map<string, string>> {
  const njsDir = path.join(nginxTemplateDir(), 'njs');
  const files = new Map<string, string>();
  for (const name of (await readdir(njsDir)).filter((n) => n.endsWith('.js')).sort()) files.set(name, path.join(njsDir, name));
  files.set('wasm-core.js', path.join(nginxTemplateDir(), '..', 'wasm-core', 'build', 'njs', 'wasm-core.js'));
  return files;
}

/** Copies every njs module into `dir`, so a rebuild never swaps files under a running nginx. */
export async function installNjsModules(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, file] of await njsModuleFiles()) await copyFile(file, path.join(dir, name));
}
