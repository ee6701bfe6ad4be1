// Limits and defaults of node records, stated once: the entity's column defaults, the DTO's
// validation and documentation, and the service's creation path read them here. (The migration
// that created the columns keeps its own literals, as shipped history must; the drift test checks
// that the column defaults in the database equal these.)
import { SLUG_PATTERN } from '../common/slug.js';

/** Node names appear in pathway ids and log prefixes: the same slug rule as stream keys. */
export const NODE_NAME_PATTERN = SLUG_PATTERN;
/** Relative share of traffic between healthy nodes; 0 drains a node without disabling it. */
export const MAX_NODE_WEIGHT = 1000;

/** What a node gets when its creator says nothing: an even share, and a 1 Gbit/s port. */
export const NODE_DEFAULTS = { weight: 100, capacityMbps: 1000 } as const;
