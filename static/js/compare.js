// Several sessions' spider charts overlaid: one colour and one legend entry per city.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("compare-data").textContent);
  var names = data.names.map(ScentissCharts.text);
  names = names.concat(names.slice(0, 1));
  var big = document.body.classList.contains("projector");
  var traces = data.sessions.map(function (s, i) {
    var colour = ScentissCharts.colour(i);
    return {
      type: "scatterpolar", name: ScentissCharts.text(s.city + " (" + s.date + ")"),
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
