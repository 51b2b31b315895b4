// The trustee's page of the dealer-free key ceremony (docs/operations.md, checklist).
//
// Everything secret happens here, in this browser's memory: the ceremony secret e_i and
// the polynomial (phieu-dkg.js), the sub-shares received, the share x_j, the passphrase
// (typed in an <input type=password>, NFC, strength-checked) and the share file, which
// is sealed here and handed over as a download made in the browser. Only the public
// messages (commit, shares encrypted to each other trustee, done, complaint, confirm)
// are posted, with the link's token (from the URL fragment) in X-Trustee-Token.
// Pure JS crypto (vendored noble): it works on plain http://192.168.x.y, where
// crypto.subtle does not exist.
import { CryptoError, bytesEqual, canonicalJson, manifestHash, toHex } from './phieu-crypto.js';
import { groupCode } from './phieu-codes.js';
import * as dkg from './phieu-dkg.js';
import { checkPassphrase, openShare, readHeader, sealShare, shareFileName } from './phieu-trustee.js';

const root = document.getElementById('ceremony');
const S = JSON.parse(document.getElementById('ceremony-strings').textContent);
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.hash.slice(1));
const me = Number.parseInt(params.get('i') || '0', 10);
const token = params.get('t') || '';
// The token leaves the address bar and the history at once (shoulder-surfing, synced
// history). Nothing is stored: a reload loses the token as it loses the secrets.
if (params.has('t')) {
  params.delete('t');
  history.replaceState(history.state, '', `${location.pathname}${location.search}#${params}`);
}
const device = { state: null, posted: null, contributions: null, transcript: null, result: null };
let board = null;
let busy = false;

const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k] ?? ''));

function show(id) {
  for (const s of ['step-commit', 'step-compare', 'step-finish', 'step-confirm']) $(s).hidden = s !== id;
}

function status(text) { $('status').textContent = text; }

// For the people (and the browser tests): where this device is.
function phase(name) { root.dataset.phase = name; }

function fail(text) {
  if (text) phase('error');
  const e = $('error');
  e.textContent = text;
  e.hidden = !text;
}

function explain(err) {
  if (err instanceof CryptoError) {
    if (err.code === 'weak_passphrase') return `${S.weak_passphrase} ${S[err.detail] || err.detail}`;
    return `${S.error} ${S[err.code] || err.code} ${err.detail || ''}`.trim();
  }
  return err && err.message ? `${S.error} ${err.message}` : S.network;
}

async function getJson(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'omit' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message || body.error);
  return body;
}

