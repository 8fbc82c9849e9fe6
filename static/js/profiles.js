// City profiles and programmes: the interactive spider chart (the server's SVG stays for print
// and without JavaScript), new points prefilled from the chosen notes, quote placeholders,
// print buttons and confirmations.
(function () {
  "use strict";
  var JOINER = " ";

  function closed(list) { return list.concat(list.slice(0, 1)); }

  // Long element names on two lines, so that plotly does not clip them at the sides.
  function wrap(name, longest) {
    var lines = [];
    name.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= (longest || 16)) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines.join("<br>");
  }

  function drawChart() {
    var holder = document.getElementById("profile-chart");
    var source = document.getElementById("profile-chart-data");
    if (!holder || !source || !window.Plotly) return;
    var data = JSON.parse(source.textContent);
    if (!data.series || !data.series.length) return;
    var single = data.series.length === 1;
    var frame = document.getElementById("chart-wrap");
    var narrow = frame.clientWidth < 500;
    var names = data.names.map(function (name) { return wrap(ScentissCharts.text(name), narrow ? 13 : 16); });
    var traces = data.series.map(function (s, i) {
      var colour = s.colour || ScentissCharts.colour(i);
      return {
        type: "scatterpolar", name: ScentissCharts.text(s.label),
        r: closed(s.scores), theta: closed(names),
        mode: "lines+markers", line: { color: colour, width: 3 }, marker: { color: colour, size: 8 },
        fill: "toself", fillcolor: single ? ScentissCharts.rgba(colour, 0.28) : undefined,
        opacity: single ? 1 : 0.8, connectgaps: false,
      };
    });
    // Shown before it is drawn: drawn while hidden, plotly took its default 700 px, which ran
    // out of a phone's card.
    frame.classList.add("has-plotly");
    Plotly.newPlot(holder, traces, {
      polar: {
        radialaxis: { range: [0, 5], dtick: 1, tickfont: { size: 12 }, gridcolor: ScentissCharts.palette.grid },
        angularaxis: { direction: "clockwise", rotation: 90, tickfont: { size: narrow ? 12 : 14 } },
      },
      // The legend is the page's own (under the chart): plotly's needs inline styles, which the
      // Content-Security-Policy does not allow.
      showlegend: false,
      // On a phone the names wrap shorter and smaller, so they stay inside the screen.
      margin: narrow ? { l: 85, r: 85, t: 40, b: 40 } : { l: 90, r: 90, t: 40, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)", font: { family: "system-ui, sans-serif" },
    }, { displayModeBar: false, responsive: true }).catch(function () {
      frame.classList.remove("has-plotly");  // the server's SVG again
    });
  }

  // A new point starts as its chosen notes' texts, joined, until the organiser types.
  function prefill(form) {
    var text = form.querySelector("textarea[name=text]");
    if (!text) return;
    var auto = form.hasAttribute("data-keep") ? false : text.value.trim() === "";
    text.addEventListener("input", function () { auto = text.value.trim() === ""; });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "sources" || !auto) return;
      var parts = [];
      form.querySelectorAll("input[name=sources]:checked").forEach(function (box) {
        parts.push(box.getAttribute("data-text"));
      });
      text.value = parts.join(JOINER);
    });
  }

  // Choosing a quote note shows its text as the wording field's placeholder.
  function quotes(form) {
    var wording = form.querySelector("[data-quote-text]");
    if (!wording) return;
    function update() {
      var chosen = form.querySelector("input[type=radio][data-text]:checked");
      wording.placeholder = chosen ? chosen.getAttribute("data-text") : "";
    }
    form.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("form[data-prefill]").forEach(prefill);
  document.querySelectorAll("form").forEach(quotes);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  drawChart();
})();
