import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { EdgeTier1764100000000 } from './1764100000000-edge-tier.js';
import { EdgeControlToken1764200000000 } from './1764200000000-edge-control-token.js';
import { SrtIngest1764300000000 } from './1764300000000-srt-ingest.js';
import { RtmpIngest1764400000000 } from './1764400000000-rtmp-ingest.js';
import { RistIngest1764500000000 } from './1764500000000-rist-ingest.js';

/** Every migration in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  EdgeTier1764100000000,
  EdgeControlToken1764200000000,
  SrtIngest1764300000000,
  RtmpIngest1764400000000,
  RistIngest1764500000000,
];
