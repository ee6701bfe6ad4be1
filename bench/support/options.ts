/** A numeric command-line option of a benchmark (`-- --seconds 40`), or its default. */
export function numberOption(name: string, fallback: number, args: string[] = process.argv.slice(2)): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got "${args[at + 1]}"`);
  return value;
}
