/** A numeric command-line option of a benchmark (`-- --seconds 40`), or its default. */
export function numberOption(name: string, fallback: number, args: string[] = process.argv.slice(2)): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got "${args[at + 1]}"`);
  return value;
}

/** A text command-line option of a benchmark (`-- --protocols srt,rtmp`), or its default. */
export function textOption(name: string, fallback: string, args: string[] = process.argv.slice(2)): string {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}
