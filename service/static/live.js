// The live connection to a centre's feed (/ws/centres/{slug}), for staff pages and screens.
// It authenticates by the page's cookies (the staff session, or the screen's display cookie
// set at pairing): no credential ever goes into the URL, which proxies and access logs keep.
// A lost connection is retried with exponential backoff and full jitter (backoff.js).
import { NetworkError } from "./api.js";
import { backoffDelay } from "./backoff.js";
import { $, flash } from "./dom.js";
import { clockTime } from "./format.js";
import { t } from "./i18n.js";

const RETRY = { baseMs: 1000, capMs: 30000 };
const REFUSED_WAIT_MS = 30000; // 44xx: not allowed (revoked?): 30–60 s, someone may re-pair it

/**
 * Opens the feed and keeps it open. Answers the server's pings.
 * @param {object} options
 * @param {string} [options.centre] the centre's slug
 * @param {string} [options.path] another feed's path (a patient's ticket: /ws/tickets)
 * @param {object} [options.hello] sent first on each connection (the ticket's credential,
 *   which stays out of the URL)
 * @param {(message: object) => void} options.onMessage every message but pings
 * @param {() => void} [options.onOpen]
 * @param {(code: number) => void} [options.onClose] after each loss, before the retry waits
 * @returns {{send: (message: object) => void, drop: () => void, retryNow: () => void}}
 *   drop: close now and retry; retryNow: this device is back online, skip the wait
 */
export function openFeed({ centre, path, hello, onMessage, onOpen = () => {}, onClose = () => {} }) {
  let socket = null;
  let failures = 0;
  let retryTimer = null;

  function connect() {
    clearTimeout(retryTimer);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    try {
      const where = path ?? `/ws/centres/${encodeURIComponent(centre)}`;
      socket = new WebSocket(`${scheme}://${window.location.host}${where}`);
    } catch {
      retry(1006);
      return;
    }
    const current = socket;
    if (hello) current.addEventListener("open", () => current.send(JSON.stringify(hello)));
    current.addEventListener("open", onOpen);
    current.addEventListener("message", (event) => {
      failures = 0; // heard from the server: the next loss starts the backoff again
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "ping") send({ type: "pong" });
      else onMessage(message);
    });
    current.addEventListener("close", (event) => {
      if (socket === current) socket = null;
      onClose(event.code);
      retry(event.code);
    });
  }

  function retry(code) {
    const refused = code >= 4400 && code < 4500;
    const delay = refused
      ? REFUSED_WAIT_MS + backoffDelay(0, { baseMs: REFUSED_WAIT_MS, capMs: REFUSED_WAIT_MS })
      : backoffDelay(failures, RETRY);
    failures += 1;
    retryTimer = setTimeout(connect, delay);
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  connect();
  return {
    send,
    drop: () => socket?.close(),
    retryNow: () => { if (!socket) connect(); },
  };
}

const POLL_MS = 3000;
const SAFETY_REFRESH_MS = 30000; // waits change while nothing happens

/**
 * Keeps a staff page in step with its centre. The feed says *that* something changed (each
 * message has a sequence number); the page then re-reads the queue from the API, which has
 * the staff-only fields the public feed leaves out. Without the feed (not deployed, or a proxy
 * refusing WebSockets) the page polls every 3 s; it re-reads on every reconnection too, so
 * nothing missed while away stays missed.
 * @param {object} options
 * @param {string} options.centre the centre's slug
 * @param {() => Promise<number>} options.refresh re-reads the page's data, returns its seq
 * @param {(state: "connecting"|"live"|"polling"|"offline") => void} options.onStatus
 * @param {(error: Error) => void} options.onError a refusal from the server (not a network error)
 */
export function startLive({ centre, refresh, onStatus, onError }) {
  let lastSeq = -1;
  let socketLive = false;
  let timer = null;
  let running = null;
  let rerun = false;

  function schedule() {
    clearInterval(timer);
    timer = setInterval(refreshNow, socketLive ? SAFETY_REFRESH_MS : POLL_MS);
  }

  // One refresh at a time; events arriving meanwhile cause exactly one more.
  function refreshNow() {
    if (running) {
      rerun = true;
      return running;
    }
    running = (async () => {
      do {
        rerun = false;
        try {
          lastSeq = Math.max(lastSeq, await refresh());
          onStatus(socketLive ? "live" : "polling");
        } catch (error) {
          if (error instanceof NetworkError) onStatus("offline");
          else onError(error);
        }
      } while (rerun);
    })().finally(() => { running = null; });
    return running;
  }

  const feed = openFeed({
    centre,
    onOpen() {
      if (!socketLive) {
        socketLive = true;
        schedule();
      }
      refreshNow();
    },
    onMessage(message) {
      if (message.type === "snapshot" || (typeof message.seq === "number" && message.seq > lastSeq)) {
        refreshNow();
      }
    },
    onClose() {
      // Only a live feed lost changes the cadence: re-scheduling on every failed reconnection
      // restarted the 3 s poll each time, so quick failures (a device offline, a proxy refusing
      // WebSockets at once) starved the polling that notices the server is gone.
      if (!socketLive) return;
      socketLive = false;
      refreshNow();
      schedule();
    },
  });

  window.addEventListener("online", () => { refreshNow(); feed.retryNow(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshNow();
  });

  onStatus("connecting");
  schedule();
  refreshNow();
  return { refreshNow };
}

/**
 * The usual onStatus of a staff page: the status pill (#conn) and, when offline, the banner
 * (#offline-banner) saying since when the page shows old data.
 * @param {() => string|null} lastUpdated ISO time of the last successful refresh
 * @param {string} timeZone the centre's time zone
 */
export function showConnection(lastUpdated, timeZone) {
  return (state) => {
    const pill = $("#conn");
    // A status region is read aloud on change: leave it alone when nothing changed.
    if (pill.dataset.state !== state || !pill.textContent) {
      pill.dataset.state = state;
      pill.textContent = t(`conn_${state}`);
    }
    const banner = $("#offline-banner");
    banner.hidden = state !== "offline";
    if (state === "offline") {
      const since = lastUpdated();
      banner.textContent = t("offline_banner", {
        time: since ? clockTime(since, timeZone) : "—",
      });
    }
  };
}

/**
 * The live set-up of a staff page (reception, consulting room): the status pill and offline
 * banner show the time of the last successful refresh, and a refusal is flashed.
 * @param {{centre: string, timezone: string}} config the page's config
 * @param {() => Promise<number>} refresh re-reads and renders the page's data, returns its seq
 * @returns {{refreshNow: () => Promise<void>}}
 */
export function startStaffLive(config, refresh) {
  let lastUpdated = null;
  return startLive({
    centre: config.centre,
    async refresh() {
      const seq = await refresh();
      lastUpdated = new Date().toISOString();
      return seq;
    },
    onStatus: showConnection(() => lastUpdated, config.timezone),
    onError: (error) => flash(error.message, "error"),
  });
}
