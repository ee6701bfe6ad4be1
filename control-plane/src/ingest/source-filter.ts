import { isIP } from 'node:net';

interface Block {
  family: 4 | 6;
  network: bigint;
  mask: bigint;
}

/**
 * Decides whether a datagram's source address is in the stream's allowedSources (CIDR blocks).
 * An empty list allows every source. IPv4-mapped IPv6 addresses match IPv4 blocks.
 * The last verdict is cached: a stream's datagrams come from one encoder.
 */
export class SourceFilter {
  private readonly blocks: Block[];
  private lastAddress = '';
  private lastVerdict = false;

  constructor(cidrs: readonly string[]) {
    this.blocks = cidrs.map(parseBlock);
  }

  allows(address: string): boolean {
    if (this.blocks.length === 0) return true;
    if (address === this.lastAddress) return this.lastVerdict;
    const verdict = this.check(address);
    this.lastAddress = address;
    this.lastVerdict = verdict;
    return verdict;
  }

  private check(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1] : address;
    const family = isIP(plain);
    if (family === 0) return false;
    const value = toBigInt(plain, family);
    return this.blocks.some((b) => b.family === family && (value & b.mask) === b.network);
  }
}

function parseBlock(cidr: string): Block {
  const [address, prefixText] = cidr.split('/');
  const detected = isIP(address);
  if (detected === 0) throw new Error(`not a CIDR block: ${cidr}`);
  const family = detected as 4 | 6;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  const all = (1n << BigInt(bits)) - 1n;
  const mask = prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
  return { family, network: toBigInt(address, family) & mask, mask };
}

function toBigInt(address: string, family: number): bigint {
  if (family === 4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  const [head, tail = ''] = address.split('::');
  const parse = (s: string) => (s ? s.split(':') : []);
  let groups = parse(head);
  let rest = parse(tail);
  // an embedded IPv4 tail (::ffff:1.2.3.4 forms) counts as two groups
  const last = (rest.length ? rest : groups).at(-1);
  if (last?.includes('.')) {
    const v4 = toBigInt(last, 4);
    const pair = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (rest.length) rest = [...rest.slice(0, -1), ...pair];
    else groups = [...groups.slice(0, -1), ...pair];
  }
  const zeros = address.includes('::') ? 8 - groups.length - rest.length : 0;
  return [...groups, ...Array(zeros).fill('0'), ...rest].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
