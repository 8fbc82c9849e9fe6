// The round timer of the discussion (projector and console): counts down to the snapshot's
// round.ends_at (ms since the epoch, by the server's clock; the page's config gives the
// server's time when the page was made, so a projector laptop whose clock is off still shows
// the right minutes). `ScentissRound.follow(element, serverNow, timeUpText)` returns
// `update(round)`, called with every snapshot's round.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // The page's clock when its first byte arrived, which the server wrote just before: the
  // difference is how far the two clocks are apart (a page whose scripts ran late is not).
  function clientAtResponse() {
    var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    return nav && nav.responseStart ? performance.timeOrigin + nav.responseStart : Date.now();
  }
  function follow(el, serverNow, timeUp) {
    var offset = serverNow ? serverNow - clientAtResponse() : 0;
    var endsAt = null;
    var timer = null;
    function tick() {
      if (endsAt === null) { el.hidden = true; el.textContent = ""; return; }
      var left = Math.round((endsAt - (Date.now() + offset)) / 1000);
      el.hidden = false;
      if (left <= 0) {
        el.dataset.state = "up";
        el.textContent = timeUp;
        return;
      }
      el.dataset.state = left <= 60 ? "last-minute" : "running";
      el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    }
    return function update(round) {
      endsAt = round && round.ends_at ? round.ends_at : null;
      if (timer) { clearInterval(timer); timer = null; }
      tick();
      if (endsAt !== null) timer = setInterval(tick, 250);
    };
  }
  window.ScentissRound = { follow: follow };
})();
