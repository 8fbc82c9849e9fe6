// Several sessions' spider charts overlaid: one colour and one legend entry per city.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("compare-data").textContent);
  var colours = ["#17805e", "#d38b2c", "#2166ac", "#b2182b", "#6a3d9a", "#33a02c", "#8c510a"];
  var names = data.names.concat(data.names.slice(0, 1));
  var big = document.body.classList.contains("projector");
  // Plotly reads <b>, <a href>, <span style> … in a trace name as markup: show a city as typed.
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  var traces = data.sessions.map(function (s, i) {
    var colour = colours[i % colours.length];
    return {
      type: "scatterpolar", name: plain(s.city) + " (" + s.date + ")",
      r: s.scores.concat(s.scores.slice(0, 1)), theta: names,
      mode: "lines+markers", line: { color: colour, width: 3 }, marker: { color: colour, size: 8 },
      fill: "toself", opacity: 0.75,
    };
  });
  Plotly.newPlot("compare-chart", traces, {
    polar: {
      radialaxis: { range: [0, 5], dtick: 1, tickfont: { size: big ? 18 : 12 } },
      angularaxis: { direction: "clockwise", rotation: 90, tickfont: { size: big ? 22 : 13 } },
    },
    legend: { font: { size: big ? 22 : 14 } },
    margin: { l: 120, r: 120, t: 40, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)", font: { family: "system-ui, sans-serif" },
  }, { displayModeBar: false, responsive: true });
})();
