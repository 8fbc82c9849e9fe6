// Several sessions' spider charts overlaid: one colour per city, the one the server gave it
// (survey.selectors.compared_series: the same in compare.xlsx and the programme's .docx). The
// legend is the page's own, under the chart, so it never covers an element's name.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("compare-data").textContent);
  // Names of 14 characters or more on two lines.
  function wrap(name) { return ScentissCharts.wrap(name, 14); }
  var names = data.names.map(ScentissCharts.text).map(wrap);
  names = names.concat(names.slice(0, 1));
  var big = document.body.classList.contains("projector");
  // A phone: smaller names and margins, so that the chart is not a thumbnail.
  var narrow = !big && document.getElementById("compare-chart").clientWidth < 560;
  var traces = data.sessions.map(function (s, i) {
    var colour = s.colour || ScentissCharts.colour(i);
    return {
      type: "scatterpolar", name: ScentissCharts.text(s.city + " (" + s.date + ")"),
      r: s.scores.concat(s.scores.slice(0, 1)), theta: names,
      mode: "lines+markers", line: { color: colour, width: 3 }, marker: { color: colour, size: 8 },
      fill: "toself", opacity: 0.75,
    };
  });
  Plotly.newPlot("compare-chart", traces, {
    polar: {
      radialaxis: { range: [0, 5], dtick: 1, tickfont: { size: big ? 24 : 12 } },
      angularaxis: { direction: "clockwise", rotation: 90, tickfont: { size: big ? 24 : narrow ? 11 : 13 } },
    },
    showlegend: false,
    margin: big ? { l: 150, r: 150, t: 60, b: 60 } : narrow ? { l: 88, r: 88, t: 40, b: 40 } : { l: 130, r: 130, t: 50, b: 50 },
    separators: (1.5).toLocaleString(document.documentElement.lang || "nl").charAt(1) === "," ? ",." : ".,",
    paper_bgcolor: "rgba(0,0,0,0)", font: { family: "system-ui, sans-serif" },
  }, { displayModeBar: false, responsive: true });
})();
