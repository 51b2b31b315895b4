// The browser verifier's Python twins: strict json.loads (messages as tally/record.py's),
// repr, first_difference, and the zip reader over DecompressionStream.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { recordJson, cryptoMessage } from '../../ballot/static/verifier/record-files.js';
import { firstDifference, pyRepr, reprN } from '../../ballot/static/verifier/pyjson.js';
import { readZip } from '../../ballot/static/verifier/zip.js';

const enc = new TextEncoder();
const message = (text) => {
  try { recordJson({ 'x.json': enc.encode(text) }, 'x.json'); return 'OK'; } catch (err) { return cryptoMessage(err); }
};

test('strict JSON refusals read as Python words them', () => {
  // Expected texts printed by tally.record.Record.json on the same input.
  assert.equal(message('{"a": 1, "a": 2}'), "Malformed data (record: x.json: duplicate key 'a')");
  assert.equal(message('{"a": 1.5}'), 'Malformed data (record: x.json: number 1.5 is not an integer)');
  assert.equal(message('[1e3]'), 'Malformed data (record: x.json: number 1e3 is not an integer)');
  assert.equal(message('{"x": NaN}'), 'Malformed data (record: x.json: number NaN is not an integer)');
  assert.equal(message('{"a": ['), 'Malformed data (record: x.json is not valid JSON)');
  assert.equal(message('{"b": {"c": 1, "c": 1}, "d": 1.0}'), "Malformed data (record: x.json: duplicate key 'c')");
  assert.equal(message('"\\ud800"'), 'OK');
  assert.equal(message('{}'), 'OK');
});

test('integers beyond 2^53 are kept exactly, as Python keeps them', () => {
  const v = recordJson({ 'x.json': enc.encode('[123456789012345678901234567890]') }, 'x.json');
  assert.equal(pyRepr(v), '[123456789012345678901234567890]');
});

test('repr and first_difference', () => {
  assert.equal(pyRepr({ a: [true, null, "it's"] }), `{'a': [True, None, "it's"]}`);
  assert.equal(firstDifference({ a: [1, 2] }, { a: [1, 3] }), 'a[2]');
  assert.equal(firstDifference({ a: true }, { a: 1 }), 'a');
  assert.equal(firstDifference([1], [1, 2]), '(length)');
});

test('the zip reader reads what Python writes, and refuses what is not a zip', async () => {
  const py = `import io, zipfile, sys
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("rec/manifest.json", "{}" * 1000)
    z.writestr("other.txt", "x")
sys.stdout.buffer.write(b.getvalue())`;
  const data = new Uint8Array(execFileSync('python3', ['-c', py]));
  const files = await readZip(data, ['manifest.json'], 1e6);
  assert.deepEqual(Object.keys(files), ['manifest.json']);
  assert.equal(new TextDecoder().decode(files['manifest.json']), '{}'.repeat(1000));
  await assert.rejects(readZip(data, ['manifest.json'], 100), /archive too large/);
  await assert.rejects(readZip(enc.encode('not a zip'), ['manifest.json'], 1e6), /not a record zip/);
});

test('repr escapes what Python escapes (not printable), and cuts at code points', () => {
  // Python's repr of each, printed by python3 (characters whose category every Unicode
  // version since 6 agrees on; a fuzzed record puts such text into the messages).
  const samples = ['\x85', '\xa0', '\u200b', '\u2028', '\u{e0001}', '\u{10ffff}', '\ue000', '\ufeff', '\x00\x7f',
    '\ud800', 'é😀', "it's \"x\"", '\u3000', '\u{1f600}\u0300'];
  const py = 'import json, sys\nfor s in json.load(sys.stdin): print(repr(s))';
  const want = execFileSync('python3', ['-c', py], { input: JSON.stringify(samples) }).toString().trim().split('\n');
  assert.deepEqual(samples.map((s) => pyRepr(s)), want);
  assert.equal(reprN('😀😀😀', 3), "'😀😀");
});
