// Table chairs' notes. On the tablet: every note is kept in localStorage (by its client id)
// until the server has acknowledged it; a failed send is retried with a capped backoff, unsent
// notes are marked, and notes left over from an earlier visit are sent again when the page
// opens. The server stores a note once per client id, so a retry never makes a duplicate.
// On the organiser's page: the note counts follow the notes over a websocket (polling when the
// websocket is unavailable).
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var chairRoot = document.getElementById("chair");
  if (chairRoot) chairPage(chairRoot);
  var counts = document.getElementById("note-counts");
  if (counts) organiserCounts(counts);

  function chairPage(root) {
    var PREFIX = "scentiss.note.";
    var MAX_DELAY = 5000;
    var t = root.dataset;
    var code = t.code;
    var tableNo = t.table;
    var createUrl = t.createUrl;
    var inflight = {};
    var timers = {};
    var attempts = {};
    var memory = {};  // used when localStorage is unavailable (private mode, full)
    var storageOk = (function () {
      try {
        localStorage.setItem(PREFIX + "probe", "1");
        localStorage.removeItem(PREFIX + "probe");
        return true;
      } catch (e) { return false; }
    })();

    function csrfToken() {
      try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
      catch (e) { return ""; }
    }

    // crypto.randomUUID needs a secure context; a tablet on the LAN may use plain http.
    function uuid4() {
      var b = new Uint8Array(16);
      crypto.getRandomValues(b);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
      return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
    }

    // --- storage: one entry per note, removed once the server has it -----------------------
    function put(rec) {
      memory[rec.id] = rec;
      if (storageOk) {
        try { localStorage.setItem(PREFIX + rec.id, JSON.stringify(rec)); } catch (e) { /* kept in memory */ }
      }
    }
    function drop(id) {
      delete memory[id];
      if (storageOk) { try { localStorage.removeItem(PREFIX + id); } catch (e) { /* ignore */ } }
    }
    function stored() {
      var out = {};
      Object.keys(memory).forEach(function (id) { out[id] = memory[id]; });
      if (storageOk) {
        for (var i = 0; i < localStorage.length; i++) {
          var k = localStorage.key(i);
          if (!k || k.indexOf(PREFIX) !== 0 || k === PREFIX + "probe") continue;
          try {
            var rec = JSON.parse(localStorage.getItem(k));
            if (rec && rec.id) out[rec.id] = rec;
          } catch (e) { /* not ours */ }
        }
      }
      // Notes of this table, whatever its current chair key: a new link resends the old notes.
      return Object.keys(out).map(function (id) { return out[id]; }).filter(function (rec) {
        return rec.code === code && String(rec.table) === String(tableNo);
      });
    }

    // --- display ----------------------------------------------------------------------
    function findItem(id) {
      var items = root.querySelectorAll("li.note[data-client-id]");
      for (var i = 0; i < items.length; i++) { if (items[i].dataset.clientId === id) return items[i]; }
      return null;
    }
    function listFor(rec) {
      var key = rec.element + ":" + rec.kind + ":" + (rec.participant || "");
      var lists = root.querySelectorAll("ul.notes[data-list]");
      for (var i = 0; i < lists.length; i++) { if (lists[i].dataset.list === key) return lists[i]; }
      var fallback = document.getElementById("unplaced-notes");
      fallback.hidden = false;
      return fallback;
    }
    function localItem(rec) {
      var li = document.createElement("li");
      li.className = "note note-" + rec.kind + " pending" + (rec.quote ? " is-quote" : "");
      li.dataset.clientId = rec.id;
      var text = document.createElement("p");
      text.className = "note-text";
      text.textContent = rec.text;  // text, never markup
      var meta = document.createElement("p");
      meta.className = "note-meta";
      var state = document.createElement("span");
      state.className = "state";
      meta.appendChild(state);
      li.appendChild(text);
      li.appendChild(meta);
      return li;
    }
    function show(rec, stateText, message) {
      var li = findItem(rec.id);
      if (!li) { li = localItem(rec); listFor(rec).appendChild(li); }
      li.classList.toggle("rejected", rec.state === "rejected" || rec.state === "blocked");
      var meta = li.querySelector(".note-meta");
      meta.querySelector(".state").textContent = stateText;
      var old = meta.querySelector(".refusal");
      if (old) old.remove();
      var oldButton = meta.querySelector(".dismiss");
      if (oldButton) oldButton.remove();
      if (message) {
        var m = document.createElement("span");
        m.className = "refusal";
        m.textContent = " " + message;
        meta.appendChild(m);
      }
      if (rec.state === "rejected") {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "small dismiss";
        b.textContent = t.tDismiss;
        b.addEventListener("click", function () { drop(rec.id); li.remove(); refresh(); });
        meta.appendChild(b);
      }
      refresh();
    }
    function refresh() {
      var open = stored().filter(function (r) { return r.state !== "rejected"; }).length;
      var status = document.getElementById("sync-status");
      status.classList.toggle("unsent", open > 0);
      setText(status, open === 0 ? "✓ " + t.tAllSent
        : open === 1 ? t.tUnsentOne : t.tUnsentMany.replace("{n}", String(open)));
      root.querySelectorAll(".panel").forEach(function (panel) {
        var tab = document.getElementById("tab-" + panel.dataset.element);
        var badge = tab && tab.querySelector(".tab-count");
        if (badge) setText(badge, String(panel.querySelectorAll("li.note").length));
      });
    }
    // Only real changes: the counts' own writes must not wake the observer below again.
    function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

    // --- sending ------------------------------------------------------------------------
    function send(rec) {
      if (inflight[rec.id]) return;
      clearTimeout(timers[rec.id]);
      inflight[rec.id] = true;
      show(rec, attempts[rec.id] ? t.tRetrying : t.tSending);
      var body = new FormData();
      body.append("client_id", rec.id);
      body.append("element", rec.element);
      body.append("kind", rec.kind);
      if (rec.participant) body.append("participant", rec.participant);
      body.append("text", rec.text);
      if (rec.quote) body.append("is_quote", "on");
      fetch(createUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      }).then(function (response) {
        return response.text().then(function (html) {
          return { status: response.status, html: html, ours: response.headers.get("X-Notes-Refused") === "1" };
        });
      }).then(function (res) {
        inflight[rec.id] = false;
        if (res.status >= 200 && res.status < 300) acknowledged(rec, res.html);
        else if (res.status === 403) blocked(rec, res);
        else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) rejected(rec, res.html);
        else retry(rec);  // server error, or a proxy that lost the server
      }, function () {
        inflight[rec.id] = false;
        retry(rec);  // network down, wifi gone
      });
    }
    function acknowledged(rec, html) {
      drop(rec.id);
      delete attempts[rec.id];
      var pending = findItem(rec.id);
      var tpl = document.createElement("template");
      tpl.innerHTML = html.trim();
      var item = tpl.content.firstElementChild;
      if (item && item.id && document.getElementById(item.id)) {
        if (pending) pending.remove();  // the stored note is on the page already
      } else if (item) {
        if (pending) pending.replaceWith(item);
        else listFor(rec).appendChild(item);
        htmx.process(item);
      }
      refresh();
    }
    function retry(rec) {
      var attempt = (attempts[rec.id] || 0) + 1;
      attempts[rec.id] = attempt;
      show(rec, t.tRetrying);
      var delay = Math.min(500 * Math.pow(2, attempt - 1), MAX_DELAY);
      clearTimeout(timers[rec.id]);
      timers[rec.id] = setTimeout(function () { send(rec); }, delay);
    }
    function blocked(rec, res) {
      // A revoked link or an expired page: keep the note, send it when the page opens again.
      rec.state = "blocked";
      put(rec);
      show(rec, t.tUnsent, res.ours ? t.tBlocked : t.tReload);
    }
    function rejected(rec, html) {
      // Refused with a reason (empty, too long, ...): retrying cannot help. Kept until removed.
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      rec.state = "rejected";
      rec.message = (tpl.content.textContent || "").trim();
      put(rec);
      show(rec, t.tRefused + ":", rec.message);
    }

    function submitNote(form) {
      var text = form.elements.text.value;
      if (!text.trim()) return;
      var rec = {
        id: uuid4(),
        code: code,
        table: tableNo,
        element: form.elements.element.value,
        kind: form.elements.kind.value,
        participant: form.elements.participant ? form.elements.participant.value : "",
        text: text,
        quote: form.elements.is_quote.checked,
        state: "pending",
        at: Date.now(),
      };
      put(rec);
      form.elements.text.value = "";
      form.elements.is_quote.checked = false;
      grow(form.elements.text);
      send(rec);
    }

    root.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.classList.contains("note-new")) return;
      e.preventDefault();
      submitNote(form);
    });
    // Enter sends, Shift+Enter starts a new line (in new notes and in edits).
    root.addEventListener("keydown", function (e) {
      var el = e.target;
      if (e.key !== "Enter" || e.shiftKey || e.isComposing || el.tagName !== "TEXTAREA") return;
      var form = el.form;
      if (!form || !(form.classList.contains("note-new") || form.classList.contains("note-edit"))) return;
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
    });
    function grow(area) {
      area.style.height = "auto";
      if (area.value) area.style.height = area.scrollHeight + 2 + "px";
    }
    root.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") grow(e.target); });

    // --- tabs ---------------------------------------------------------------------------
    var tabs = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    function activate(tab, focus) {
      tabs.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      });
      var key = tab.dataset.element;
      root.querySelectorAll("input.active-element").forEach(function (input) { input.value = key; });
      history.replaceState(null, "", "?e=" + encodeURIComponent(key));
      window.scrollTo(0, 0);  // a new tab starts at its questions
      if (focus) tab.focus();
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function (e) { e.preventDefault(); activate(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        e.preventDefault();
        activate(tabs[(i + step + tabs.length) % tabs.length], true);
      });
    });

    // --- edits and deletions (htmx) -----------------------------------------------------
    var alertBox = document.getElementById("chair-alert");
    document.body.addEventListener("htmx:sendError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:responseError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:beforeRequest", function () { alertBox.textContent = ""; });
    // Counts follow every change of the lists (a deleted note's events never reach the body).
    var counting = false;
    new MutationObserver(function () {
      if (counting) return;
      counting = true;
      requestAnimationFrame(function () { counting = false; refresh(); });
    }).observe(root, { childList: true, subtree: true });

    window.addEventListener("online", function () {
      stored().forEach(function (rec) { if (rec.state === "pending") send(rec); });
    });
    window.addEventListener("beforeunload", function (e) {
      // Stored notes survive a reload; only without storage would leaving lose them.
      if (storageOk) return;
      if (stored().some(function (r) { return r.state !== "rejected"; })) {
        e.preventDefault();
        e.returnValue = t.tLeave;
        return t.tLeave;
      }
    });

    // --- who sits at the table: follows seatings and joins without a reload ---------------
    // The server says "table.changed" (also on every connect); the tablet then fetches its own
    // page and adds the rows it lacks, removes rows of people who left (unless something is
    // typed in them), and takes the new list of people to seat. Typed text and unsent notes
    // stay where they are.
    function rowsOf(container) {
      var out = {};
      container.querySelectorAll(".board-row[data-participant]").forEach(function (row) { out[row.dataset.participant] = row; });
      return out;
    }
    function typedIn(row) {
      return Array.prototype.some.call(row.querySelectorAll("textarea"), function (a) { return a.value.trim() !== ""; })
        || row.querySelector("li.note.pending") !== null;
    }
    function mergeRows(doc) {
      root.querySelectorAll(".panel").forEach(function (panel) {
        var fresh = doc.getElementById(panel.id);
        var board = panel.querySelector(".board:not(.table-board)");
        var freshBoard = fresh && fresh.querySelector(".board:not(.table-board)");
        if (!board || !freshBoard) return;
        var have = rowsOf(board);
        var want = rowsOf(freshBoard);
        Object.keys(have).forEach(function (id) { if (!want[id] && !typedIn(have[id])) have[id].remove(); });
        var previous = board.querySelector(".board-head");
        freshBoard.querySelectorAll(".board-row[data-participant]").forEach(function (row) {
          var mine = have[row.dataset.participant];
          if (!mine || !mine.isConnected) {
            mine = document.importNode(row, true);
            previous.after(mine);
            htmx.process(mine);
          }
          previous = mine;
        });
        var empty = board.querySelector("[data-empty]");
        if (empty) empty.hidden = board.querySelector(".board-row[data-participant]") !== null;
      });
      var choices = document.getElementById("seat-move-choices");
      var freshChoices = doc.getElementById("seat-move-choices");
      if (choices && freshChoices && !choices.contains(document.activeElement)) {
        choices.replaceChildren.apply(choices, Array.prototype.map.call(freshChoices.childNodes, function (n) { return document.importNode(n, true); }));
      }
      root.dataset.seated = String(seatedCount());
    }
    function seatedCount() {
      var panel = root.querySelector(".panel");
      return panel ? panel.querySelectorAll(".board-row[data-participant]").length : 0;
    }
    var fetching = null;
    function fetchRows() {
      if (fetching) { fetching.again = true; return; }
      fetching = { again: false };
      fetch(location.pathname + location.search, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) mergeRows(new DOMParser().parseFromString(html, "text/html")); })
        .catch(function () { /* the next change or reconnect fetches again */ })
        .then(function () { var again = fetching.again; fetching = null; if (again) fetchRows(); });
    }
    // Every message (the first of each connection too) says "fetch your rows".
    if (t.ws) ScentissLive.connect({ path: t.ws, onMessage: fetchRows, maxDelay: 10000 });
    root.dataset.seated = String(seatedCount());

    // Notes left from an earlier visit: drop what the server has, show and send the rest.
    stored().forEach(function (rec) {
      var item = findItem(rec.id);
      if (item && !item.classList.contains("pending")) { drop(rec.id); return; }
      if (rec.state === "rejected") { show(rec, t.tRefused + ":", rec.message || ""); return; }
      rec.state = "pending";
      put(rec);
      send(rec);
    });
    refresh();
  }

  function organiserCounts(box) {
    var soon = null;
    var poll = null;
    function reload() {
      if (soon) return;  // at most one fetch per half second, however fast the chairs type
      soon = setTimeout(function () { soon = null; htmx.trigger(box, "notes-changed"); }, 500);
    }
    function startPolling() {
      if (!poll) poll = setInterval(function () { htmx.trigger(box, "notes-changed"); }, 10000);
    }
    function stopPolling() { clearInterval(poll); poll = null; }
    ScentissLive.connect({
      path: box.dataset.ws,
      maxDelay: 30000,
      minDelay: 1000,
      // While the socket is down (or not allowed: polling shows the login problem), poll.
      onStatus: function (state) { if (state !== "live") startPolling(); },
      onOpen: function () { stopPolling(); reload(); },
      onMessage: reload,
    });
  }
})();
