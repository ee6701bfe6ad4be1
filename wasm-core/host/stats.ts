/** Names of the receiver's counters, in the order of assembly/stats.ts. */
export const RECEIVER_STATS = [
  'received',
  'accepted',
  'malformed',
  'wrongPayloadType',
  'duplicates',
  'reordered',
  'late',
  'lost',
  'recovered',
  'released',
  'fecReceived',
  'fecMalformed',
  'fecMismatch',
  'fecStale',
  'fecFailed',
  'restarts',
  'jumps',
  'jitterMs',
  'delayUs',
  'intervalUs',
  'overflow',
] as const;

export type ReceiverStats = Record<(typeof RECEIVER_STATS)[number], number>;
