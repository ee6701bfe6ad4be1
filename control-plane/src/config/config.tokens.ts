// Injection tokens for configuration. They live in config/, not database/: the database layer
// names no domain and holds no settings.

/** Injection token for the PostgreSQL connection string the application runs against. */
export const DATABASE_URL = Symbol('DATABASE_URL');
/** Injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
