// The projector page: polls status.json every few seconds and ticks the countdown.
// It only ever shows turnout and fingerprints (status.json carries nothing else).
import { groupCode as groups } from './phieu-codes.js';
import { STATE } from './vote-states.js';

const root = document.getElementById('projector');
const POLL_MS = 5000;
let deadline = null; // performance.now() at which the countdown reaches zero

function setField(name, value) {
  for (const node of root.querySelectorAll(`[data-field="${name}"]`)) node.textContent = String(value ?? '');
}

function tick() {
  const node = document.getElementById('countdown');
  if (deadline === null) { node.hidden = true; return; }
  const left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
  const h = Math.floor(left / 3600);
  const m = String(Math.floor((left % 3600) / 60)).padStart(2, '0');
  const s = String(left % 60).padStart(2, '0');
  node.textContent = h ? `${h}:${m}:${s}` : `${m}:${s}`;
  node.hidden = false;
}

function apply(data) {
  // Once the results are published the projector page itself shows them.
  if (data.state === STATE.PUBLISHED) { window.location.reload(); return; }
  for (const name of ['state_label', 'cast', 'issued', 'present', 'summoned', 'quorum_needed', 'closes_at_text']) setField(name, data[name]);
  document.getElementById('closes-at').hidden = !data.closes_at_text || data.state !== STATE.OPEN;
  const quorum = document.getElementById('quorum');
  quorum.textContent = data.quorum_met ? quorum.dataset.met : quorum.dataset.missing;
  quorum.className = data.quorum_met ? 'quorum-met' : 'quorum-missing';
  deadline = Number.isInteger(data.seconds_left) ? performance.now() + data.seconds_left * 1000 : null;
  const fp = data.fingerprints ?? {};
  setField('manifest_hash', groups(fp.manifest_hash));
  setField('ballot_fingerprint', groups((fp.ballot_fingerprint ?? '').slice(0, 16)));
  setField('close_head', groups(fp.close?.head));
  document.getElementById('fp-manifest').hidden = !fp.manifest_hash || Boolean(fp.close);
  document.getElementById('fp-close').hidden = !fp.close;
  root.dataset.updated = String(Date.now());
  tick();
}

async function refresh() {
  try {
    const response = await fetch(root.dataset.statusUrl, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (response.ok) apply(await response.json());
  } catch {
    // keep the last figures; try again at the next interval
  }
}

const initial = document.getElementById('countdown').dataset.seconds;
if (initial !== '') deadline = performance.now() + Number(initial) * 1000;
tick();
setInterval(tick, 1000);
setInterval(refresh, POLL_MS);
refresh();
