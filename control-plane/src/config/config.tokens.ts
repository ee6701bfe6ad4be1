/** Injection token for the PostgreSQL connection string the application runs against (config, not the database layer: nothing below a domain names a domain). */
export const DATABASE_URL = Symbol('DATABASE_URL');
/** Injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
