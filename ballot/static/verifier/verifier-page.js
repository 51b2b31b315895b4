// The record verifier page: a record zip (file input or drag-drop) and optionally a member's
// receipt, checked entirely in this browser (no network, no server), ballots in Web Workers.
// The verdict lines are those of `python -m tally verify` (tests/browser/test_verifier_page.py).
import { readZip, ZipError } from './zip.js';
import { FILES, UNHASHED, verifyRecord, checkReceipt, checkSaved, VerifyError, Unreadable } from './record-verify.js';
import { cryptoMessage, recordJson } from './record-files.js';
import { checkChunk, contextFor, contextOf } from './proofs.js';
import { CryptoError } from '../js/phieu-crypto.js';
import { decodeBase64, engine, installWasm } from '../js/phieu-accel.js';
import { WASM_BASE64 } from '../vendor/secp256k1-wasm.js';

export const MAX_RECORD_BYTES = 512 * 1024 * 1024;
const $ = (id) => document.getElementById(id);
// Built page: one classic script (module workers are refused on file://); served: the module.
const workerUrl = () => globalThis.PHIEU_WORKER_URL ?? new URL('./verifier-worker.js', import.meta.url).href;
const workerType = () => (globalThis.PHIEU_WORKER_URL ? 'classic' : 'module');

// libsecp256k1's WebAssembly (phieu-accel.js: public row proofs only), compiled once and
// handed to every worker; null where WebAssembly is missing or refused (noble then), or
// when globalThis.PHIEU_NO_WASM is set (bench/browser_verify.py --noble).
let compiled = null;
const wasmModule = () => (compiled ??= (async () => {
  if (globalThis.PHIEU_NO_WASM) return null;
  try { return await WebAssembly.compile(decodeBase64(WASM_BASE64)); } catch { return null; }
})());

/**
 * Parse and check the ballots in parallel workers (proofs.js checkChunk per chunk);
 * resolves to the chunks' results. run.stop() ends the workers (the verdict is known,
 * or a newer run replaced this one).
 */
function workerBallots(run, onProgress) {
  return async (m, items) => ballotsIn(await wasmModule(), run, onProgress, items, m);
}

function ballotsIn(wasm, run, onProgress, items, m) {
  return new Promise((resolve, reject) => {
    const total = items.length;
    if (!total) { resolve([]); return; }
    const n = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 16, total));
    const size = Math.max(1, Math.ceil(total / (n * 4)));
    const chunks = [];
    for (let i = 0; i < total; i += size) chunks.push(items.slice(i, i + size));
    const context = contextFor(m);
    const results = [];
    let next = 0, pending = chunks.length, checked = 0;
    const workers = [];
    const finish = (err) => {
      workers.forEach((w) => w.terminate());
      if (err) reject(err); else resolve(results);
    };
    if (run.stopped) { reject(new Error('stopped')); return; }
    run.stops.push(() => finish(new Error('stopped')));
    for (let w = 0; w < n; w++) {
      const worker = new Worker(workerUrl(), { type: workerType() });
      workers.push(worker);
      const feed = () => { if (next < chunks.length) worker.postMessage({ type: 'check', id: next, items: chunks[next++] }); };
      worker.onerror = (e) => { e.preventDefault?.(); finish(new Error(e.message || `worker failed (${e.filename || ''}:${e.lineno || ''})`)); };
      worker.onmessage = ({ data }) => {
        if (data.type === 'ready') { noteEngine(data.engine); feed(); }
        else if (data.type === 'progress') { checked += data.n; onProgress(checked, total); }
        else if (data.type === 'failed') finish(new Error(data.reason));
        else if (data.type === 'done') {
          checked += data.rest; onProgress(checked, total);
          results.push(data.result);
          if (--pending === 0) finish(null); else feed();
        }
      };
      worker.postMessage({ type: 'init', context, wasm });
    }
  });
}

/** What checked the proofs, for tests and benchmarks: <body data-engines="wasm wasm">. */
function noteEngine(name) {
  const body = document.body;
  body.dataset.engines = [...(body.dataset.engines ?? '').split(' ').filter(Boolean), name].join(' ');
}

/** Where no worker can start (a browser without Web Workers): check in this thread,
 * in slices that yield to the page so the progress bar moves and the page never freezes. */
function threadBallots(run, onProgress) {
  return async (m, items) => {
    const ctx = contextOf(contextFor(m));
    const wasm = await wasmModule();
    if (wasm) await installWasm(wasm);
    noteEngine(engine());
    const results = [];
    for (let i = 0; i < items.length && !run.stopped; i += 4) {
      results.push(checkChunk(ctx, items.slice(i, i + 4)));
      onProgress(Math.min(i + 4, items.length), items.length);
      await new Promise((r) => setTimeout(r, 0));
    }
    return results;
  };
}

/** Can this page start a worker of the kind it needs? (globalThis.PHIEU_NO_WORKERS:
 * as if not, for tests.) */
