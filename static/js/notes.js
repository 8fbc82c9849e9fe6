// Table chairs' notes. On the tablet: every note is kept in localStorage (by its client id)
// until the server has acknowledged it; a failed send is retried with a capped backoff, unsent
// notes are marked, and notes left over from an earlier visit are sent again when the page
// opens (the offline queue, queue.js, loaded before this script on the chair's page). The
// server stores a note once per client id, so a retry never makes a duplicate. The chair's
// observations ("Record an observation") are kept and sent the same way, each by its client id.
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
    var Q = window.ScentissQueue;
    var t = root.dataset;
    var code = t.code;
    var tableNo = t.table;
    var createUrl = t.createUrl;
    var inflight = {};
    var timers = {};
    var attempts = {};
    // One entry per note (by its client id), removed once the server has it.
    var notes = Q.store("scentiss.note.");

    function put(rec) { notes.put(rec.id, rec); }
    function drop(id) { notes.remove(id); }
    function stored() {
      // Notes of this table, whatever its current chair key: a new link resends the old notes.
      return notes.all().filter(function (rec) {
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
      Q.post(createUrl, body).then(function (res) {
        inflight[rec.id] = false;
        var verdict = Q.verdict(res.status);
        if (verdict === "ok") acknowledged(rec, res.html);
        else if (res.status === 403) blocked(rec, res.headers.get("X-Notes-Refused") === "1");
        else if (verdict === "refused") rejected(rec, res.html);
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
      clearTimeout(timers[rec.id]);
      timers[rec.id] = setTimeout(function () { send(rec); }, Q.backoff(attempt));
    }
    function blocked(rec, ours) {
      // A revoked link or an expired page: keep the note, send it when the page opens again.
      rec.state = "blocked";
      put(rec);
      show(rec, t.tUnsent, ours ? t.tBlocked : t.tReload);
    }
    function rejected(rec, html) {
      // Refused with a reason (empty, too long, ...): retrying cannot help. Kept until removed.
      rec.state = "rejected";
      rec.message = Q.textOf(html);
      put(rec);
      show(rec, t.tRefused + ":", rec.message);
    }

    function submitNote(form) {
      var text = form.elements.text.value;
      if (!text.trim()) return;
      var rec = {
        id: Q.uuid4(),
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

    // --- observations: kept on the tablet and sent as the notes are ---------------------
    var obsForm = root.querySelector("form.observation-form");
    var obsList = document.getElementById("chair-observation-list");
    var observations = Q.store("scentiss.observation.");
    var obsInflight = {};
    var obsTimers = {};
    var obsAttempts = {};
    var obsSent = false;  // one was stored since the page opened
    function obsStored() {
      return observations.all().filter(function (rec) {
        return rec.code === code && String(rec.table) === String(tableNo);
      });
    }
    function obsItem(id) {
      if (!obsList) return null;
      var items = obsList.querySelectorAll("li.observation[data-client-id]");
      for (var i = 0; i < items.length; i++) { if (items[i].dataset.clientId === id) return items[i]; }
      return null;
    }
    function obsLocalItem(rec) {
      var li = document.createElement("li");
      li.className = "observation obs-" + rec.kind + " pending";
      li.dataset.clientId = rec.id;
      var head = document.createElement("p");
      head.className = "obs-head";
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = rec.kindLabel || rec.kind;
      head.appendChild(badge);
      if (rec.elementName) head.appendChild(document.createTextNode(" · " + rec.elementName));
      var text = document.createElement("p");
      text.className = "obs-text";
      text.textContent = rec.text;  // text, never markup
      var meta = document.createElement("p");
      meta.className = "note-meta";
      var state = document.createElement("span");
      state.className = "state";
      meta.appendChild(state);
      li.appendChild(head);
      li.appendChild(text);
      li.appendChild(meta);
      return li;
    }
    function obsShow(rec, stateText, message) {
      if (!obsList) return;
      var li = obsItem(rec.id);
      if (!li) { li = obsLocalItem(rec); obsList.insertBefore(li, obsList.firstChild); }
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
        b.addEventListener("click", function () { observations.remove(rec.id); li.remove(); obsRefresh(); });
        meta.appendChild(b);
      }
      obsRefresh();
    }
    function obsRefresh() {
      var status = document.getElementById("observation-status");
      if (!status) return;
      var open = obsStored().filter(function (r) { return r.state !== "rejected"; }).length;
      status.classList.toggle("unsent", open > 0);
      setText(status, open === 0 ? (obsSent ? "✓ " + t.tObsSaved : "")
        : open === 1 ? t.tObsUnsentOne : t.tObsUnsentMany.replace("{n}", String(open)));
    }
    function obsSend(rec) {
      if (obsInflight[rec.id]) return;
      clearTimeout(obsTimers[rec.id]);
      obsInflight[rec.id] = true;
      obsShow(rec, obsAttempts[rec.id] ? t.tRetrying : t.tSending);
      var body = new FormData();
      body.append("client_id", rec.id);
      body.append("kind", rec.kind);
      body.append("element", rec.element || "");
      body.append("text", rec.text);
      // The page's own link: a note kept under a chair link since renewed goes by the new one.
      Q.post(obsForm ? obsForm.getAttribute("action") : rec.url, body).then(function (res) {
        obsInflight[rec.id] = false;
        var verdict = Q.verdict(res.status);
        if (verdict === "ok") obsAcknowledged(rec, res.html);
        else if (res.status === 403) {
          rec.state = "blocked";
          observations.put(rec.id, rec);
          obsShow(rec, t.tUnsent, res.headers.get("X-Notes-Refused") === "1" ? t.tBlocked : t.tReload);
        } else if (verdict === "refused") {
          rec.state = "rejected";
          rec.message = Q.textOf(res.html);
          observations.put(rec.id, rec);
          obsShow(rec, t.tRefused + ":", rec.message);
        } else obsRetry(rec);
      }, function () {
        obsInflight[rec.id] = false;
        obsRetry(rec);  // network down, wifi gone
      });
    }
    function obsAcknowledged(rec, html) {
      observations.remove(rec.id);
      delete obsAttempts[rec.id];
      obsSent = true;
      var pending = obsItem(rec.id);
      var tpl = document.createElement("template");
      tpl.innerHTML = html.trim();
      var item = tpl.content.firstElementChild;
      if (item && pending) pending.replaceWith(item);
      else if (item && obsList) obsList.insertBefore(item, obsList.firstChild);
      obsRefresh();
    }
    function obsRetry(rec) {
      var attempt = (obsAttempts[rec.id] || 0) + 1;
      obsAttempts[rec.id] = attempt;
      obsShow(rec, observations.durable ? t.tUnsent : t.tRetrying);
      clearTimeout(obsTimers[rec.id]);
      obsTimers[rec.id] = setTimeout(function () { obsSend(rec); }, Q.backoff(attempt));
    }
    function chosenText(select) {
      var option = select && select.options ? select.options[select.selectedIndex] : null;
      return option && option.value ? option.textContent.trim() : "";
    }
    function checkedRadio(list) {
      if (!list) return null;
      if (list.length === undefined) return list.checked ? list : null;
      for (var i = 0; i < list.length; i++) { if (list[i].checked) return list[i]; }
      return null;
    }
    if (obsForm) {
      obsForm.addEventListener("submit", function (e) {
        e.preventDefault();
        var f = obsForm.elements;
        var text = f.text.value;
        var kind = checkedRadio(f.kind);
        if (!text.trim() || !kind) return;  // the browser's own check says what is missing
        var label = kind.closest ? kind.closest("label") : null;
        var rec = {
          id: Q.uuid4(),
          code: code,
          table: tableNo,
          url: obsForm.getAttribute("action"),
          kind: kind.value,
          kindLabel: label ? label.textContent.trim() : kind.value,
          element: f.element ? f.element.value : "",
          elementName: chosenText(f.element),
          text: text,
          state: "pending",
          at: Date.now(),
        };
        observations.put(rec.id, rec);
        f.text.value = "";
        obsSend(rec);
      });
    }

    // --- edits and deletions (htmx) -----------------------------------------------------
    var alertBox = document.getElementById("chair-alert");
    document.body.addEventListener("htmx:sendError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:responseError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:beforeRequest", function () { alertBox.textContent = ""; });
    // The connection is back: "no connection" no longer holds (a refusal's reason stays).
    window.addEventListener("online", function () {
      if (alertBox.textContent === t.tOffline) alertBox.textContent = "";
    });
    // Counts follow every change of the lists (a deleted note's events never reach the body).
    var counting = false;
    new MutationObserver(function () {
      if (counting) return;
      counting = true;
      requestAnimationFrame(function () { counting = false; refresh(); });
    }).observe(root, { childList: true, subtree: true });

    window.addEventListener("online", function () {
      stored().forEach(function (rec) { if (rec.state === "pending") send(rec); });
      obsStored().forEach(function (rec) { if (rec.state === "pending") obsSend(rec); });
    });
    window.addEventListener("beforeunload", function (e) {
      // Stored notes survive a reload; only without storage would leaving lose them.
      if (notes.durable && observations.durable) return;
      if (stored().concat(obsStored()).some(function (r) { return r.state !== "rejected"; })) {
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
        // The person the chair has chosen stays chosen while the list is renewed (a phone
        // joining elsewhere must not undo the choice just before "Seat here").
        var chosen = choices.querySelector("select");
        var keep = chosen ? chosen.value : "";
        choices.replaceChildren.apply(choices, Array.prototype.map.call(freshChoices.childNodes, function (n) { return document.importNode(n, true); }));
        var renewed = choices.querySelector("select");
        if (renewed && keep && renewed.querySelector('option[value="' + CSS.escape(keep) + '"]')) renewed.value = keep;
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
    // Observations left from an earlier visit, the same way.
    obsStored().forEach(function (rec) {
      var item = obsItem(rec.id);
      if (item && !item.classList.contains("pending")) { observations.remove(rec.id); return; }
      if (rec.state === "rejected") { obsShow(rec, t.tRefused + ":", rec.message || ""); return; }
      rec.state = "pending";
      observations.put(rec.id, rec);
      obsSend(rec);
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
