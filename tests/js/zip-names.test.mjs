// One zip, one record: the browser verifier (zip.js, record-verify.js) gives each zip of
// tests/zip_cases.py the verdict line the CLI gives it (entry names with a BOM, a NUL,
// any byte outside printable ASCII, a name twice, a local header naming another file;
// a BOM before a JSON file; record-hash.txt with a BOM, \x1c, \r\n or emoji).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZip, ZipError } from '../../ballot/static/verifier/zip.js';
import { verifyRecord, FILES, UNHASHED, VerifyError, Unreadable } from '../../ballot/static/verifier/record-verify.js';
import { cryptoMessage } from '../../ballot/static/verifier/record-files.js';
import { CryptoError } from '../../ballot/static/js/phieu-crypto.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The page's verdict line (verifier-page.js verifyFile and runVerify). */
async function verdict(path, fileName) {
  let files;
  try {
    files = await readZip(new Uint8Array(readFileSync(path)), [...FILES, ...UNHASHED], 512 * 1024 * 1024);
  } catch (err) {
    if (err instanceof ZipError) return { code: 2, line: `KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${fileName}: ${err.en}` };
    throw err;
  }
  try {
    const report = await verifyRecord(files);
    return { code: 0, line: `Mã băm hồ sơ / record hash: ${report.recordHash}` };
  } catch (err) {
    if (err instanceof Unreadable) return { code: 2, line: `KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${err.item}: ${err.reason}` };
    if (err instanceof VerifyError) return { code: 1, line: `KHÔNG HỢP LỆ / INVALID — ${err.item}: ${err.reason}` };
    if (err instanceof CryptoError) return { code: 2, line: `KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${cryptoMessage(err)}` };
    throw err;
  }
}

test('every doubtful zip gets the CLI verdict, word for word', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-names-'));
  try {
    execFileSync(join(ROOT, '.venv/bin/python'), ['-m', 'tests.zip_cases', dir], { cwd: ROOT });
    const cli = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
    assert.ok(Object.keys(cli).length >= 17);
    const codes = new Set();
    for (const [name, want] of Object.entries(cli)) {
      assert.deepEqual(await verdict(join(dir, `${name}.zip`), `${name}.zip`), want, name);
      codes.add(want.code);
    }
    assert.deepEqual([...codes].sort(), [0, 1, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