async function post(message) {
  const r = await fetch(root.dataset.post, {
    method: 'POST',
    credentials: 'omit',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Trustee-Token': token },
    body: JSON.stringify(message),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message || body.error);
  board = body.board;
  return board;
}

const mine = (list) => list.find((m) => m.trustee === me);

function renderBoard() {
  const list = $('board-list');
  list.replaceChildren();
  board.names.forEach((name, i) => {
    const j = i + 1;
    const steps = ['commits', 'shares', 'done', 'confirmations'].filter((k) => board[k].some((m) => m.trustee === j));
    const li = document.createElement('li');
    li.textContent = `${j}. ${name}: ${steps.join(', ') || '—'}`;
    list.append(li);
  });
  for (const c of board.complaints) {
    const li = document.createElement('li');
    li.className = 'error';
    li.textContent = `⚠ ${board.names[c.trustee - 1]} → ${board.names[c.against - 1]}: ${c.reason}`;
    list.append(li);
  }
  for (const r of board.restarts) {
    const li = document.createElement('li');
    li.textContent = fill(S.restarted, { r: r.round, reason: r.reason });
    list.append(li);
  }
}

// ---------------------------------------------------------------- steps ----

async function doCommit() {
  const { state, message } = dkg.start(board.election_id, board.ceremony, board.names, board.threshold, me);
  device.state = state;
  device.posted = message;
  await post(message);
}

// A commit under this trustee's name that this page did not post: someone used the link
// first (the secretariat sees every token), or this page was reloaded and lost its
// secrets. Either way the round cannot go on: loud, and nothing more is done here.
function alarm() {
  phase('alarm');
  show(null);
  status('');
  const e = $('error');
  e.textContent = S.alarm_commit;
  e.hidden = false;
}

function checkCommits() {
  const contributions = dkg.verifyCommits(board.commits, board.election_id, board.ceremony, board.names, board.threshold);
  if (!bytesEqual(canonicalJson(mine(board.commits)), canonicalJson(device.posted))) return false;
  const ctx = dkg.context(board.election_id, board.ceremony, board.names, board.threshold);
  device.contributions = contributions;
  device.transcript = dkg.transcript(ctx, dkg.ceremonyJson(board.ceremony, contributions).contributions);
  $('transcript-code').textContent = groupCode(toHex(device.transcript).slice(0, 32));
  $('compare-text').textContent = S.compare;
  return true;
}

async function doShares() {
  if (!$('all-match').checked) return;
  await post(dkg.makeShares(device.state, device.contributions));
}

async function receiveShares() {
  const result = dkg.receive(device.state, device.contributions, board.shares);
  if (result.complaint) {
    const c = result.complaint;
    await post(c.to_json ? c.to_json() : c);
    status(S.complained);
    return;
  }
  device.result = result;
}

async function doFinish() {
  const p1 = $('pass1').value.normalize('NFC');
  const p2 = $('pass2').value.normalize('NFC');
  const perr = $('pass-error');
  perr.hidden = true;
  if (p1 !== p2) { perr.textContent = S.mismatch_pass; perr.hidden = false; return; }
  // The device's own state, never the latest board: a board changed after the shares
  // must not rename the share file or move it to another vote or round.
  const st = device.state;
  const name = st.names[me - 1];
  try { checkPassphrase(p1, name); } catch (err) { perr.textContent = explain(err); perr.hidden = false; return; }
  status(S.sealing);
  const { share, key } = device.result;
  const kj = dkg.keyJson(key);
  const bytes = await sealShare({
    electionId: st.electionId, round: st.round, publicKey: kj.public_key,
    verificationKeys: kj.verification_keys, transcript: device.transcript, trustee: me, name,
    secretShare: share, passphrase: p1,
  });
  $('pass1').value = ''; $('pass2').value = '';
  const link = $('download-link');
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
  link.download = shareFileName(st.electionId, me);
  $('download').hidden = false;
  status(S.saved);
}

async function doDone() {
  const { share, key, message } = device.result;
  const done = dkg.doneMessage ? dkg.doneMessage(device.state, share, key, device.transcript) : message;
  await post(done);
  dkg.wipeState(device.state);
  device.result = null;
  URL.revokeObjectURL($('download-link').href);
  phase('finished');
  status(S.finished);
}

// Confirmation: everything re-derived from the manifest and compared with the share file.
const confirmation = { file: null, hash: null, key: null };

async function chooseFile() {
  fail('');
  $('confirm-pass').hidden = true;
  const file = $('share-file').files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = readHeader(bytes);
  const manifest = await getJson(root.dataset.manifest);
  const t = manifest.trustees;
  if (header.trustee.index !== me || t.names[me - 1] !== header.trustee.name || manifest.election_id !== board.election_id) {
    throw new Error(S.manifest_bad);
  }
  const key = dkg.checkCeremony(t, manifest.election_id, t.names, t.threshold);
  const round = t.ceremony.round;
  const ctx = dkg.context(manifest.election_id, round, t.names, t.threshold);
  const transcript = toHex(dkg.transcript(ctx, t.ceremony.contributions));
  const kj = dkg.keyJson(key);
  const e = header.election;
  if (e.id !== manifest.election_id || e.ceremony !== round || e.transcript !== transcript ||
      e.public_key !== kj.public_key || JSON.stringify(e.verification_keys) !== JSON.stringify(kj.verification_keys)) {
    throw new Error(S.manifest_bad);
  }
  const hash = manifestHash(manifest);
  if (board.candidate_manifest !== toHex(hash)) throw new Error(S.manifest_bad);
  confirmation.file = bytes; confirmation.hash = hash; confirmation.key = key;
  $('manifest-fingerprint').textContent = groupCode(toHex(hash));
  $('manifest-info').textContent = fill(S.manifest_info, { cards: manifest.cards.count, officials: manifest.officials.length });
  $('confirm-pass').hidden = false;
}

async function doConfirm() {
  const kj = dkg.keyJson(confirmation.key);
  const opened = await openShare(confirmation.file, $('pass-confirm').value, {
    electionId: board.election_id, publicKey: kj.public_key, verificationKeys: kj.verification_keys,
    transcript: readHeader(confirmation.file).election.transcript,
  });
  $('pass-confirm').value = '';
  try {
    await post(dkg.confirm(confirmation.hash, me, opened.secretShare, undefined, board.election_id));
  } finally {
    opened.wipe();
  }
  phase('confirmed');
  status(S.confirmed);
}

// ------------------------------------------------------------- the loop ----

async function step() {
  renderBoard();
  if (root.dataset.phase === 'alarm') { alarm(); return; }
  const n = board.names.length;
  const count = (k) => board[k].length;
  if (board.state === 'frozen') { show(null); status(S.frozen); return; }
  if (mine(board.confirmations)) { show(null); status(S.confirmed); return; }
  if (board.state === 'failed') { show(null); status(S.failed); return; }
  if (board.state === 'confirm') { if ($('step-confirm').hidden) show('step-confirm'); status(''); return; }
  if (mine(board.done)) { show(null); status(board.state === 'done' ? S.wait_cards : fill(S.wait_done, { n: count('done'), total: n })); return; }
  if (!mine(board.commits)) { show('step-commit'); status(''); return; }
  if (!device.state || !bytesEqual(canonicalJson(mine(board.commits)), canonicalJson(device.posted))) {
    alarm();
    return;
  }
  if (count('commits') < n) { show(null); status(fill(S.wait_commits, { n: count('commits'), total: n })); return; }
  if (!device.contributions && !checkCommits()) { alarm(); return; }
  if (!mine(board.shares)) { if ($('step-compare').hidden) show('step-compare'); status(''); return; }
  if (count('shares') < n) { show(null); status(fill(S.wait_shares, { n: count('shares'), total: n })); return; }
  if (!device.result) await receiveShares();
  if (device.result && $('step-finish').hidden) show('step-finish');
}

async function refresh() {
  if (busy) return;
  busy = true;
  try {
    board = await getJson(root.dataset.board);
    await step();
  } catch (err) {
    fail(explain(err));
  } finally {
    busy = false;
  }
}

function act(button, action) {
  $(button).addEventListener('click', async () => {
    if ($(button).disabled) return;
    $(button).disabled = true;
    // A board refresh may be in flight: wait for it; a click is never dropped.
    while (busy) await new Promise((resolve) => setTimeout(resolve, 50));
    busy = true;
    fail('');
    try {
      await action();
      await step();
    } catch (err) {
      fail(explain(err));
    } finally {
      busy = false;
      $(button).disabled = false;
    }
  });
}

if (!token || !(me >= 1)) {
  fail(S.no_token);
} else {
  act('do-commit', doCommit);
  act('do-shares', doShares);
  act('do-finish', doFinish);
  act('do-done', doDone);
  act('do-confirm', doConfirm);
  $('share-file').addEventListener('change', () => chooseFile().catch((err) => fail(explain(err))));
  getJson(root.dataset.board).then((b) => {
    $('who').textContent = fill(S.you_are, { i: me, name: b.names[me - 1] || '?' });
  }).catch(() => {});
  refresh();
  setInterval(refresh, 2000);
}
