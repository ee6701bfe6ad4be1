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
  @ApiProperty({ nullable: true, type: Number, description: 'Players seen at the edges lately (CMCD); null without edge data' }) viewers: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "Mean of the viewers' CMCD buffer length" }) viewerBufferMs: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "Mean of the viewers' CMCD measured throughput" }) viewerThroughputKbps: number | null;
  @ApiProperty({ nullable: true, type: Object, description: "ABR: each encoded rung's latest SSIM against the source, by name; null without a ladder" })
  rungSsim: Record<string, number | null> | null;
}

export class StreamHistoryResponse {
  @ApiProperty() id: string;
  @ApiProperty() key: string;
  @ApiProperty({ description: 'About how often a sample is taken' }) intervalMs: number;
  @ApiProperty({ description: 'How many samples are kept (the oldest go first)' }) capacity: number;
  @ApiProperty({ type: [StatusSampleInfo], description: 'Oldest first' }) samples: StatusSampleInfo[];
}
