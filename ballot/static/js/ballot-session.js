// The voting page's crypto session: the logic behind ballot-worker.js, importable and
// testable without a Worker.
//
// After `init` the card key is derived and every row is encrypted as blank in the
// background, one row per task so that messages are still handled in between. `choose`
// puts the chosen row at the front of the queue (re-encrypting it if it changed), so
// that by the time the voter presses "submit" only the signature is left. Every
// encryption uses fresh nonces; the card secret lives only in this object.
import * as C from './phieu-crypto.js';
import * as cards from './phieu-cards.js';
import * as B from './phieu-ballot.js';
import * as A from './phieu-audit.js';

/** Run `fn` as a new task (not a microtask), so that pending messages are handled first. */
function nextTask(fn) {
  if (typeof setImmediate === 'function') return setImmediate(fn); // Node
  const channel = new MessageChannel(); // browser: no 4 ms clamp, unlike setTimeout
  channel.port1.onmessage = () => { channel.port1.close(); fn(); };
  channel.port2.postMessage(null);
  return undefined;
}

export class BallotSession {
  /**
   * @param {object} [options]
   * @param {(p: {ready: number, total: number}) => void} [options.onProgress] rows up to date
   * @param {{scalar: () => bigint}} [options.nonces] nonce source (tests only)
   * @param {() => Uint8Array} [options.aux] BIP340 auxiliary randomness (tests only)
   */
  constructor({ onProgress = () => {}, nonces = C.systemNonces, aux = () => C.randomBytes(32) } = {}) {
    this.onProgress = onProgress;
    this.nonces = nonces;
    this.aux = aux;
    this.ctx = null;
    this.sk = null;
    this.card = null;
    this.choices = [];
    this.rows = []; // rows[i] = {choice, row} for the encryption of row i, or null
    this.urgent = []; // indices chosen by the voter, first come first served
    this.running = false;
    this.waiters = [];
    this.timing = { encryptMs: 0, rowsEncrypted: 0 };
  }

  /** Dispatch one request by name (the worker's message API). */
  async handle(type, args) {
    switch (type) {
      case 'init': return this.init(args);
      case 'choose': return this.choose(args);
      case 'submit': return this.submit(args);
      case 'audit': return this.audit(args);
      case 'forget': return this.forget();
      default: throw new C.CryptoError('bad_parameters', `unknown request ${type}`);
    }
  }

  /** Derive the card key, prepare the election key table and start pre-encrypting blank rows. */
  init({ context, electionId, cardCode }) {
    const secret = cards.decodeCode(cardCode);
    const ctx = B.makeContext(context);
    this.forget();
    this.ctx = ctx;
    this.sk = cards.signingKey(electionId, secret);
    secret.fill(0);
    this.card = cards.publicKey(this.sk);
    this.choices = new Array(ctx.rows).fill(0);
    this.rows = new Array(ctx.rows).fill(null);
    this.schedule();
    return { card: C.toHex(this.card), rows: ctx.rows, values: ctx.values.length };
  }

  /** Record the voter's choice for a row; it is encrypted next, before any blank row. */
  choose({ index, choice }) {
    this.requireInit();
    if (!Number.isInteger(index) || index < 0 || index >= this.ctx.rows) {
      throw new C.CryptoError('bad_parameters', `row ${index} outside 0..${this.ctx.rows - 1}`);
    }
    if (!Number.isInteger(choice) || choice < 0 || choice >= this.ctx.values.length) {
      throw new C.CryptoError('bad_parameters', `choice ${choice} outside 0..${this.ctx.values.length - 1}`);
    }
    this.choices[index] = choice;
    if (this.rows[index]?.choice !== choice && !this.urgent.includes(index)) this.urgent.push(index);
    this.schedule();
    return { index, choice, ready: this.readyCount() };
  }

  /** Wait for the rows still pending, sign, and return the ballot JSON and its tracker (hex). */
  async submit() {
    this.requireInit();
    const t0 = now();
    await this.settled();
    const rows = this.rows.map((r) => r.row);
    const ballot = B.signBallot(this.ctx, this.sk, rows, this.aux());
    return {
      ballot: B.ballotToJson(ballot),
      tracker: C.toHex(B.tracker(ballot)),
      submitMs: now() - t0,
    };
  }

  /**
   * Cast or check: wait for the rows, reveal them (choices and nonces r) as a checked
   * ballot, never signed, then drop every row so the ballot is encrypted afresh (new
   * nonces) before it can be checked again or cast. Returns {audit, tracker (hex)}.
   */
  async audit() {
    this.requireInit();
    await this.settled();
    const rows = this.rows.map(({ choice, row }) => ({ alpha: row.alpha, beta: row.beta, choice, r: row.r }));
    const tracker = C.toHex(A.auditTracker(this.ctx.manifestHash, rows));
    const audit = A.auditToJson(this.ctx.manifestHash, rows);
    this.rows = new Array(this.ctx.rows).fill(null);
    this.urgent = [];
    this.schedule();
    return { audit, tracker };
  }

  /** Drop the card key and every encryption (e.g. after the ballot was accepted). */
  forget() {
    this.sk = null;
    this.card = null;
    this.ctx = null;
    this.rows = [];
    this.choices = [];
    this.urgent = [];
    return { forgotten: true };
  }

  /** Number of rows whose encryption matches the current choice. */
  readyCount() {
    return this.rows.reduce((n, r, i) => n + (r !== null && r.choice === this.choices[i]), 0);
  }

  requireInit() {
    if (!this.sk) throw new C.CryptoError('bad_parameters', 'init first');
  }

  /** Index of the next row to encrypt, or -1 when every row is up to date. */
  nextRow() {
    while (this.urgent.length) {
      const i = this.urgent.shift();
      if (this.rows[i]?.choice !== this.choices[i]) return i;
    }
    return this.rows.findIndex((r, i) => r === null || r.choice !== this.choices[i]);
  }

  /** A promise resolved when every row is encrypted with its current choice. */
  settled() {
    if (this.readyCount() === this.rows.length) return Promise.resolve();
    return new Promise((resolve, reject) => { this.waiters.push({ resolve, reject }); this.schedule(); });
  }

  schedule() {
    if (this.running) return;
    this.running = true;
    nextTask(() => this.step());
  }

  /** Encrypt one row, then yield to the message loop before the next. */
  step() {
    if (!this.ctx) {
      this.running = false;
      for (const w of this.waiters.splice(0)) w.reject(new C.CryptoError('bad_parameters', 'session forgotten'));
      return;
    }
    const i = this.nextRow();
    if (i < 0) {
      this.running = false;
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    const choice = this.choices[i];
    const t0 = now();
    try {
      const row = B.encryptRow(this.ctx, this.card, i, choice, this.nonces);
      this.rows[i] = { choice, row };
    } catch (err) {
      this.running = false;
      for (const w of this.waiters.splice(0)) w.reject(err);
      return;
    }
    this.timing.encryptMs += now() - t0;
    this.timing.rowsEncrypted++;
    this.onProgress({ ready: this.readyCount(), total: this.ctx.rows, row: i });
    nextTask(() => this.step());
  }
}

const now = () => globalThis.performance.now();
