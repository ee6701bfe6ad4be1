// The one slug rule for names that appear in URLs, directory names and nginx variables: stream keys
// and node names. Lowercase letters, digits and "-", not starting with "-", at most 63 characters
// (one DNS label, RFC 1035 2.3.4). nginx templates and the njs modules get the same source text at
// render and install time, so the rule is written here only.

/** The slug as regular-expression source, without anchors (templates embed it in paths). */
export const SLUG_SOURCE = '[a-z0-9][a-z0-9-]{0,62}';
export const SLUG_PATTERN = new RegExp(`^${SLUG_SOURCE}$`);
export const SLUG_MESSAGE = 'must be a lowercase slug: a-z, 0-9 and "-", 1 to 63 characters, not starting with "-"';
