// Module resolution hooks (node:module register) that let Node load the njs modules as nginx does:
// a bare "name.js" import from a module in an njs directory is that directory's file; "crypto" and
// "fs" are Node's, which offer the calls the modules make (createHmac, readdirSync, ...).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  const parent = context.parentURL;
  if (parent?.startsWith('file:') && /^[\w.-]+\.js$/.test(specifier) && path.basename(path.dirname(fileURLToPath(parent))).startsWith('hls-njs-')) {
    return { url: pathToFileURL(path.join(path.dirname(fileURLToPath(parent)), specifier)).href, shortCircuit: true };
  }
  return next(specifier, context);
}
