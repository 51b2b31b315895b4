// The member's voting page (module script; the strict CSP allows no inline script).
//
// 1. The card code and the 16-hex ballot fingerprint come from the link's fragment
//    (#CODE.FINGERPRINT), which is removed from the address bar at once; or the code
//    is typed. The card key is derived here: the code never goes to the server.
// 2. The manifest is downloaded; the ballot fingerprint computed here must start with
//    the card's, or nothing goes further. The card's status is checked by public key.
// 3. Rows are encrypted in ballot-worker.js as they are chosen; on submit the signed
//    ballot is stored (vote-send.js) before it is sent, then retried until answered.
import { ballotFingerprint, manifestHash, toHex } from './phieu-crypto.js';
import { groupCode as groups } from './phieu-codes.js';
import { decodeCode, publicKey, signingKey } from './phieu-cards.js';
import { BallotForm, fill } from './vote-ballot.js';
import { receiptValid } from './phieu-receipt.js';
import { allRecords, loadRecord, saveRecord, sendUntilAnswered } from './vote-send.js';
import { STATE } from './vote-states.js';

const app = document.getElementById('vote-app');
const S = JSON.parse(document.getElementById('vote-strings').textContent);
const $ = (id) => document.getElementById(id);
const SECTIONS = ['entry', 'problem', 'ballot', 'review', 'audit', 'sending', 'receipt'];
const vote = app.dataset.vote;

const state = { code: null, cardFp: null, card: null, manifest: null, worker: null, form: null };
globalThis.phieuTimings = { start: performance.now() };

function status(text) { $('status').textContent = text; }

function show(id, focus = true) {
  for (const s of SECTIONS) $(s).hidden = s !== id;
  if (id) status('');
  const heading = id && $(id).querySelector('h2');
  if (focus && heading) heading.focus();
}

function problem(title, text, { retry = false, detail = '' } = {}) {
  $('problem-title').textContent = title;
  $('problem-text').textContent = text;
  $('problem-detail').textContent = detail;
  $('retry').hidden = !retry;
  show('problem');
  clearTimeout(state.autoRetry);
  // Waiting for the chair to open the vote: look again on our own now and then.
  if (title === S.not_open_title && state.card) state.autoRetry = setTimeout(start, 15000);
}

// ---------------------------------------------------------------- code ----

function codeMessage(err) {
  const detail = String(err?.detail ?? err?.message ?? err);
  if (detail.startsWith('expected')) return fill(S.bad_code_length, { n: state.typedLength ?? 0 });
  if (detail.includes('not used') || detail.includes('first character')) return S.bad_code_chars;
  if (detail.includes('check characters')) return S.bad_code_check;
  return fill(S.bad_code, { detail });
}

/** Decode the code and derive the card's public key (hex); throws with a clear message. */
function deriveCard(code) {
  const secret = decodeCode(code);
  const key = toHex(publicKey(signingKey(vote, secret)));
  secret.fill(0);
  return key;
}

function readFragment() {
  const fragment = decodeURIComponent(location.hash.slice(1));
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  if (!fragment) return null;
  const dot = fragment.lastIndexOf('.');
  const code = dot >= 0 ? fragment.slice(0, dot) : fragment;
  const fp = dot >= 0 ? fragment.slice(dot + 1).toLowerCase() : null;
  return { code, fp: fp && /^[0-9a-f]{8,64}$/.test(fp) ? fp : null };
}

function showEntry(error = '') {
  const records = allRecords(vote).filter((r) => r.status === 'accepted');
  $('stored').hidden = records.length === 0;
  $('stored-title').textContent = S.stored_receipts;
  $('stored-list').replaceChildren(...records.map((r) => {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = groups(r.tracker);
    li.append(code);
    return li;
  }));
  $('code-error').textContent = error;
  $('code-error').hidden = !error;
  $('code-field').classList.toggle('has-error', Boolean(error));
  $('code').setAttribute('aria-invalid', String(Boolean(error)));
  show('entry', !error);
  if (error) $('code').focus();
}

// The typed code is grouped by four as it is typed, as the card prints it (only while
// typing at the end, so that correcting a character in the middle keeps the caret).
$('code').addEventListener('input', () => {
  const input = $('code');
  if (input.selectionStart !== input.value.length) return;
  const chars = input.value.toUpperCase().replace(/[^0-9A-Z]/g, '').slice(0, 28);
  const grouped = chars.match(/.{1,4}/g)?.join('-') ?? '';
  if (grouped !== input.value) input.value = grouped;
});

