// The public board's check of the checked ballots (keys/audit.py's twin, phieu-audit.js):
// on this device, each revealed row must encrypt exactly its shown choice under the
// manifest's key, and its audit tracker must be the one listed.
import { manifestHash, toHex } from './phieu-crypto.js';
import { makeContext } from './phieu-ballot.js';
import { auditFromJson, auditTracker, verifyAudit } from './phieu-audit.js';

const section = document.getElementById('audits');
const button = document.getElementById('check-audits');
const summary = document.getElementById('audit-summary');
const lang = document.documentElement.lang === 'en' ? 1 : 0;
const T = {
  ok: ['Đúng: mã hóa đúng các lựa chọn ghi trên', 'Correct: encrypts exactly the choices shown'],
  bad: ['SAI', 'WRONG'],
  done: ['Đã kiểm tra {n} lá phiếu, {bad} sai', 'Checked {n} ballots, {bad} wrong'],
};
const t = (k, v = {}) => T[k][lang].replace(/\{(\w+)\}/g, (_, x) => String(v[x]));

async function check() {
  button.disabled = true;
  const get = async (url) => (await fetch(url, { cache: 'no-store' })).json();
  const [{ manifest: m }, { audited }] = await Promise.all([
    get(section.dataset.manifestUrl), get(section.dataset.auditsUrl)]);
  const ctx = makeContext({
    manifest_hash: toHex(manifestHash(m)), public_key: m.trustees.public_key,
    kind: m.kind, rows: m.officials.length, base: m.base,
  });
  let bad = 0;
  const t0 = performance.now();
  for (const item of audited) {
    const li = section.querySelector(`li[data-tracker="${item.tracker}"]`);
    const out = li?.querySelector('.audit-result');
    try {
      const a = auditFromJson(item.ballot);
      if (toHex(auditTracker(a.manifestHash, a.rows)) !== item.tracker) throw new Error('tracker');
      verifyAudit(ctx, a);
      if (out) { out.textContent = t('ok'); out.dataset.ok = 'true'; }
    } catch (err) {
      bad++;
      if (out) { out.textContent = `${t('bad')} (${err.detail ?? err.message})`; out.dataset.ok = 'false'; }
    }
  }
  globalThis.phieuAuditMs = performance.now() - t0;
  summary.textContent = t('done', { n: audited.length, bad });
  section.dataset.checked = String(audited.length - bad);
  button.disabled = false;
}

button?.addEventListener('click', () => { check().catch((err) => { summary.textContent = String(err); button.disabled = false; }); });
