// The count page at the laptop: first the page verifies the ballots themselves
// (trustee-check.js, in Web Workers, with a progress bar) and sums them; then each
// trustee in turn opens their share file with their passphrase in this browser
// (phieu-trustee.js), the partial decryption of THOSE sums is computed here and only
// that JSON is posted. Nothing the server says about the totals is decrypted.
// The share, the passphrase and the file's bytes stay in this page's memory for the few
// seconds of the computation and are dropped (zeroed where JavaScript allows it) right after.
import { CryptoError, toHex } from './phieu-crypto.js';
import { openShare, partialDecrypt, readHeader, wipeBytes } from './phieu-trustee.js';
import { CheckError, groups, verifyForCount } from './trustee-check.js';

const app = document.getElementById('trustee-app');
const S = JSON.parse(document.getElementById('trustee-strings').textContent);
let busy = false;
let checking = null; // the promise of the ballot check (made once, again after a network error)

function say(form, text, kind) {
  const p = form.querySelector('.trustee-message');
  p.textContent = text;
  p.className = 'trustee-message' + (kind ? ' ' + kind : '');
}

function setBusy(on) {
  busy = on;
  for (const b of app.querySelectorAll('.trustee-form button')) b.disabled = on;
}

function messageFor(err) {
  if (err instanceof CryptoError) {
    if (err.code === 'wrong_trustee') return S.wrong_trustee.replace('%(n)s', err.detail);
    return S[err.code] || `${S.failed} (${err.code})`;
  }
  return S.failed;
}

async function fetchJson(url, init = {}) {
  let response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      ...init,
      headers: { Accept: 'application/json', ...(init.headers || {}) },
    });
  } catch {
    throw new Error(S.network);
  }
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) {
    const err = new Error((body && body.message) || `${S.failed} (HTTP ${response.status})`);
    err.code = body && body.error;
    throw err;
  }
  return body;
}

const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? ''));

function showProgress(done, total, msLeft) {
  const bar = document.getElementById('check-progress');
  bar.max = Math.max(1, total);
  bar.value = done;
  let text = fill(S.checking, { done, total });
  if (msLeft !== null && done < total) text += ' ' + fill(S.time_left, { s: Math.ceil(msLeft / 1000) });
  document.getElementById('check-status').textContent = text;
  app.dataset.checkDone = String(done);
}

async function runCheck() {
  const status = document.getElementById('check-status');
  app.dataset.check = 'running';
  try {
    const data = await fetchJson(app.dataset.ballotsUrl);
    const result = await verifyForCount(data, { onProgress: showProgress });
    status.textContent = fill(S.checked, { n: result.count });
    status.className = 'success';
    document.getElementById('check-head').textContent = groups(result.closeHead);
    document.getElementById('check-manifest').textContent = groups(result.manifest.hashHex);
    document.getElementById('check-cards').textContent = groups(toHex(result.manifest.commitment));
    document.getElementById('check-head-line').hidden = false;
    app.dataset.check = 'verified';
    app.dataset.checkMs = String(Math.round(result.ms));
    app.dataset.checkWorkers = String(result.workers);
    app.dataset.checkEngines = result.engines.join(' '); // 'wasm' per worker, or 'noble'
    return result;
  } catch (err) {
    const refused = err instanceof CheckError;
    const base = refused && err.item.startsWith('tally.json') ? S.tally_mismatch : S.refused;
    const text = refused ? `${base} (${err.item}: ${err.reason})` : (err.message || S.failed);
    status.textContent = text;
    status.className = 'error';
    app.dataset.check = refused ? 'refused' : 'failed';
    app.dataset.checkError = refused ? err.item : 'network';
    if (!refused) checking = null; // a network failure may be retried by the next trustee
    const wrapped = new Error(text);
    wrapped.code = refused ? 'refused' : 'network';
    throw wrapped;
  }
}

function checked() {
  if (!checking) checking = runCheck();
  return checking;
}

function markDone(form, trustee) {
  const status = document.getElementById(`trustee-status-${trustee}`);
  if (status) {
    const strong = document.createElement('strong');
    strong.textContent = S.verified;
    status.replaceChildren(strong);
  }
  for (const el of form.querySelectorAll('input, button')) el.disabled = true;
}

async function run(form) {
  const trustee = Number(form.dataset.trustee);
  const fileInput = form.querySelector('input[type=file]');
  const passInput = form.querySelector('input[type=password]');
  const progress = form.querySelector('progress');
  let passphrase = passInput.value;
  passInput.value = '';
  const file = fileInput.files && fileInput.files[0];
  fileInput.value = '';
  if (!file || !passphrase) {
    passphrase = null;
    say(form, S.missing, 'error');
    return;
  }
  let bytes = null, opened = null;
  setBusy(true);
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
    const header = readHeader(bytes); // public part: catch the wrong file before scrypt
    if (header.trustee && Number.isInteger(header.trustee.index) && header.trustee.index !== trustee) {
      throw new CryptoError('wrong_trustee', String(header.trustee.index));
    }
    say(form, S.check_wait, 'working');
    const state = await checked(); // refused → nothing is opened, nothing decrypted
    const m = state.manifest;
    say(form, S.opening, 'working');
    progress.hidden = false;
    progress.value = 0;
    const t0 = performance.now();
    opened = await openShare(bytes, passphrase, {
      electionId: m.electionId,
      publicKey: m.publicKey,
      verificationKeys: m.verificationKeys,
    }, { onProgress: (x) => { progress.value = x; } });
    passphrase = null;
    wipeBytes(bytes);
    app.dataset.scryptMs = String(Math.round(performance.now() - t0));
    if (opened.trustee !== trustee) throw new CryptoError('wrong_trustee', String(opened.trustee));
    say(form, S.computing, 'working');
    // The sums of the ballots this page verified: never totals handed over by the server.
    const part = partialDecrypt(m.hashHex, m.publicKey, opened.trustee, opened.secretShare, state.totals);
    opened.wipe();
    opened = null;
    say(form, S.sending, 'working');
    const result = await fetchJson(app.dataset.partialUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': app.dataset.csrf },
      body: JSON.stringify(part),
    });
    markDone(form, trustee);
    say(form, result.message, 'success');
    form.dataset.done = 'true';
    if (result.complete) {
      say(form, `${result.message} ${S.complete}`, 'success');
      setTimeout(() => window.location.reload(), 800);
    }
  } catch (err) {
    say(form, err instanceof CryptoError ? messageFor(err) : (err.message || S.failed), 'error');
    form.dataset.error = (err && err.code) || 'failed';
  } finally {
    passphrase = null;
    if (opened) opened.wipe();
    opened = null;
    wipeBytes(bytes);
    bytes = null;
    progress.hidden = true;
    setBusy(false);
    for (const f of app.querySelectorAll('.trustee-form[data-done=true] input, .trustee-form[data-done=true] button')) {
      f.disabled = true;
    }
  }
}

for (const form of app.querySelectorAll('.trustee-form')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy || form.dataset.done === 'true') return;
    delete form.dataset.error;
    run(form);
  });
}
app.dataset.ready = 'true';
checked().catch(() => { /* shown in #check-status; each form says it again */ });