$('entry-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const typed = $('code').value;
  state.typedLength = [...typed.toUpperCase()].filter((ch) => !' -\t\n'.includes(ch)).length;
  try {
    state.card = deriveCard(typed);
  } catch (err) {
    showEntry(codeMessage(err));
    return;
  }
  state.code = typed;
  state.cardFp = null;
  $('code').value = '';
  start();
});

// ---------------------------------------------------------------- flow ----

async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { status: response.status, data };
}

/** Everything after the card is known: local record, manifest, fingerprint, card status. */
async function start() {
  status(S.checking);
  for (const s of SECTIONS) $(s).hidden = true;
  const record = loadRecord(vote, state.card);
  if (record?.status === 'pending') return resume(record);
  if (record?.status === 'accepted') return showReceipt(record, S.used_title, S.used_here);
  state.worker = state.worker ?? startWorker(); // loads while the manifest downloads
  let manifestAnswer;
  try {
    manifestAnswer = await getJson(app.dataset.manifestUrl);
  } catch {
    return problem(S.network_title, S.network, { retry: true });
  }
  const { state: voteState, manifest } = manifestAnswer.data ?? {};
  if (!manifest) return problem(S.not_open_title, S.not_open, { retry: true });
  const fingerprint = toHex(ballotFingerprint(manifest));
  $('fingerprint').textContent = groups(fingerprint.slice(0, 16));
  if (state.cardFp && !fingerprint.startsWith(state.cardFp)) {
    return problem(S.fingerprint_title, fill(S.fingerprint, {
      card: groups(state.cardFp), ballot: groups(fingerprint.slice(0, state.cardFp.length)),
    }));
  }
  if (manifest.election_id !== vote) return problem(S.fingerprint_title, S.wrong_vote);
  state.manifest = manifest;
  if (voteState === STATE.DRAFT || voteState === STATE.READY) return problem(S.not_open_title, S.not_open, { retry: true });
  if (voteState !== STATE.OPEN) return problem(S.closed_title, S.closed);
  let cardAnswer;
  try {
    cardAnswer = await getJson(app.dataset.cardUrl + state.card);
  } catch {
    return problem(S.network_title, S.network, { retry: true });
  }
  // The status is advice (the cast endpoint decides): when rate-limited, go on.
  const cardStatus = cardAnswer.status === 429 ? 'unused' : cardAnswer.data?.status;
  if (cardStatus === 'used') return problem(S.used_title, S.used);
  if (cardStatus === 'revoked') return problem(S.revoked_title, S.revoked);
  if (cardStatus === 'unknown') return problem(S.unknown_title, S.unknown);
  if (cardStatus !== 'unused') return problem(S.network_title, S.network, { retry: true });
  return openBallot();
}

$('retry').addEventListener('click', () => {
  if (state.resumeRecord) resume(state.resumeRecord);
  else if (state.card) start();
  else location.reload();
});

// ---------------------------------------------------------------- worker ----

function startWorker() {
  const worker = new Worker(app.dataset.workerUrl, { type: 'module' });
  const pending = new Map();
  let next = 1;
  worker.onmessage = (event) => {
    const msg = event.data ?? {};
    if (msg.type === 'progress') {
      // Not "12/12 encrypted" beside "0/12 chosen": say what the figure means.
      $('encrypting').textContent = msg.ready >= msg.total
        ? S.encryption_ready
        : fill(S.encrypting, { ready: msg.ready, total: msg.total });
    } else if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.type === 'error') reject(Object.assign(new Error(msg.detail), { code: msg.code }));
      else resolve(msg);
    }
  };
  worker.onerror = (event) => {
    for (const { reject } of pending.values()) reject(new Error(event.message || 'worker failed'));
    pending.clear();
  };
  return {
    call(type, args = {}) {
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, type, ...args });
      });
    },
    terminate() { worker.terminate(); },
  };
}

