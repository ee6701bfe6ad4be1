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
