// The count page at the laptop: each trustee in turn opens their share file with their
// passphrase in this browser (phieu-trustee.js), the partial decryption is computed
// here and only that JSON is posted. The share, the passphrase and the file's bytes
// stay in this page's memory for the few seconds of the computation and are dropped
// (zeroed where JavaScript allows it) right after.
import { CryptoError } from './phieu-crypto.js';
import { openShare, partialDecrypt, readHeader, wipeBytes } from './phieu-trustee.js';

const app = document.getElementById('trustee-app');
const S = JSON.parse(document.getElementById('trustee-strings').textContent);
let busy = false;

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
    const state = await fetchJson(app.dataset.totalsUrl);
    say(form, S.opening, 'working');
    progress.hidden = false;
    progress.value = 0;
    const t0 = performance.now();
    opened = await openShare(bytes, passphrase, {
      electionId: state.election_id,
      publicKey: state.public_key,
      verificationKeys: state.verification_keys,
    }, { onProgress: (x) => { progress.value = x; } });
    passphrase = null;
    wipeBytes(bytes);
    app.dataset.scryptMs = String(Math.round(performance.now() - t0));
    if (opened.trustee !== trustee) throw new CryptoError('wrong_trustee', String(opened.trustee));
    say(form, S.computing, 'working');
    const part = partialDecrypt(state.manifest_hash, state.public_key, opened.trustee,
      opened.secretShare, state.totals);
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
