// The states of a vote, as the server sends them (manifest.json's and status.json's
// "state"): the values of ballot/states.py State, mirrored here once for the page
// scripts (tests/test_vocab.py compares the two).
export const STATE = Object.freeze({
  DRAFT: 'draft',
  READY: 'ready',
  OPEN: 'open',
  CLOSED: 'closed',
  TALLIED: 'tallied',
  PUBLISHED: 'published',
});