async function openBallot() {
  status(S.preparing);
  const m = state.manifest;
  const context = {
    manifest_hash: toHex(manifestHash(m)),
    public_key: m.trustees.public_key,
    kind: m.kind,
    rows: m.officials.length,
    base: m.base,
  };
  // base = cards + 1 exactly (tally/manifest.py): anything else folds or hides a level.
  if (!Number.isInteger(m.cards?.count) || m.base !== m.cards.count + 1) return problem(S.fingerprint_title, S.wrong_vote);
  state.worker = state.worker ?? startWorker();
  let init;
  try {
    init = await state.worker.call('init', { context, electionId: vote, cardCode: state.code });
  } catch (err) {
    return problem(S.refused_title, fill(S.crypto_error, { detail: err.code ?? err.message }));
  }
  if (init.card !== state.card) return problem(S.refused_title, fill(S.crypto_error, { detail: 'card' }));
  state.form = new BallotForm({
    list: $('rows'),
    progress: $('progress'),
    officials: m.officials,
    levels: m.levels,
    strings: S,
    onChoose: (index, choice) => {
      state.worker.call('choose', { index, choice }).catch((err) => {
        problem(S.refused_title, fill(S.crypto_error, { detail: err.code ?? err.message }));
      });
    },
  });
  show('ballot');
  globalThis.phieuTimings.ballotShown = performance.now();
  app.dataset.ready = 'ballot';
}

$('to-review').addEventListener('click', () => {
  state.form.renderReview($('review-list'), $('review-warning'));
  show('review');
});
$('back').addEventListener('click', () => show('ballot'));

$('submit').addEventListener('click', async () => {
  $('submit').disabled = true;
  show('sending');
  $('send-status').textContent = S.sending;
  const t0 = performance.now();
  let signed;
  try {
    signed = await state.worker.call('submit');
  } catch (err) {
    $('submit').disabled = false;
    return problem(S.refused_title, fill(S.crypto_error, { detail: err.code ?? err.message }));
  }
  globalThis.phieuTimings.submitToSigned = performance.now() - t0;
  const record = { status: 'pending', ballot: signed.ballot, tracker: signed.tracker };
  state.stored = saveRecord(vote, state.card, record);
  if (!state.stored) $('send-status').textContent = S.storage;
  state.code = null; // the ballot is signed: the secret is no longer needed on this page
  state.worker.call('forget').catch(() => {});
  return resume(record);
});

// ---------------------------------------------------------------- check ----
// Cast or check (keys/audit.py): the rows are revealed as a checked ballot, never signed;
// the worker then encrypts every row afresh, so the next send or check is a new ballot.

$('check').addEventListener('click', async () => {
  $('check').disabled = true;
  let answer;
  try {
    answer = await state.worker.call('audit');
  } catch (err) {
    $('check').disabled = false;
    return problem(S.refused_title, fill(S.crypto_error, { detail: err.code ?? err.message }));
  }
  state.audit = answer;
  $('audit-tracker').textContent = groups(answer.tracker);
  $('audit-tracker').dataset.hex = answer.tracker;
  $('audit-list').hidden = true;
  $('audit-board').hidden = true;
  $('audit-status').textContent = '';
  $('reveal').hidden = false;
  $('check').disabled = false;
  show('audit');
  app.dataset.ready = 'audit';
});

$('reveal').addEventListener('click', async () => {
  const { audit, tracker } = state.audit;
  $('reveal').hidden = true;
  $('audit-list').replaceChildren(...audit.rows.map((row, i) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = state.manifest.officials[i].name;
    const choice = document.createElement('strong');
    choice.className = 'choice';
    choice.textContent = state.form.label(row.choice);
    li.append(name, choice);
    return li;
  }));
  $('audit-list').hidden = false;
  $('audit-status').textContent = S.audit_posting;
  let response, data = null;
  try {
    response = await fetch(app.dataset.auditUrl, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(audit), credentials: 'same-origin', cache: 'no-store',
    });
    try { data = await response.json(); } catch { data = null; }
  } catch {
    response = null;
  }
  if (response?.ok && data?.tracker === tracker) {
    $('audit-status').textContent = S.audit_posted;
    $('audit-board').href = `${app.dataset.boardUrl}#audit-${tracker.slice(0, 16)}`;
    $('audit-board').hidden = false;
    app.dataset.ready = 'audited';
  } else {
    $('audit-status').textContent = fill(S.audit_refused, { message: data?.message ?? S.network });
    app.dataset.ready = 'audit-refused';
  }
  state.audit = null;
});

$('audit-back').addEventListener('click', () => {
  state.form.renderReview($('review-list'), $('review-warning'));
  show('review');
  app.dataset.ready = 'review';
});

