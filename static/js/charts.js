// What every plotly chart of the app shares: the palette (core/palette.json, given to the
// page as the JSON block "palette") and how a user's text (a city) enters a chart.
(function () {
  "use strict";
  var source = document.getElementById("palette");
  var palette = source ? JSON.parse(source.textContent) : { series: ["#17805e"] };

  window.ScentissCharts = {
    palette: palette,
    // The colour of the i-th series (a city, a session); wraps around.
    colour: function (i) { return palette.series[i % palette.series.length]; },
    // "#17805e", 0.28 -> "rgba(23, 128, 94, 0.28)"
    rgba: function (hex, alpha) {
      var n = parseInt(hex.slice(1), 16);
      return "rgba(" + (n >> 16) + ", " + ((n >> 8) & 255) + ", " + (n & 255) + ", " + alpha + ")";
    },
    // Plotly reads <b>, <a href>, <span style> … in names and labels as markup: a city (or any
    // text a user typed) is shown as typed.
    text: function (value) {
      return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    },
    // A long name (shortest characters or more) on two lines, broken at the space nearest its
    // middle, so that no label runs off the chart ("Ruimtelijke Mogelijkheden" was cut to
    // "telijke Mogelijkheden" at 1440 px).
    wrap: function (name, shortest) {
      if (name.length < shortest || name.indexOf(" ") < 0) return name;
      var mid = name.length / 2, best = -1;
      for (var i = 0; i < name.length; i++) {
        if (name[i] === " " && (best < 0 || Math.abs(i - mid) < Math.abs(best - mid))) best = i;
      }
      return name.slice(0, best) + "<br>" + name.slice(best + 1);
    },
  };
})();
