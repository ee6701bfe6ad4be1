import dgram from 'node:dgram';

/** A block of `span` consecutive free UDP ports on loopback (streams with FEC use port..port+4). */
export async function freeUdpPortBlock(span = 6): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 4000) * 10;
    const sockets: dgram.Socket[] = [];
    try {
      for (let i = 0; i < span; i++) {
        const s = dgram.createSocket('udp4');
        sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind(base + i, '0.0.0.0', resolve);
        });
      }
      return base;
    } catch {
      // taken: try another block
    } finally {
      for (const s of sockets) s.close();
    }
  }
  throw new Error('no free UDP port block');
}

/** `count` free port blocks, none overlapping another's six ports. */
export async function freeUdpPortBlocks(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freeUdpPortBlock();
    if (!ports.some((p) => Math.abs(p - port) < 6)) ports.push(port);
  }
  return ports;
}

/** True when something is bound to the UDP port (we cannot bind it ourselves). */
export async function udpPortInUse(port: number): Promise<boolean> {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '0.0.0.0', resolve);
    });
    return false;
  } catch (error) {
    // Only "address in use" answers the question; any other failure is a problem of its own.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
    throw error;
  } finally {
    s.close();
  }
}