// ---------------------------------------------------------------- sending ----

async function resume(record) {
  state.resumeRecord = record;
  show('sending');
  if (state.stored !== false) $('send-status').textContent = S.sending;
  const t0 = performance.now();
  const answer = await sendUntilAnswered(app.dataset.castUrl, record, ({ attempt, wait, offline }) => {
    $('send-status').textContent = offline ? S.offline : fill(S.retrying, { s: wait, n: attempt + 1 });
  });
  globalThis.phieuTimings.sendMs = performance.now() - t0;
  const card = record.ballot.card;
  if (answer.ok) {
    if (answer.tracker !== record.tracker) return problem(S.refused_title, S.mismatch);
    // The server-signed receipt (docs/record.md §7): kept so the member can prove acceptance.
    const m = state.manifest;
    const signed = m && receiptValid(answer.receipt, manifestHash(m), m.server_key, answer.tracker, answer.seq)
      ? answer.receipt : null;
    const accepted = { status: 'accepted', tracker: answer.tracker, seq: answer.seq, receipt: signed };
    saveRecord(vote, card, accepted);
    state.resumeRecord = null;
    return showReceipt(accepted);
  }
  saveRecord(vote, card, { ...record, status: 'refused', code: answer.code, message: answer.message });
  const retry = answer.code === 'not_open';
  if (!retry) state.resumeRecord = null;
  if (answer.code === 'card_used') return problem(S.used_title, S.used, { detail: answer.message });
  if (answer.code === 'closed') return problem(S.closed_title, S.closed, { detail: answer.message });
  if (answer.code === 'card_revoked') return problem(S.revoked_title, S.revoked, { detail: answer.message });
  if (answer.code === 'unknown_card') return problem(S.unknown_title, S.unknown, { detail: answer.message });
  return problem(S.refused_title, answer.message, { retry });
}

function showReceipt(record, title = null, note = null) {
  $('tracker').textContent = groups(record.tracker);
  $('tracker').dataset.hex = record.tracker;
  if (title) $('receipt-title').textContent = title;
  $('receipt-note').hidden = !note;
  $('receipt-note').textContent = note ?? '';
  // One tap: the board finds the tracker and shows the latest signed head that covers it.
  $('board-link').href = `${app.dataset.boardUrl}?q=${record.tracker}#found`;
  $('copy-signed').hidden = !record.receipt;
  $('copy-signed').dataset.json = record.receipt ? JSON.stringify(record.receipt) : '';
  show('receipt');
  app.dataset.ready = 'receipt';
  if (state.worker) { state.worker.terminate(); state.worker = null; }
}

$('copy').addEventListener('click', async () => {
  const hex = $('tracker').dataset.hex;
  let ok = false;
  try {
    await navigator.clipboard.writeText(hex);
    ok = true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('tracker'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    try { ok = document.execCommand('copy'); } catch { ok = false; }
  }
  $('copy-status').textContent = ok ? S.copied : S.copy_failed;
});

$('copy-signed').addEventListener('click', async () => {
  let ok = false;
  try {
    await navigator.clipboard.writeText($('copy-signed').dataset.json);
    ok = true;
  } catch { ok = false; }
  $('copy-status').textContent = ok ? S.copied : S.copy_failed;
});

// Switching language reloads the page: keep the card in the fragment across that reload.
for (const link of document.querySelectorAll('.lang-switch a.lang')) {
  link.addEventListener('click', async (event) => {
    if (!state.code) return;
    event.preventDefault();
    try { await fetch(link.href, { credentials: 'same-origin' }); } catch { /* reload anyway */ }
    history.replaceState(history.state, '', `${location.pathname}#${state.code}${state.cardFp ? `.${state.cardFp}` : ''}`);
    location.reload();
  });
}

// ---------------------------------------------------------------- boot ----

function boot() {
  const fromLink = readFragment();
  if (fromLink) {
    try {
      state.card = deriveCard(fromLink.code);
      state.code = fromLink.code;
      state.cardFp = fromLink.fp;
      return start();
    } catch (err) {
      state.typedLength = [...fromLink.code].filter((ch) => !' -\t\n'.includes(ch)).length;
      return showEntry(codeMessage(err));
    }
  }
  const pending = allRecords(vote).find((r) => r.status === 'pending');
  if (pending) {
    state.card = pending.card;
    return resume(pending);
  }
  return showEntry();
}

boot();
