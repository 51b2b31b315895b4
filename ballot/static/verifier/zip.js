// A small reader of the record zip (stored or deflated entries; no zip64, no encryption):
// the central directory is read, each wanted file inflated with DecompressionStream
// ('deflate-raw'), sizes bounded before and after; entry names as tally/record._read_zip
// allows them. Errors: ZipError(vi, en).
export class ZipError extends Error {
  constructor(vi, en) { super(en); this.vi = vi; this.en = en; }
}
const u16 = (d, o) => d[o] | (d[o + 1] << 8);
const u32 = (d, o) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16)) + d[o + 3] * 0x1000000;
const nameDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const badNames = () => new ZipError('tên các mục trong tệp zip phải là ký tự ASCII in được và không trùng nhau',
  'zip entry names must be printable ASCII and distinct');
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
  const entries = [], seen = new Set();
  let p = cdStart, total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > d.length || u32(d, p) !== 0x02014b50) throw notZip();
    const flags = u16(d, p + 8), method = u16(d, p + 10), csize = u32(d, p + 20), usize = u32(d, p + 24);
    const nlen = u16(d, p + 28), elen = u16(d, p + 30), clen = u16(d, p + 32), local = u32(d, p + 42);
    const raw = d.subarray(p + 46, p + 46 + nlen);
    // tally/record._read_zip: printable ASCII only (Python cuts a name at NUL, a default
    // TextDecoder drops a leading BOM: one zip could be two records), no name twice.
    if (raw.some((b) => b < 0x20 || b > 0x7e)) throw badNames();
    const name = nameDecoder.decode(raw), base = name.split('/').pop();
    const want = wanted.includes(base);
    if (seen.has(name) || (want && seen.has(base))) throw badNames();
    seen.add(name);
    if (want) seen.add(base);
    p += 46 + nlen + elen + clen;
    total += usize;
    if (want) entries.push({ raw, base, flags, method, csize, usize, local });
  }
  if (total > maxBytes) throw new ZipError('tệp zip quá lớn', 'archive too large');
  for (const e of entries) if (e.flags & 1) throw new ZipError(`${e.base} được mã hóa`, `${e.base} is encrypted`);
  const files = {};
  for (const e of entries) {
    if (e.local + 30 > d.length || u32(d, e.local) !== 0x04034b50) throw notZip();
    const lnlen = u16(d, e.local + 26), start = e.local + 30 + lnlen + u16(d, e.local + 28);
    const localName = d.subarray(e.local + 30, e.local + 30 + lnlen);
    if (lnlen !== e.raw.length || localName.some((b, i) => b !== e.raw[i])) {
      throw new ZipError('tên một mục trong tệp zip khác nhau giữa phần đầu mục và thư mục zip',
        "a zip entry's local name differs from its directory name");
    }
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
