import { ApiProperty } from '@nestjs/swagger';

export class StatusSampleInfo {
  @ApiProperty({ description: 'When the control plane received it, ms since the epoch' }) t: number;
  @ApiProperty() state: string;
  @ApiProperty({ description: 'bit/s over the last few seconds' }) inputBitrate: number;
  @ApiProperty({ description: 'Cumulative since the ingest started, as every counter here' }) packetsReceived: number;
  @ApiProperty() lost: number;
  @ApiProperty() recoveredByFec: number;
  @ApiProperty() unrecoverable: number;
  @ApiProperty({ description: 'RFC 3550 interarrival jitter' }) jitterMs: number;
  @ApiProperty() playoutDelayMs: number;
  @ApiProperty() segmentsWritten: number;
}

export class StreamHistoryResponse {
  @ApiProperty() id: string;
  @ApiProperty() key: string;
  @ApiProperty({ description: 'About how often a sample is taken' }) intervalMs: number;
  @ApiProperty({ description: 'How many samples are kept (the oldest go first)' }) capacity: number;
  @ApiProperty({ type: [StatusSampleInfo], description: 'Oldest first' }) samples: StatusSampleInfo[];
}