function workersWork() {
  return new Promise((resolve) => {
    if (globalThis.PHIEU_NO_WORKERS) { resolve(false); return; }
    try {
      const w = new Worker(URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' })), { type: workerType() });
      w.onmessage = () => { w.terminate(); resolve(true); };
      w.onerror = (e) => { e.preventDefault?.(); w.terminate(); resolve(false); };
    } catch { resolve(false); }
  });
}

/**
 * The CLI's output for a record, its receipt and saved heads ([{name, bytes}], as
 * `--checkpoint`): {code, lines}.
 */
export async function runVerify(files, receiptBytes, checkBallots, progress = () => {}, saved = []) {
  const start = performance.now();
  let current = 'receipt'; // names the document that is not strict JSON, if one is not
  try {
    const report = await verifyRecord(files, checkBallots, progress);
    const lines = [...report.lines];
    if (receiptBytes) {
      const receipt = recordJson({ 'manifest.json': receiptBytes }, 'manifest.json');
      lines.push(`OK  ${checkReceipt(files, receipt)}`);
    }
    for (const { name, bytes } of saved) {
      current = name;
      lines.push(`OK  ${checkSaved(files, report, recordJson({ 'manifest.json': bytes }, 'manifest.json'), name)}`);
    }
    lines.push(`Mã băm hồ sơ / record hash: ${report.recordHash}`);
    lines.push(`HỢP LỆ / VALID (${((performance.now() - start) / 1000).toFixed(1)} s)`);
    return { code: 0, lines };
  } catch (err) {
    if (err instanceof Unreadable) return { code: 2, lines: [`KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${err.item}: ${err.reason}`] };
    if (err instanceof VerifyError) return { code: 1, lines: [`KHÔNG HỢP LỆ / INVALID — ${err.item}: ${err.reason}`] };
    if (err instanceof CryptoError) {
      return { code: 2, lines: [`KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${cryptoMessage(err).replace('manifest.json', current)}`] };
    }
    return { code: 3, lines: [`Lỗi: không kiểm tra được hồ sơ (${err?.message ?? err})`, `Error: the record could not be checked (${err?.message ?? err})`] };
  }
}

function showResult(result) {
  const out = $('verdict');
  out.textContent = result.lines.join('\n');
  out.dataset.code = String(result.code);
  out.className = result.code === 0 ? 'valid' : 'invalid';
  $('hint').textContent = {
    0: 'Hồ sơ hợp lệ: mọi bước đều đúng. / The record is valid: every step holds.',
    1: 'Hồ sơ KHÔNG hợp lệ: mục nêu trên bị sai hoặc bị sửa. / The record is INVALID: the item named above is wrong or was altered.',
    2: 'Không đọc được hồ sơ: thiếu tệp hoặc tệp sai định dạng (xem dòng trên). / The record cannot be read: a file is missing or malformed (see above).',
  }[result.code] ?? '';
  $('status').textContent = '';
}

function progressBar(started) {
  return (done, total) => {
    const bar = $('bar');
    bar.max = total; bar.value = done;
    const secs = (performance.now() - started) / 1000;
    const left = done ? Math.round((secs / done) * (total - done)) : 0;
    $('status').textContent = `Đã kiểm tra ${done}/${total} lá phiếu, còn khoảng ${left} s / ${done}/${total} ballots checked, about ${left} s left`;
  };
}

// Each saved checkpoint or close chosen, in the order given, with its file name.
async function savedFiles(input) {
  const out = [];
  for (const f of input.files || []) out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

async function fileBytes(input) {
  const f = input.files && input.files[0];
  return f ? new Uint8Array(await f.arrayBuffer()) : null;
}

// Only the latest run shows its verdict (a new file or receipt restarts); an older run's
// workers are stopped.
let current = null;

async function verifyFile(file) {
  current?.stop();
  const run = { stopped: false, stops: [], stop() { run.stopped = true; run.stops.splice(0).forEach((f) => f()); } };
  current = run;
  const out = $('verdict');
  out.textContent = ''; out.dataset.code = ''; out.dataset.file = file.name;
  const show = (result) => { if (run === current) showResult(result); };
  $('status').textContent = 'Đang đọc hồ sơ… / Reading the record…';
  try {
    if (file.size > MAX_RECORD_BYTES) throw new ZipError('tệp hồ sơ quá lớn (tối đa 512 MiB)', 'the record file is too large (512 MiB at most)');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const files = await readZip(bytes, [...FILES, ...UNHASHED], MAX_RECORD_BYTES);
    const receipt = await fileBytes($('receipt'));
    const saved = await savedFiles($('saved'));
    const started = performance.now();
    const parallel = await workersWork();
    if (run.stopped) return;
    const ballots = parallel ? workerBallots : threadBallots;
    if (run === current) out.dataset.mode = parallel ? 'workers' : 'thread';
    const bar = progressBar(started);
    const onProgress = (done, total) => { if (run === current) bar(done, total); };
    const result = await runVerify(files, receipt, ballots(run, onProgress), ({ line }) => {
      if (line && run === current) $('status').textContent = line;
    }, saved);
    run.stop(); // the verdict is known: no worker keeps checking
    show(result);
  } catch (err) {
    const vi = err instanceof ZipError ? err.vi : `không đọc được tệp (${err?.message ?? err})`;
    const en = err instanceof ZipError ? err.en : `cannot read the file (${err?.message ?? err})`;
    show({ code: 2, lines: [`KHÔNG ĐỌC ĐƯỢC / UNREADABLE — ${file.name}: ${en}`, `Lỗi: ${vi}`, `Error: ${en}`] });
  }
}

export function start() {
  const input = $('record');
  input.addEventListener('change', () => { if (input.files[0]) verifyFile(input.files[0]); });
  $('receipt').addEventListener('change', () => { if (input.files[0]) verifyFile(input.files[0]); });
  $('saved').addEventListener('change', () => { if (input.files[0]) verifyFile(input.files[0]); });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault(); drop.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) verifyFile(f);
  });
  document.body.dataset.ready = '1';
}
