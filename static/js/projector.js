// The projector follows the session's websocket: every snapshot carries the results and the
// mode the organiser chose (join screen, spider chart, one element in depth, discussion).
// Every (re)connect starts with a full snapshot, so a projector that lost wifi is right again
// as soon as it is back; reconnects back off from 0.5 s to at most 1 s.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("projector-config").textContent);
  var beamer = document.getElementById("beamer");
  var chart = document.getElementById("chart");
  var statusEl = document.getElementById("live-status");
  var lastVersion = -1;
  var lastMode = null;
  // At most 1 s between attempts: back within 2 s of the server (or its Redis) being back.
  var MAX_DELAY = 1000;
  var GREEN = ScentissCharts.colour(0);
  var PLOT_CONFIG = { displayModeBar: false, responsive: true };
  // 1..5 from red to green, don't know in grey (colour-blind safe enough with the legend).
  var SCALE_COLOURS = ScentissCharts.palette.scale;

  function setStatus(state) {
    statusEl.dataset.state = state;
    statusEl.textContent = statusEl.dataset[state] || state;
  }
  // Numbers in the page's language: "3,1" under lang="nl", as the phone and the profile write.
  var LANG = document.documentElement.lang || "nl";
  var ONE_DECIMAL = new Intl.NumberFormat(LANG, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var WHOLE = new Intl.NumberFormat(LANG, { maximumFractionDigits: 0 });
  function fmt(x) { return x === null || x === undefined ? "–" : ONE_DECIMAL.format(x); }
  function num(x) { return WHOLE.format(x); }
  // plotly's own numbers (axis ticks) with the same decimal mark: "<decimal><thousands>".
  var SEPARATORS = ONE_DECIMAL.format(1.5).charAt(1) === "," ? ",." : ".,";
  // Names of 16 characters or more on two lines, so no label runs off the screen.
  function wrap(name) { return ScentissCharts.wrap(name, 16); }
  function closed(list) { return list.concat(list.slice(0, 1)); }

  function polar(names, values, size) {
    return {
      data: [{
        type: "scatterpolar", r: closed(values), theta: closed(names), text: closed(values.map(fmt)),
        mode: "lines+markers+text", textposition: "top center",
        textfont: { size: size + 2, color: ScentissCharts.palette.scoreInk }, fill: "toself",
        fillcolor: "rgba(23, 128, 94, 0.30)", line: { color: GREEN, width: 4 },
        marker: { size: 12, color: GREEN }, connectgaps: false, hoverinfo: "skip",
      }],
      layout: {
        polar: {
          // Up to 5.6, so a 5.0 and its label stay inside the circle, clear of the names.
          radialaxis: { range: [0, 5.6], tickvals: [0, 1, 2, 3, 4, 5], tickfont: { size: 24 }, angle: 60, tickangle: 0, gridcolor: ScentissCharts.palette.grid },
          angularaxis: {
            tickfont: { size: size, color: ScentissCharts.palette.ink }, direction: "clockwise", rotation: 90,
            tickmode: "array", tickvals: names, ticktext: names.map(wrap),
          },
          bgcolor: "#ffffff",
        },
        showlegend: false, margin: { l: 120, r: 120, t: 95, b: 95 },
        paper_bgcolor: "rgba(0,0,0,0)", font: { family: "system-ui, sans-serif" },
        separators: SEPARATORS,
      },
    };
  }

  function renderChart(snapshot) {
    var names = snapshot.elements.map(function (e) { return cfg.names[e.key] || e.name; });
    var fig = polar(names, snapshot.elements.map(function (e) { return e.score; }), 24);
    Plotly.react(chart, fig.data, fig.layout, PLOT_CONFIG);
  }

  function focusElement(snapshot) {
    var key = snapshot.projector.element;
    for (var i = 0; i < snapshot.elements.length; i++) {
      if (snapshot.elements[i].key === key) return snapshot.elements[i];
    }
    return snapshot.elements[0];
  }

  function renderElement(snapshot) {
    var element = focusElement(snapshot);
    var info = cfg.elements[element.key] || { labels: {} };
    document.getElementById("element-title").textContent =
      (info.name || element.name) + " · " + cfg.texts.mean + " " + fmt(element.score);
    var labels = element.items.map(function (it) { return info.labels[it.key] || it.label; });
    // At least 24 px for every text at 1920x1080 (read from the back of the room); the labels
    // wrap in two lines and the margins hold the longest ("Goederenvervoer" was cut at 15 px).
    var fig = polar(labels, element.items.map(function (it) { return it.mean; }), 24);
    fig.layout.margin = { l: 230, r: 230, t: 90, b: 90 };
    fig.layout.polar.radialaxis.tickfont = { size: 24 };
    Plotly.react("element-polar", fig.data, fig.layout, PLOT_CONFIG);
    var names = ["1", "2", "3", "4", "5", cfg.texts.dontKnow];
    var bars = names.map(function (name, index) {
      return {
        type: "bar", orientation: "h", name: name, y: labels,
        x: element.items.map(function (it) { return index < 5 ? it.counts[index] : it.dont_know; }),
        marker: { color: SCALE_COLOURS[index] }, hoverinfo: "skip",
        text: element.items.map(function (it) { var v = index < 5 ? it.counts[index] : it.dont_know; return v || ""; }),
        textposition: "inside", insidetextfont: { size: 24 }, constraintext: "none",
      };
    });
    Plotly.react("element-bars", bars, {
      barmode: "stack", margin: { l: 10, r: 20, t: 110, b: 50 },
      yaxis: { autorange: "reversed", tickfont: { size: 24 }, automargin: true },
      xaxis: { tickfont: { size: 24 }, dtick: 2 },
      legend: { orientation: "h", x: 0, y: 1.0, yanchor: "bottom", font: { size: 24 }, traceorder: "normal" },
      paper_bgcolor: "rgba(0,0,0,0)", font: { family: "system-ui, sans-serif" },
      separators: SEPARATORS,
    }, PLOT_CONFIG);
  }

  function renderDiscussion(snapshot) {
    var element = focusElement(snapshot);
    var info = cfg.elements[element.key] || {};
    document.getElementById("discussion-capital").textContent = info.capital || "";
    document.getElementById("discussion-title").textContent = info.name || element.name;
    document.getElementById("discussion-core").textContent = info.core || "";
    var list = document.getElementById("discussion-questions");
    list.replaceChildren.apply(list, (info.questions || []).map(function (q) {
      var li = document.createElement("li");
      li.textContent = q;
      return li;
    }));
  }

  // Text positions round the chart, clockwise from the top (the angular axis's rotation).
  var AROUND = ["top center", "top right", "middle right", "bottom right", "bottom center", "bottom left", "middle left", "top left"];
  function labelSides(elements) {
    var table = [], rest = [];
    elements.forEach(function (e, i) {
      var out = Math.round((8 * i) / elements.length) % 8;
      var tableOut = e.rest === null || (e.table !== null && e.table >= e.rest);
      table.push(AROUND[tableOut ? out : (out + 4) % 8]);
      rest.push(AROUND[tableOut ? (out + 4) % 8 : out]);
    });
    return { table: table, rest: rest };
  }

  // One table against the rest of the room: the table's spider over the rest's, each with its
  // number of respondents in the legend ("Tafel 2 · Haven (5)", "rest van de zaal (23)").
  function renderTable(snapshot) {
    var table = snapshot.projector.table;
    if (!table) return;
    var name = cfg.texts.table.replace("%(number)s", num(table.number)) + (table.focus ? " · " + table.focus : "");
    document.getElementById("table-title").textContent = name + " " + cfg.texts.against;
    var names = table.elements.map(function (e) { return cfg.names[e.key] || e.key; });
    var fig = polar(names, table.elements.map(function (e) { return e.table; }), 24);
    var rest = polar(names, table.elements.map(function (e) { return e.rest; }), 24).data[0];
    var grey = ScentissCharts.palette.muted || "#4a5a53";
    rest.line = { color: grey, width: 3, dash: "dash" };
    rest.marker = { size: 10, color: grey };
    rest.fill = "none";
    // Each value's label on its own side of the other's along the element's axis: the higher
    // value's outward, the lower's inward (one above the other, they covered each other).
    var placed = labelSides(table.elements);
    rest.textposition = closed(placed.rest);
    fig.data[0].textposition = closed(placed.table);
    rest.name = ScentissCharts.text(cfg.texts.rest + " (" + num(table.rest_respondents) + ")");
    fig.data[0].name = ScentissCharts.text(name + " (" + num(table.respondents) + ")");
    fig.data = [rest, fig.data[0]];
    fig.layout.showlegend = true;
    // The legend in the corner, clear of the names round the chart.
    fig.layout.legend = { orientation: "v", x: 0, xanchor: "left", y: 1, yanchor: "top", font: { size: 24 }, traceorder: "reversed" };
    Plotly.react("table-chart", fig.data, fig.layout, PLOT_CONFIG);
  }

  var round = ScentissRound.follow(document.getElementById("round-timer"), cfg.serverNow, cfg.texts.timeUp);

  function render(snapshot) {
    if (snapshot.version <= lastVersion) return;
    lastVersion = snapshot.version;
    round(snapshot.round);
    var mode = snapshot.projector.mode;
    // After the last phase the room sees a closing screen, never the QR code again.
    beamer.dataset.mode = snapshot.phase === "closed" ? "closed" : mode;
    document.querySelectorAll(".js-participants").forEach(function (el) { el.textContent = num(snapshot.participants); });
    document.querySelectorAll(".js-respondents").forEach(function (el) { el.textContent = num(snapshot.respondents); });
    // Draw the visible pane only (plotly cannot size a hidden one); the chart is always kept
    // current so tests and other readers can rely on it.
    renderChart(snapshot);
    if (mode === "element") renderElement(snapshot);
    if (mode === "discussion") renderDiscussion(snapshot);
    if (mode === "table") renderTable(snapshot);
    chart.dataset.version = String(snapshot.version);
    window.scentissSnapshot = snapshot;
    if (mode !== lastMode) {
      lastMode = mode;
      // A pane that was hidden has no size yet: size its charts now that it shows.
      document.querySelectorAll(".js-plotly-plot").forEach(function (el) { Plotly.Plots.resize(el); });
    }
  }

  render(cfg.snapshot);
  ScentissLive.connect({
    path: cfg.wsPath,
    maxDelay: MAX_DELAY,
    onStatus: setStatus,
    // Every connection starts with the full snapshot: take it even if its version is not new
    // (the server may have been reset).
    onOpen: function () { lastVersion = -1; },
    onMessage: render,
  });
})();
