// The voting page's durable sending: a signed ballot is written to localStorage before
// it is sent, and sent again (the very same bytes, so the same tracker) until the
// server acknowledges it (200) or refuses it for good (4xx with a JSON error).
//
// A record, under "phieu:v1:<vote>:<card hex>":
//   {status: 'pending', ballot, tracker}          written before the first request
//   {status: 'accepted', tracker, seq}            after the 200 (the ballot is dropped)
//   {status: 'refused', ballot, tracker, code, message}   after a definitive refusal

const PREFIX = 'phieu:v1:';
const TIMEOUT_MS = 30000;
const MAX_WAIT_S = 30;

const keyFor = (vote, card) => `${PREFIX}${vote}:${card}`;

/** The record of this card's ballot on this phone, or null. */
export function loadRecord(vote, card) {
  try {
    const text = globalThis.localStorage.getItem(keyFor(vote, card));
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** Write the record; false if the browser cannot keep it (private mode, quota). */
export function saveRecord(vote, card, record) {
  try {
    globalThis.localStorage.setItem(keyFor(vote, card), JSON.stringify(record));
    return loadRecord(vote, card)?.tracker === record.tracker;
  } catch {
    return false;
  }
}

/** Every record of this vote on this phone: [{card, ...record}]. */
export function allRecords(vote) {
  const out = [];
  try {
    const store = globalThis.localStorage;
    const prefix = `${PREFIX}${vote}:`;
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (!key || !key.startsWith(prefix)) continue;
      const record = loadRecord(vote, key.slice(prefix.length));
      if (record && typeof record.tracker === 'string') out.push({ card: key.slice(prefix.length), ...record });
    }
  } catch {
    // no storage: nothing kept
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Wait `ms`, or less if the browser comes back online. */
function waitOrOnline(ms) {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); globalThis.removeEventListener('online', done); resolve(); };
    const timer = setTimeout(done, ms);
    globalThis.addEventListener('online', done);
  });
}

/** Seconds before attempt n+1: 1, 2, 4, 8 … 30, with jitter so a room does not retry in step. */
function backoff(attempt, retryAfter) {
  if (retryAfter > 0) return Math.min(retryAfter, 120);
  const base = Math.min(2 ** (attempt - 1), MAX_WAIT_S);
  return Math.max(1, Math.round(base * (0.75 + Math.random() * 0.5)));
}

async function postOnce(url, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    return { status: response.status, data, retryAfter: Number(response.headers.get('Retry-After')) || 0 };
  } catch {
    return null; // network failure, offline or timed out
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Send the record's ballot until the server answers for good.
 * Resolves {ok: true, tracker, seq, repeated} or {ok: false, status, code, message}.
 * `onRetry({attempt, wait, offline})` is called before each wait.
 */
export async function sendUntilAnswered(url, record, onRetry = () => {}) {
  const body = JSON.stringify(record.ballot);
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(url, body);
    if (answer && answer.status === 200 && typeof answer.data?.tracker === 'string') {
      return { ok: true, ...answer.data };
    }
    const definitive = answer && answer.status >= 400 && answer.status < 500
      && ![408, 425, 429].includes(answer.status) && typeof answer.data?.error === 'string';
    if (definitive) {
      return { ok: false, status: answer.status, code: answer.data.error, message: answer.data.message ?? '' };
    }
    const wait = backoff(attempt, answer?.retryAfter ?? 0);
    onRetry({ attempt, wait, offline: globalThis.navigator?.onLine === false });
    if (globalThis.navigator?.onLine === false) await waitOrOnline(wait * 1000);
    else await sleep(wait * 1000);
  }
}
