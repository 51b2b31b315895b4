// Browser twin of keys/codes.py: the one grouping of the codes people read aloud and
// compare (fingerprints, trackers, heads), the same on every screen, card and minutes.
// No import: the projector loads it without the crypto core.

/** "ab12cd34…" → "ab12 cd34 …" (white space dropped first; null or undefined → ""). */
export const groupCode = (text, size = 4) =>
  (String(text ?? '').replace(/\s+/g, '').match(new RegExp(`.{1,${size}}`, 'gu')) ?? []).join(' ');
