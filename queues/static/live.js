// Keeps a page in step with its centre. The centre's WebSocket feed says *that* something
// changed (each message has a sequence number); the page then re-reads the queue from the
// API, which has the staff-only fields the public feed leaves out. Without the feed (not
// deployed, or a proxy refusing WebSockets) the page polls every 3 s; it re-reads on every
// reconnection too, so nothing missed while away stays missed.
import { NetworkError } from "./api.js";
import { $ } from "./dom.js";
import { clockTime } from "./format.js";
import { t } from "./i18n.js";

const POLL_MS = 3000;
const SAFETY_REFRESH_MS = 30000; // waits change while nothing happens
const MAX_RECONNECT_MS = 60000;

/**
 * @param {object} options
 * @param {string} options.centre the centre's slug
 * @param {() => Promise<number>} options.refresh re-reads the page's data, returns its seq
 * @param {(state: "connecting"|"live"|"polling"|"offline") => void} options.onStatus
 * @param {(error: Error) => void} options.onError a refusal from the server (not a network error)
 */
export function startLive({ centre, refresh, onStatus, onError }) {
  let lastSeq = -1;
  let socketLive = false;
  let reconnectDelay = 2000;
  let timer = null;
  let running = null;
  let rerun = false;
  let reconnectTimer = null;

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

  function connect() {
    clearTimeout(reconnectTimer);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${window.location.host}/ws/centres/${encodeURIComponent(centre)}`);
    } catch {
      reconnectTimer = setTimeout(connect, reconnectDelay);
      return;
    }
    socket.addEventListener("open", () => {
      socketLive = true;
      reconnectDelay = 2000;
      schedule();
      refreshNow();
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
        return;
      }
      if (message.type === "snapshot" || (typeof message.seq === "number" && message.seq > lastSeq)) {
        refreshNow();
      }
    });
    socket.addEventListener("close", () => {
      if (socketLive) refreshNow();
      socketLive = false;
      schedule();
      reconnectTimer = setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_MS);
    });
  }

  window.addEventListener("online", () => { refreshNow(); if (!socketLive) connect(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshNow();
  });

  onStatus("connecting");
  schedule();
  refreshNow();
  connect();
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
