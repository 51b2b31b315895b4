// Projector results: when the officials do not fit the screen, show them a page at a
// time and move to the next page by itself (rows are hidden with the hidden attribute,
// so the strict CSP needs no inline style).
const root = document.getElementById('results-projector');
const rows = [...root.querySelectorAll('tr.official')];
const label = document.getElementById('results-page');
const seconds = Number(root.dataset.pageSeconds) || 12;
let pages = [];
let current = 0;

function fits() {
  return document.documentElement.scrollHeight <= window.innerHeight;
}

function layout() {
  for (const row of rows) row.hidden = false;
  pages = [rows];
  if (fits()) { label.hidden = true; root.dataset.pages = '1'; return; }
  // Find how many rows fit with the rest of the page, then cut the list in pages of that size.
  let size = rows.length;
  while (size > 1) {
    size -= 1;
    rows.forEach((row, i) => { row.hidden = i >= size; });
    if (fits()) break;
  }
  pages = [];
  for (let i = 0; i < rows.length; i += size) pages.push(rows.slice(i, i + size));
  root.dataset.pages = String(pages.length);
  show(0);
}

function show(n) {
  current = n % pages.length;
  for (const row of rows) row.hidden = !pages[current].includes(row);
  label.textContent = `${current + 1}/${pages.length} ·`;
  label.hidden = pages.length < 2;
  root.dataset.page = String(current + 1);
}

layout();
window.addEventListener('resize', layout);
setInterval(() => { if (pages.length > 1) show(current + 1); }, seconds * 1000);
