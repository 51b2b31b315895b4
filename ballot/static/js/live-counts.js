// Secretariat screens that stay current by themselves (dashboard, check-in, close): every
// few seconds they read the vote's public status (the projector's status.json: counts
// only) and update the figures; when the vote changes state elsewhere (opened or closed on
// another screen) the page reloads so its forms match the new state.
const root = document.querySelector('[data-live-url]');
const POLL_MS = 4000;

function apply(data) {
  if (data.state !== root.dataset.state) { window.location.reload(); return; }
  for (const node of root.querySelectorAll('[data-field]')) {
    const value = data[node.dataset.field];
    if (value !== undefined && value !== null) node.textContent = String(value);
  }
  for (const node of root.querySelectorAll('[data-quorum]')) {
    node.hidden = (node.dataset.quorum === 'met') !== Boolean(data.quorum_met);
  }
  for (const node of root.querySelectorAll('[data-quorum-class]')) {
    node.classList.toggle('ok', Boolean(data.quorum_met));
    node.classList.toggle('no', !data.quorum_met);
  }
  root.dataset.updated = String(Date.now());
}

async function refresh() {
  try {
    const response = await fetch(root.dataset.liveUrl, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (response.ok) apply(await response.json());
  } catch {
    // keep the figures shown; try again at the next interval
  }
}

if (root) setInterval(refresh, POLL_MS);
