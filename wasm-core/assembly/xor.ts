/** dst[0..len) ^= src[0..len). 16 bytes at a time with SIMD builds, else 4 at a time. */
export function xorInto(dst: usize, src: usize, len: i32): void {
  let i: i32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= len; i += 16) {
      v128.store(dst + <usize>i, v128.xor(v128.load(dst + <usize>i), v128.load(src + <usize>i)));
    }
  }
  for (; i + 4 <= len; i += 4) store<u32>(dst + <usize>i, load<u32>(dst + <usize>i) ^ load<u32>(src + <usize>i));
  for (; i < len; i++) store<u8>(dst + <usize>i, load<u8>(dst + <usize>i) ^ load<u8>(src + <usize>i));
}
