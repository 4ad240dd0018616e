// The planning page: edits go through the JSON API; a refused change shows its conflicts and,
// when they are only warnings, offers to confirm. A successful change reloads the grid.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("rota-data").textContent);
  const t = data.t;
  const fr = data.lang === "fr";
  const answer = document.getElementById("answer");
  const panel = document.getElementById("day-panel");
  const list = document.getElementById("day-shifts");
  const form = document.getElementById("add-form");
  let current = null; // {centre, day}

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function showConflicts(body, retry) {
    answer.hidden = false;
    answer.className = "panel refused";
    answer.replaceChildren(el("h2", body.can_accept ? t.warnings : t.refused));
    const items = el("ul");
    for (const c of body.conflicts || []) {
      const icon = c.severity === "error" ? "⛔ " : "⚠ ";
      items.appendChild(el("li", icon + (fr ? c.message : c.message_en), "conflict-" + c.severity));
    }
    if (!body.conflicts) answer.appendChild(el("p", body.detail || ""));
    answer.appendChild(items);
    if (body.can_accept) {
      const confirm = el("button", t.confirm);
      confirm.type = "button";
      confirm.id = "confirm-warnings";
      confirm.addEventListener("click", retry);
      answer.appendChild(confirm);
    }
    answer.scrollIntoView({ block: "nearest" });
  }

  // Sends a change; on 409 shows why, with a retry that accepts the warnings.
  async function send(method, url, body, accepted) {
    const init = { method, headers: { "Content-Type": "application/json" } };
    let target = url;
    if (method === "DELETE") {
      if (accepted) target += (url.includes("?") ? "&" : "?") + "accept_warnings=true";
    } else {
      init.body = JSON.stringify(Object.assign({}, body, accepted ? { accept_warnings: true } : {}));
    }
    const response = await fetch(target, init);
    if (response.ok) {
      window.location.reload();
      return;
    }
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = { detail: response.statusText }; }
    if (response.status === 409 && payload.conflicts) {
      showConflicts(payload, () => send(method, url, body, true));
    } else {
      showConflicts({ detail: payload.detail || String(response.status) }, null);
    }
  }

  function fillSelects(centre) {
    const doctors = form.elements.doctor_id;
    doctors.replaceChildren();
    for (const d of data.doctors) {
      if (d.centres.includes(centre)) {
        const option = el("option", d.name);
        option.value = d.id;
        doctors.appendChild(option);
      }
    }
    const rooms = form.elements.room;
    rooms.replaceChildren(Object.assign(el("option", t.none), { value: "" }));
    for (const code of data.rooms[centre] || []) {
      const option = el("option", code);
      option.value = code;
      rooms.appendChild(option);
    }
  }

  async function openDay(centre, day, label) {
    current = { centre, day };
    panel.hidden = false;
    document.getElementById("day-title").textContent = label + " — " + day;
    fillSelects(centre);
    list.replaceChildren(el("li", t.loading));
    const response = await fetch(`/api/rota/shifts?from=${day}&to=${day}&centre=${encodeURIComponent(centre)}`);
    const shifts = response.ok ? await response.json() : [];
    list.replaceChildren();
    if (!shifts.length) list.appendChild(el("li", t.no_shift));
    for (const s of shifts) {
      const item = el("li", `${s.local_start}–${s.local_end} ${s.doctor}` + (s.room ? ` (${t.room.toLowerCase()} ${s.room})` : "") + " ");
      item.dataset.shift = s.id;
      const move = el("button", t.move, "secondary move");
      move.type = "button";
      move.addEventListener("click", () => {
        const range = window.prompt(`${t.start}–${t.end} (08:00-14:00)`, `${s.local_start}-${s.local_end}`);
        if (!range) return;
        const [start_time, end_time] = range.split("-").map((x) => x.trim());
        send("PATCH", `/api/rota/shifts/${s.id}`, { start_time, end_time });
      });
      const remove = el("button", t.remove, "secondary remove");
      remove.type = "button";
      remove.addEventListener("click", () => send("DELETE", `/api/rota/shifts/${s.id}`, null));
      item.append(move, " ", remove);
      list.appendChild(item);
    }
  }

  document.querySelector(".rota-grid tbody").addEventListener("click", (event) => {
    const cell = event.target.closest("td.cell");
    if (!cell) return;
    const label = cell.parentElement.querySelector("th").textContent;
    openDay(cell.dataset.centre, cell.dataset.day, label);
  });
  document.getElementById("day-close").addEventListener("click", () => { panel.hidden = true; });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current) return;
    const values = new FormData(form);
    send("POST", "/api/rota/shifts", {
      doctor_id: Number(values.get("doctor_id")),
      centre: current.centre,
      day: current.day,
      start_time: values.get("start_time").slice(0, 5),
      end_time: values.get("end_time").slice(0, 5),
      room: values.get("room") || null,
    });
  });

  document.getElementById("leave-panel").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const item = event.target.closest("li.leave");
    if (!button || !item) return;
    const decision = button.classList.contains("approve") ? "approve" : "reject";
    send("POST", `/api/rota/leave/${item.dataset.leave}/${decision}`, {});
  });
})();
