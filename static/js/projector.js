// The projector: a spider chart of the element scores that follows the session's websocket.
// Every (re)connect starts with a full snapshot, so a projector that lost wifi is right again
// as soon as it is back; reconnects back off from 0.5 s to at most 3 s.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("projector-config").textContent);
  var chart = document.getElementById("chart");
  var statusEl = document.getElementById("live-status");
  var lastVersion = -1;
  var delay = 500;
  var MAX_DELAY = 3000;

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusEl.textContent = statusEl.dataset[state] || state;
  }

  function figure(snapshot) {
    var names = snapshot.elements.map(function (e) { return cfg.names[e.key] || e.name; });
    var scores = snapshot.elements.map(function (e) { return e.score; });
    var text = scores.map(function (s) { return s === null ? "–" : s.toFixed(1); });
    // Close the polygon by repeating the first point.
    return {
      data: [{
        type: "scatterpolar",
        r: scores.concat(scores.slice(0, 1)),
        theta: names.concat(names.slice(0, 1)),
        text: text.concat(text.slice(0, 1)),
        mode: "lines+markers+text",
        textposition: "top center",
        textfont: { size: 22, color: "#0b3d2e" },
        fill: "toself",
        fillcolor: "rgba(23, 128, 94, 0.30)",
        line: { color: "#17805e", width: 4 },
        marker: { size: 12, color: "#17805e" },
        connectgaps: false,
        hoverinfo: "skip",
      }],
      layout: {
        polar: {
          radialaxis: { range: [0, 5], dtick: 1, tickfont: { size: 18 }, angle: 90, gridcolor: "#c9d3cf" },
          angularaxis: { tickfont: { size: 24, color: "#16221d" }, direction: "clockwise", rotation: 90 },
          bgcolor: "#ffffff",
        },
        showlegend: false,
        margin: { l: 170, r: 170, t: 60, b: 60 },
        paper_bgcolor: "rgba(0,0,0,0)",
        font: { family: "system-ui, sans-serif" },
        transition: { duration: 300 },
      },
    };
  }

  function render(snapshot) {
    if (snapshot.version <= lastVersion) return;
    lastVersion = snapshot.version;
    var fig = figure(snapshot);
    Plotly.react(chart, fig.data, fig.layout, { displayModeBar: false, responsive: true });
    document.getElementById("respondents").textContent = snapshot.respondents;
    document.getElementById("participants").textContent = snapshot.participants;
    chart.dataset.version = String(snapshot.version);
    window.scentissSnapshot = snapshot;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + cfg.wsPath);
    ws.onopen = function () { delay = 500; lastVersion = -1; setStatus("live"); };
    ws.onmessage = function (event) { render(JSON.parse(event.data)); };
    ws.onclose = function (event) {
      if (event.code === 4403) { setStatus("forbidden"); return; }
      setStatus("reconnecting");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  }

  render(cfg.snapshot);
  connect();
})();
