// Python's repr() of a JSON value, so that the phone's and the trustee page's error
// details read as keys/ words them. Characters beyond ASCII's controls are shown as they
// are; the offline verifier's pyjson.js is exact (it carries Python's table of
// unprintable characters, too large for the phone).

/** repr() of a string, number, boolean, null, array or object, as Python prints it. */
export function pyRepr(v) {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const esc = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', [q]: '\\' + q };
    return q + [...v].map((ch) => esc[ch] ?? (ch < ' ' || ch === '\x7f'
      ? '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0') : ch)).join('') + q;
  }
  if (v === true || v === false) return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  return String(v);
}
