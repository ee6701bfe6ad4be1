import dgram from 'node:dgram';

export interface RelayOptions {
  /** Ports the encoder sends to (media, and +2/+4 for FEC); forwarded to the same offsets from `to`. */
  from: number;
  to: number;
  fec: boolean;
  /** Fraction of media packets to drop. Two drops are never closer than `minDropGap` packets. */
  dropRate: number;
  minDropGap: number;
  /** Fraction of media packets held back and sent after the next one. */
  reorderRate: number;
  seed: number;
}

/**
 * A lossy network between the encoder and the ingest, on loopback: drops and reorders media
 * packets with a seeded generator (so a run is repeatable), passes FEC through untouched.
 */
export class UdpRelay {
  private readonly sockets: dgram.Socket[] = [];
  private readonly out = dgram.createSocket('udp4');
  private state: number;
  private sinceDrop = 1 << 30;
  private held: Buffer | null = null;
  dropped = 0;
  reordered = 0;
  forwarded = 0;

  constructor(private readonly options: RelayOptions) {
    this.state = options.seed >>> 0;
  }

  async start(): Promise<void> {
    const offsets = this.options.fec ? [0, 2, 4] : [0];
    for (const offset of offsets) {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      socket.on('message', (msg) => (offset === 0 ? this.media(msg) : this.send(msg, offset)));
      await new Promise<void>((resolve) => socket.bind(this.options.from + offset, '127.0.0.1', resolve));
      this.sockets.push(socket);
    }
  }

  stop(): void {
    for (const s of this.sockets) s.close();
    this.out.close();
  }

  private random(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }

  private media(msg: Buffer): void {
    this.sinceDrop++;
    if (this.sinceDrop >= this.options.minDropGap && this.random() < this.options.dropRate * 1.3) {
      this.sinceDrop = 0;
      this.dropped++;
      return;
    }
    if (this.held) {
      this.send(msg, 0);
      this.send(this.held, 0);
      this.held = null;
      this.reordered++;
      return;
    }
    if (this.random() < this.options.reorderRate) {
      this.held = msg;
      return;
    }
    this.send(msg, 0);
  }

  private send(msg: Buffer, offset: number): void {
    this.forwarded++;
    this.out.send(msg, this.options.to + offset, '127.0.0.1');
  }
}

/**
 * A two-way relay for connection protocols (SRT): datagrams from the sender are forwarded to
 * `to`, a share of them dropped at random; the receiver's answers (ACKs, NAKs, handshakes) go back
 * to the sender untouched, so loss is repaired by retransmission as across a lossy network.
 */
export class DuplexUdpRelay {
  private readonly front = dgram.createSocket('udp4');
  private readonly back = dgram.createSocket('udp4');
  private sender: { address: string; port: number } | null = null;
  private state: number;
  dropped = 0;
  forwarded = 0;
  private stopped = false;

  /** `delayMs`: added to every datagram the sender's way (a longer path); `dropRate` may change while it runs. */
  constructor(private readonly options: { from: number; to: number; dropRate: number; seed: number; delayMs?: number }) {
    this.state = options.seed >>> 0;
  }

  set dropRate(rate: number) {
    this.options.dropRate = rate;
  }

  async start(): Promise<void> {
    this.front.on('message', (msg, info) => {
      this.sender = { address: info.address, port: info.port };
      this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
      if (this.state / 2 ** 32 < this.options.dropRate) {
        this.dropped++;
        return;
      }
      this.forwarded++;
      if (this.options.delayMs)
        setTimeout(() => {
          if (!this.stopped) this.back.send(msg, this.options.to, '127.0.0.1');
        }, this.options.delayMs);
      else this.back.send(msg, this.options.to, '127.0.0.1');
    });
    this.back.on('message', (msg) => {
      if (this.sender) this.front.send(msg, this.sender.port, this.sender.address);
    });
    await new Promise<void>((resolve) => this.front.bind(this.options.from, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.back.bind(0, '127.0.0.1', resolve));
  }

  stop(): void {
    this.stopped = true;
    this.front.close();
    this.back.close();
  }
}
