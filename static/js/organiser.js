// The organiser's dashboard follows the session: every snapshot on the websocket (at most one
// per 0.1 s per session) triggers a reload of the dashboard partial, at most every 0.5 s; a
// reconnect reloads it too, for what changed while the page was offline.
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
  if (round) round({ ends_at: roundEl.dataset.endsAt ? Number(roundEl.dataset.endsAt) : null });
  ScentissLive.connect({
    path: cfg.wsPath,
    maxDelay: 3000,
    onStatus: setStatus,
    onOpen: function (reconnected) { if (reconnected) refresh(); },
    onMessage: function (snapshot) {
      if (round) round(snapshot.round);
      if (snapshot.version !== lastVersion) { lastVersion = snapshot.version; refresh(); }
    },
  });
})();
