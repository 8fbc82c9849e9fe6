// The organiser's dashboard follows the session: every snapshot on the websocket (at most one
// per 0.1 s per session) triggers a reload of the dashboard partial, at most every 0.5 s; a
// reconnect reloads it too, for what changed while the page was offline.
// The console's controls (phase, projector, round, reveal) follow the room too: when a
// snapshot says the room is not where the controls are (another organiser of the session moved
// it), they are fetched again, but not under the organiser's hands (while the focus is in them,
// they wait until it leaves).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("organiser-config").textContent);
  var card = document.getElementById("dashboard-card");
  var statusEl = document.getElementById("live-status");
  var timer = null;
  var lastVersion = -1;

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusEl.textContent = statusEl.dataset[state] || "";
  }
  var seating = document.getElementById("seating");
  function refresh() {
    if (timer) return;
    timer = setTimeout(function () {
      timer = null;
      htmx.ajax("GET", card.dataset.dashboardUrl, { target: "#dashboard", swap: "innerHTML" });
      // The seating card follows joins and chairs' seatings (both bump the version), but not
      // while the organiser is choosing in it.
      if (seating && !seating.contains(document.activeElement)) {
        htmx.ajax("GET", seating.dataset.seatingUrl, { target: "#seating", swap: "innerHTML" });
      }
    }, 500);
  }

  var roundEl = document.getElementById("round-timer");
  var round = roundEl ? ScentissRound.follow(roundEl, cfg.serverNow, cfg.timeUp) : null;
  var lastRound = { ends_at: roundEl && roundEl.dataset.endsAt ? Number(roundEl.dataset.endsAt) : null };
  if (round) round(lastRound);

  // Where the room is, as the controls show it and as a snapshot says it: one line each.
  function value(el) { return el ? el.value : ""; }
  function shown(controls) {
    var q = function (selector) { return controls.querySelector(selector); };
    var table = q("button[name=projector_table][aria-current]");
    var element = q("button[name=projector_element][aria-current]");
    return [
      value(q("button[name=phase][aria-current]")),
      table ? "table:" + table.value : value(q("button[name=projector_mode][aria-current]")),
      element ? element.dataset.key : "",
      value(q("button[name=results_revealed]")) === "0",  // the button hides what is shown
      Boolean(q("button[name=action][value=stop]")),
    ].join("|");
  }
  function said(snapshot) {
    var projector = snapshot.projector || {};
    var table = projector.table;
    return [
      snapshot.phase,
      projector.mode === "table" ? "table:" + (table ? table.number : "") : projector.mode,
      projector.element || "",
      Boolean(snapshot.revealed),
      Boolean(snapshot.round && snapshot.round.ends_at),
    ].join("|");
  }
  var fetchedFor = null;  // the room the controls were last fetched for: once per change
  var waiting = false;    // a fetch put off while the organiser is in the controls
  function controlsEl() { return document.getElementById("controls"); }
  function followRoom(snapshot) {
    var controls = controlsEl();
    if (!controls) return;  // read only: no controls
    var room = said(snapshot);
    if (room === shown(controls) || room === fetchedFor) return;
    fetchedFor = room;
    fetchControls();
  }
  function fetchControls() {
    var controls = controlsEl();
    if (controls.contains(document.activeElement)) {
      waiting = true;
      controls.dataset.stale = "";  // the room moved on; fetched once the focus leaves
      return;
    }
    waiting = false;
    delete controls.dataset.stale;
    htmx.ajax("GET", controls.dataset.controlsUrl, { target: "#controls", swap: "innerHTML" });
  }
  // The round timer is redrawn with the controls: follow the new one.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== controlsEl()) return;
    if (round) round(null);
    roundEl = document.getElementById("round-timer");
    round = roundEl ? ScentissRound.follow(roundEl, cfg.serverNow, cfg.timeUp) : null;
    if (round) round(lastRound);
  });
  document.addEventListener("focusout", function (event) {
    var controls = controlsEl();
    if (waiting && controls && !controls.contains(event.relatedTarget)) fetchControls();
  });

  ScentissLive.connect({
    path: cfg.wsPath,
    maxDelay: 3000,
    onStatus: setStatus,
    onOpen: function (reconnected) { if (reconnected) refresh(); },
    onMessage: function (snapshot) {
      lastRound = snapshot.round;
      if (round) round(snapshot.round);
      if (snapshot.version !== lastVersion) { lastVersion = snapshot.version; refresh(); }
      followRoom(snapshot);
    },
  });
})();
