import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** nginx/ at the repository root, from this file in control-plane/src/origin or dist/control-plane/src/origin. */
export function nginxTemplateDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, '..', '..', '..', 'nginx');
  const fromDist = path.resolve(here, '..', '..', '..', '..', 'nginx');
  return here.includes(`${path.sep}dist${path.sep}`) ? fromDist : fromSource;
}

/**
 * Fills ${NAME} placeholders with the given values and leaves every other `$` alone (nginx's own
 * variables). A placeholder without a value is an error, not an empty string in a config.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => {
    if (!(name in values)) throw new Error(`nginx template needs a value for \${${name}}`);
    return values[name];
  });
}

export async function renderTemplateFile(name: string, values: Record<string, string>): Promise<string> {
  return renderTemplate(await readFile(path.join(nginxTemplateDir(), name), 'utf8'), values);
}

/** What a template holds where the generation goes: replaced once the rest of the config is known. */
const GENERATION_PLACEHOLDER = '@@config-generation@@';
/** How the generation appears in a rendered config (the /healthz header that reports it). */
const GENERATION_HEADER = /X-HLS-Config-Generation "([0-9a-f]{16})"/;

/**
 * Renders a server template whose ${CONFIG_GENERATION} names this exact config: the first 64 bits
 * of the SHA-256 of everything else in it. nginx reports it on /healthz, so "applied" can mean
 * "seen running", and the same database state always renders the same generation.
 */
export async function renderServerConfig(name: string, values: Record<string, string>): Promise<string> {
  const text = await renderTemplateFile(name, { ...values, CONFIG_GENERATION: GENERATION_PLACEHOLDER });
  const generation = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return text.split(GENERATION_PLACEHOLDER).join(generation);
}

/** The generation a rendered server config reports; null for a config without one. */
export function configGeneration(serverConfig: string): string | null {
  return GENERATION_HEADER.exec(serverConfig)?.[1] ?? null;
}

/** The response header nginx reports its generation in. */
export const GENERATION_RESPONSE_HEADER = 'x-hls-config-generation';
