// A small reader of the record zip (stored or deflated entries; no zip64, no encryption):
// the central directory is read, each wanted file inflated with DecompressionStream
// ('deflate-raw'), sizes bounded before and after. Errors: ZipError(vi, en).
export class ZipError extends Error {
  constructor(vi, en) { super(en); this.vi = vi; this.en = en; }
}
const u16 = (d, o) => d[o] | (d[o + 1] << 8);
const u32 = (d, o) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16)) + d[o + 3] * 0x1000000;
const notZip = () => new ZipError('tệp không phải là tệp zip hồ sơ', 'the file is not a record zip');

async function inflate(data, size) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const out = new Uint8Array(await new Response(stream).arrayBuffer());
  if (out.length !== size) throw new Error('size');
  return out;
}

/** {name: bytes} of the entries whose base name is in `wanted`; total bounded by maxBytes. */
export async function readZip(bytes, wanted, maxBytes) {
  const d = bytes;
  let eocd = -1;
  for (let i = d.length - 22; i >= Math.max(0, d.length - 22 - 65535); i--) {
    if (u32(d, i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw notZip();
  const count = u16(d, eocd + 10), cdSize = u32(d, eocd + 12), cdStart = u32(d, eocd + 16);
  if (cdStart + cdSize > d.length || count === 0xffff) throw notZip();
  const entries = [];
  let p = cdStart, total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > d.length || u32(d, p) !== 0x02014b50) throw notZip();
    const flags = u16(d, p + 8), method = u16(d, p + 10), csize = u32(d, p + 20), usize = u32(d, p + 24);
    const nlen = u16(d, p + 28), elen = u16(d, p + 30), clen = u16(d, p + 32), local = u32(d, p + 42);
    const name = new TextDecoder().decode(d.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + elen + clen;
    total += usize;
    if (total > maxBytes) throw new ZipError('tệp zip quá lớn', 'archive too large');
    const base = name.split('/').pop();
    if (!wanted.includes(base)) continue;
    if (flags & 1) throw new ZipError(`${base} được mã hóa`, `${base} is encrypted`);
    entries.push({ base, method, csize, usize, local });
  }
  const files = {};
  for (const e of entries) {
    if (e.local + 30 > d.length || u32(d, e.local) !== 0x04034b50) throw notZip();
    const start = e.local + 30 + u16(d, e.local + 26) + u16(d, e.local + 28);
    const data = d.subarray(start, start + e.csize);
    if (start + e.csize > d.length) throw notZip();
    try {
      if (e.method === 0 && e.csize === e.usize) files[e.base] = data.slice();
      else if (e.method === 8) files[e.base] = await inflate(data, e.usize);
      else throw new Error('method');
    } catch {
      throw new ZipError(`không giải nén được ${e.base}`, `cannot decompress ${e.base}`);
    }
  }
  return files;
}
