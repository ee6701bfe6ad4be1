// Numbers as an engineer reads them.

export function bitrate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kbit/s`;
  return `${bps} bit/s`;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '-';
}
