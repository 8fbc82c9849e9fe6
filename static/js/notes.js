// Table chairs' notes. On the tablet: every note is kept in localStorage (by its client id)
// until the server has acknowledged it; a failed send is retried with a capped backoff, unsent
// notes are marked, and notes left over from an earlier visit are sent again when the page
// opens (the offline queue, queue.js, loaded before this script on the chair's page). The
// server stores a note once per client id, so a retry never makes a duplicate. The chair's
// observations ("Record an observation") are kept and sent the same way, each by its client id.
// On the organiser's page: the note counts follow the notes over a websocket (polling when the
// websocket is unavailable).
//
// The chair's page is put together from one piece per concern: `outbox` (kept, sent, retried,
// refused: the same for notes and observations), `noteOutbox` / `observationOutbox` (what each
// sends and how it shows), `noteForm`, `observationForm`, `tabs`, `connectionAlert`, `seating`
// (who sits at the table) and the status lines (`noteStatus`, `observationStatus`). The plain
// helpers without a page are on window.ScentissNotes (tests/js/notes.test.mjs).
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- helpers without a page ---------------------------------------------------------
  // The records of one table of one session, whatever its current chair key: a new link
  // resends the old notes.
  function ofTable(records, code, tableNo) {
    return records.filter(function (rec) {
      return rec.code === code && String(rec.table) === String(tableNo);
    });
  }
  // The note list (data-list) a note belongs in: element, kind and participant.
  function listKey(rec) {
    return rec.element + ":" + rec.kind + ":" + (rec.participant || "");
  }
  // "1 note not sent yet" / "{n} notes not sent yet".
  function countText(open, one, many) {
    return open === 1 ? one : many.replace("{n}", String(open));
  }
  // The text of the chosen option of a <select>, "" for none or the empty choice.
  function chosenText(select) {
    var option = select && select.options ? select.options[select.selectedIndex] : null;
    return option && option.value ? option.textContent.trim() : "";
  }
  // The checked radio of a form's radio list (one radio or several), or null.
  function checkedRadio(list) {
    if (!list) return null;
    if (list.length === undefined) return list.checked ? list : null;
    for (var i = 0; i < list.length; i++) { if (list[i].checked) return list[i]; }
    return null;
  }
  window.ScentissNotes = {
    ofTable: ofTable, listKey: listKey, countText: countText, chosenText: chosenText, checkedRadio: checkedRadio,
  };

  var chairRoot = document.getElementById("chair");
  if (chairRoot) chairPage(chairRoot);
  var counts = document.getElementById("note-counts");
  if (counts) organiserCounts(counts);

  function chairPage(root) {
    var Q = window.ScentissQueue;
    var t = root.dataset;
    var page = { root: root, Q: Q, t: t, code: t.code, tableNo: t.table, createUrl: t.createUrl };
    var notes = noteOutbox(page, function () { noteStatus(page, notes.open()); });
    var obsSent = { any: false };  // an observation was stored since the page opened
    var observations = observationOutbox(page, obsSent, function () {
      observationStatus(t, observations.open(), obsSent.any);
    });

    noteForm(page, notes);
    tabs(root);
    observationForm(page, observations);
    connectionAlert(t);
    // Counts follow every change of the lists (a deleted note's events never reach the body).
    var counting = false;
    new MutationObserver(function () {
      if (counting) return;
      counting = true;
      requestAnimationFrame(function () { counting = false; notes.refresh(); });
    }).observe(root, { childList: true, subtree: true });

    window.addEventListener("online", function () {
      notes.sendPending();
      observations.sendPending();
    });
    window.addEventListener("beforeunload", function (e) {
      // Stored notes survive a reload; only without storage would leaving lose them.
      if (notes.store.durable && observations.store.durable) return;
      if (notes.open() > 0 || observations.open() > 0) {
        e.preventDefault();
        e.returnValue = t.tLeave;
        return t.tLeave;
      }
    });
    seating(root, t);

    // Notes and observations left from an earlier visit: drop what the server has, show and
    // send the rest.
    notes.resume();
    observations.resume();
    notes.refresh();
  }

  // --- kept, sent, retried, refused -----------------------------------------------------
  // One queue of records (notes, or observations) kept on the tablet by client id until the
  // server has them. o: store (queue.js), find(id) / build(rec) / insert(rec, li) for the
  // record's item on the page, shows() whether the page has a place for them, fill(body, rec)
  // and url(rec) for the POST, acknowledged(rec, html) once stored, retryText() while retried,
  // refresh() for the status line.
  function outbox(page, o) {
    var Q = page.Q;
    var t = page.t;
    var inflight = {};
    var timers = {};
    var attempts = {};

    function stored() { return ofTable(o.store.all(), page.code, page.tableNo); }
    function open() { return stored().filter(function (r) { return r.state !== "rejected"; }).length; }

    function show(rec, stateText, message) {
      if (!o.shows()) return;
      var li = o.find(rec.id);
      if (!li) { li = o.build(rec); o.insert(rec, li); }
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
        b.addEventListener("click", function () { o.store.remove(rec.id); li.remove(); o.refresh(); });
        meta.appendChild(b);
      }
      o.refresh();
    }

    function send(rec) {
      if (inflight[rec.id]) return;
      clearTimeout(timers[rec.id]);
      inflight[rec.id] = true;
      show(rec, attempts[rec.id] ? t.tRetrying : t.tSending);
      var body = new FormData();
      o.fill(body, rec);
      Q.post(o.url(rec), body).then(function (res) {
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
      o.store.remove(rec.id);
      delete attempts[rec.id];
      o.acknowledged(rec, html);
    }
    function retry(rec) {
      var attempt = (attempts[rec.id] || 0) + 1;
      attempts[rec.id] = attempt;
      show(rec, o.retryText());
      clearTimeout(timers[rec.id]);
      timers[rec.id] = setTimeout(function () { send(rec); }, Q.backoff(attempt));
    }
    function blocked(rec, ours) {
      // A revoked link or an expired page: keep it, send it when the page opens again.
      rec.state = "blocked";
      o.store.put(rec.id, rec);
      show(rec, t.tUnsent, ours ? t.tBlocked : t.tReload);
    }
    function rejected(rec, html) {
      // Refused with a reason (empty, too long, ...): retrying cannot help. Kept until removed.
      rec.state = "rejected";
      rec.message = Q.textOf(html);
      o.store.put(rec.id, rec);
      show(rec, t.tRefused + ":", rec.message);
    }

    // A new record: kept first, then sent.
    function keep(rec) { o.store.put(rec.id, rec); }
    // Back online: the unsent go at once.
    function sendPending() {
      stored().forEach(function (rec) { if (rec.state === "pending") send(rec); });
    }
    // Left from an earlier visit: drop what the server has, show and send the rest.
    function resume() {
      stored().forEach(function (rec) {
        var item = o.find(rec.id);
        if (item && !item.classList.contains("pending")) { o.store.remove(rec.id); return; }
        if (rec.state === "rejected") { show(rec, t.tRefused + ":", rec.message || ""); return; }
        rec.state = "pending";
        o.store.put(rec.id, rec);
        send(rec);
      });
    }
    return {
      store: o.store, open: open, keep: keep, send: send, sendPending: sendPending, resume: resume, refresh: o.refresh,
    };
  }

  // The item with this client id among container's items (selector), or null.
  function itemById(container, selector, id) {
    if (!container) return null;
    var items = container.querySelectorAll(selector);
    for (var i = 0; i < items.length; i++) { if (items[i].dataset.clientId === id) return items[i]; }
    return null;
  }
  // The line under an item that says how its sending goes.
  function metaLine() {
    var meta = document.createElement("p");
    meta.className = "note-meta";
    var state = document.createElement("span");
    state.className = "state";
    meta.appendChild(state);
    return meta;
  }

  // --- notes: sent to the table's list they were typed in -------------------------------
  function noteOutbox(page, refresh) {
    var root = page.root;
    function listFor(rec) {
      var key = listKey(rec);
      var lists = root.querySelectorAll("ul.notes[data-list]");
      for (var i = 0; i < lists.length; i++) { if (lists[i].dataset.list === key) return lists[i]; }
      var fallback = document.getElementById("unplaced-notes");
      fallback.hidden = false;
      return fallback;
    }
    function find(id) { return itemById(root, "li.note[data-client-id]", id); }
    function build(rec) {
      var li = document.createElement("li");
      li.className = "note note-" + rec.kind + " pending" + (rec.quote ? " is-quote" : "");
      li.dataset.clientId = rec.id;
      var text = document.createElement("p");
      text.className = "note-text";
      text.textContent = rec.text;  // text, never markup
      li.appendChild(text);
      li.appendChild(metaLine());
      return li;
    }
    return outbox(page, {
      store: page.Q.store("scentiss.note."),
      shows: function () { return true; },
      find: find,
      build: build,
      insert: function (rec, li) { listFor(rec).appendChild(li); },
      fill: function (body, rec) {
        body.append("client_id", rec.id);
        body.append("element", rec.element);
        body.append("kind", rec.kind);
        if (rec.participant) body.append("participant", rec.participant);
        body.append("text", rec.text);
        if (rec.quote) body.append("is_quote", "on");
      },
      url: function () { return page.createUrl; },
      acknowledged: function (rec, html) {
        var pending = find(rec.id);
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
      },
      retryText: function () { return page.t.tRetrying; },
      refresh: refresh,
    });
  }

  // --- observations: kept on the tablet and sent as the notes are -----------------------
  function observationOutbox(page, sent, refresh) {
    var list = document.getElementById("chair-observation-list");
    var form = page.root.querySelector("form.observation-form");
    var store = page.Q.store("scentiss.observation.");
    function find(id) { return itemById(list, "li.observation[data-client-id]", id); }
    function build(rec) {
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
      li.appendChild(head);
      li.appendChild(text);
      li.appendChild(metaLine());
      return li;
    }
    return outbox(page, {
      store: store,
      shows: function () { return !!list; },
      find: find,
      build: build,
      insert: function (rec, li) { list.insertBefore(li, list.firstChild); },
      fill: function (body, rec) {
        body.append("client_id", rec.id);
        body.append("kind", rec.kind);
        body.append("element", rec.element || "");
        body.append("text", rec.text);
      },
      // The page's own link: a note kept under a chair link since renewed goes by the new one.
      url: function (rec) { return form ? form.getAttribute("action") : rec.url; },
      acknowledged: function (rec, html) {
        sent.any = true;
        var pending = find(rec.id);
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var item = tpl.content.firstElementChild;
        if (item && pending) pending.replaceWith(item);
        else if (item && list) list.insertBefore(item, list.firstChild);
        refresh();
      },
      retryText: function () { return store.durable ? page.t.tUnsent : page.t.tRetrying; },
      refresh: refresh,
    });
  }

  // --- the status lines -------------------------------------------------------------------
  // Only real changes: the counts' own writes must not wake the page's observer again.
  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
  // "All notes sent" or how many are not, and each tab's count of notes.
  function noteStatus(page, open) {
    var t = page.t;
    var status = document.getElementById("sync-status");
    status.classList.toggle("unsent", open > 0);
    setText(status, open === 0 ? "✓ " + t.tAllSent : countText(open, t.tUnsentOne, t.tUnsentMany));
    page.root.querySelectorAll(".panel").forEach(function (panel) {
      var tab = document.getElementById("tab-" + panel.dataset.element);
      var badge = tab && tab.querySelector(".tab-count");
      if (badge) setText(badge, String(panel.querySelectorAll("li.note").length));
    });
  }
  function observationStatus(t, open, sent) {
    var status = document.getElementById("observation-status");
    if (!status) return;
    status.classList.toggle("unsent", open > 0);
    setText(status, open === 0 ? (sent ? "✓ " + t.tObsSaved : "")
      : countText(open, t.tObsUnsentOne, t.tObsUnsentMany));
  }

  // --- the forms ------------------------------------------------------------------------
  function noteForm(page, notes) {
    var root = page.root;
    function submitNote(form) {
      var text = form.elements.text.value;
      if (!text.trim()) return;
      var rec = {
        id: page.Q.uuid4(),
        code: page.code,
        table: page.tableNo,
        element: form.elements.element.value,
        kind: form.elements.kind.value,
        participant: form.elements.participant ? form.elements.participant.value : "",
        text: text,
        quote: form.elements.is_quote.checked,
        state: "pending",
        at: Date.now(),
      };
      notes.keep(rec);
      form.elements.text.value = "";
      form.elements.is_quote.checked = false;
      grow(form.elements.text);
      notes.send(rec);
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
  }

  function observationForm(page, observations) {
    var form = page.root.querySelector("form.observation-form");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var f = form.elements;
      var text = f.text.value;
      var kind = checkedRadio(f.kind);
      if (!text.trim() || !kind) return;  // the browser's own check says what is missing
      var label = kind.closest ? kind.closest("label") : null;
      var rec = {
        id: page.Q.uuid4(),
        code: page.code,
        table: page.tableNo,
        url: form.getAttribute("action"),
        kind: kind.value,
        kindLabel: label ? label.textContent.trim() : kind.value,
        element: f.element ? f.element.value : "",
        elementName: chosenText(f.element),
        text: text,
        state: "pending",
        at: Date.now(),
      };
      observations.keep(rec);
      f.text.value = "";
      observations.send(rec);
    });
  }

  // --- tabs ---------------------------------------------------------------------------
  function tabs(root) {
    var all = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    function activate(tab, focus) {
      all.forEach(function (other) {
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
    all.forEach(function (tab, i) {
      tab.addEventListener("click", function (e) { e.preventDefault(); activate(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        e.preventDefault();
        activate(all[(i + step + all.length) % all.length], true);
      });
    });
  }

  // --- edits and deletions (htmx): "no connection" while it holds -----------------------
  function connectionAlert(t) {
    var alertBox = document.getElementById("chair-alert");
    document.body.addEventListener("htmx:sendError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:responseError", function () { alertBox.textContent = t.tOffline; });
    document.body.addEventListener("htmx:beforeRequest", function () { alertBox.textContent = ""; });
    // The connection is back: "no connection" no longer holds (a refusal's reason stays).
    window.addEventListener("online", function () {
      if (alertBox.textContent === t.tOffline) alertBox.textContent = "";
    });
  }

  // --- who sits at the table: follows seatings and joins without a reload ---------------
  // The server says "table.changed" (also on every connect); the tablet then fetches its own
  // page and adds the rows it lacks, removes rows of people who left (unless something is
  // typed in them), and takes the new list of people to seat. Typed text and unsent notes
  // stay where they are.
  function seating(root, t) {
    function rowsOf(container) {
      var out = {};
      container.querySelectorAll(".board-row[data-participant]").forEach(function (row) { out[row.dataset.participant] = row; });
      return out;
    }
    function typedIn(row) {
      return Array.prototype.some.call(row.querySelectorAll("textarea"), function (a) { return a.value.trim() !== ""; })
        || row.querySelector("li.note.pending") !== null;
    }
    // The table's heading and focus follow the organiser's edit ("Focus: Haven").
    function mergeHead(doc) {
      ["table-heading", "table-focus"].forEach(function (id) {
        var mine = document.getElementById(id), fresh = doc.getElementById(id);
        if (!mine || !fresh) return;
        mine.textContent = fresh.textContent;
        mine.hidden = fresh.hidden;
      });
    }
    function mergeRows(doc) {
      mergeHead(doc);
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
      mergeChoices(doc);
      root.dataset.seated = String(seatedCount());
    }
    function mergeChoices(doc) {
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
