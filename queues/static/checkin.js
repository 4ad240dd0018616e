// Check-ins that survive a dropped connection. Each gets its own client key, generated once;
// a failed send is retried with the SAME key until the server answers, and the server gives
// the same ticket for the same key, so a retry never makes a second ticket. Check-ins not yet
// acknowledged are kept in localStorage, so that a reload or a new sign-in resumes them.
import { api, HttpError, isTransient } from "/static/service/api.js";

const MAX_DELAY_MS = 10000;

export function newClientKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID exists only on https or localhost; a desk tablet on a LAN address may have not.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export class CheckIns {
  constructor(centre, { onChange, onSuccess, onRejected }) {
    this.url = `/api/centres/${encodeURIComponent(centre)}/tickets`;
    this.storageKey = `walkin.pending-checkins.${centre}`;
    this.onChange = onChange;
    this.onSuccess = onSuccess;
    this.onRejected = onRejected;
    this.items = this.load();
    window.addEventListener("online", () => this.retryNow());
  }

  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey) ?? "[]");
      return Array.isArray(saved) ? saved.map((body) => ({ body, state: "sending" })) : [];
    } catch {
      return [];
    }
  }

  save() {
    localStorage.setItem(this.storageKey, JSON.stringify(this.items.map((item) => item.body)));
  }

  /** Send a new check-in: {priority, label?, phone?}. */
  submit(fields) {
    const item = { body: { ...fields, client_key: newClientKey() }, state: "sending" };
    this.items.push(item);
    this.save();
    this.send(item);
  }

  /** Resume the check-ins a previous page left unacknowledged. */
  resume() {
    for (const item of this.items) this.send(item);
  }

  retryNow() {
    for (const item of this.items) item.wake?.();
  }

  discard(item) {
    this.remove(item);
    item.wake?.();
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    this.save();
    this.onChange();
  }

  async send(item) {
    for (let attempt = 1; this.items.includes(item); attempt += 1) {
      item.state = "sending";
      this.onChange();
      try {
        const { status, data } = await api("POST", this.url, item.body);
        this.remove(item);
        this.onSuccess(data, status === 201);
        return;
      } catch (error) {
        if (error instanceof HttpError && error.status === 401) return; // resumes after sign-in
        if (!isTransient(error)) {
          this.remove(item);
          this.onRejected(error, item.body);
          return;
        }
        const delay = Math.min(1000 * 2 ** (attempt - 1), MAX_DELAY_MS);
        item.state = "retrying";
        item.retryAt = Date.now() + delay;
        this.onChange();
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, delay);
          item.wake = () => { clearTimeout(timer); resolve(); };
        });
        item.wake = null;
      }
    }
  }
}
