import { QueryFailedError } from 'typeorm';

/** The name of the unique constraint a failed query violated, or null for any other failure. */
export function violatedUniqueConstraint(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? (driverError.constraint ?? 'unknown') : null;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resources are addressed by uuid or by their slug; a uuid-shaped reference is taken as an id. */
export function isUuid(ref: string): boolean {
  return UUID_PATTERN.test(ref);
}

/**
 * A wait for PostgreSQL that ran out (data-source.ts): no pool connection in time, pg's client-side
 * query timeout, the server's statement timeout (57014), or a connection lost meanwhile.
 */
export function isDatabaseWait(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  const code = (exception as { code?: unknown }).code ?? (exception as { driverError?: { code?: unknown } }).driverError?.code;
  if (code === '57014' || code === '57P01' || code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
  return /timeout exceeded when trying to connect|Query read timeout|Connection terminated/i.test(exception.message);
}
