// The voting page's ballot form: one row per official with a button per level and an
// explicit blank, a progress line, and the review list. Pure DOM, no crypto.
//
// Choices follow the ballot encoding: 0 = blank, i = levels[i - 1]. A row the member
// has not touched is `null` here (and is encrypted as blank).

/** Fill a "{name}" template. */
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function el(tag, attrs = {}, text = '') {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

export class BallotForm {
  /**
   * @param {object} o
   * @param {HTMLElement} o.list the <ol> for the rows
   * @param {HTMLElement} o.progress the live progress line
   * @param {{name: string, position: string}[]} o.officials
   * @param {string[]} o.levels level codes in ballot order
   * @param {object} o.strings the page's texts
   * @param {(index: number, choice: number) => void} o.onChoose
   */
  constructor({ list, progress, officials, levels, strings, onChoose }) {
    this.list = list;
    this.progress = progress;
    this.officials = officials;
    this.levels = levels;
    this.strings = strings;
    this.onChoose = onChoose;
    this.choices = new Array(officials.length).fill(null);
    this.render();
  }

  /** Label of a choice (0 = blank). */
  label(choice) {
    if (choice === null) return this.strings.not_chosen;
    if (choice === 0) return this.strings.blank;
    const code = this.levels[choice - 1];
    return this.strings.levels[code] ?? code;
  }

  render() {
    this.list.replaceChildren();
    this.officials.forEach((official, i) => {
      const item = el('li', { class: 'row', id: `row-${i}` });
      const fieldset = el('fieldset');
      const legend = el('legend');
      legend.append(el('span', { class: 'row-number' }, `${i + 1}.`),
        el('span', { class: 'name' }, official.name),
        el('span', { class: 'position' }, official.position));
      fieldset.append(legend);
      const group = el('div', { class: 'levels' });
      const choices = this.levels.map((_, j) => j + 1).concat([0]);
      for (const choice of choices) {
        const button = el('button', {
          type: 'button',
          class: choice === 0 ? 'level blank' : `level level-${choice}`,
          'aria-pressed': 'false',
          'data-row': String(i),
          'data-choice': String(choice),
        }, this.label(choice));
        group.append(button);
      }
      fieldset.append(group);
      item.append(fieldset);
      this.list.append(item);
    });
    this.list.addEventListener('click', (event) => {
      const button = event.target.closest('button.level');
      if (!button || !this.list.contains(button)) return;
      this.choose(Number(button.dataset.row), Number(button.dataset.choice));
    });
    this.updateProgress();
  }

  /** Record a choice, reflect it in aria-pressed, and tell the encryption worker. */
  choose(index, choice) {
    this.choices[index] = choice;
    const row = this.list.querySelector(`#row-${index}`);
    for (const button of row.querySelectorAll('button.level')) {
      button.setAttribute('aria-pressed', String(Number(button.dataset.choice) === choice));
    }
    row.classList.add('chosen');
    this.updateProgress();
    this.onChoose(index, choice);
  }

  chosenCount() {
    return this.choices.filter((c) => c !== null).length;
  }

  updateProgress() {
    this.progress.textContent = fill(this.strings.progress, {
      chosen: this.chosenCount(), total: this.officials.length,
    });
  }

  /** Fill the review list; returns the number of rows not chosen. */
  renderReview(list, warning) {
    list.replaceChildren();
    this.officials.forEach((official, i) => {
      const item = el('li', { class: this.choices[i] === null ? 'unchosen' : '' });
      item.append(el('span', { class: 'name' }, official.name),
        el('span', { class: 'position' }, official.position),
        el('strong', { class: 'choice' }, this.label(this.choices[i])));
      list.append(item);
    });
    const missing = this.officials.length - this.chosenCount();
    warning.hidden = missing === 0;
    warning.textContent = missing ? fill(this.strings.unchosen_warning, { n: missing }) : '';
    return missing;
  }
}
