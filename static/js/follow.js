// A phone follows the session's phase without reload: the server says when the phase (or the
// reveal) changes, and the page that fits it is loaded. Reconnects back off to at most 3 s.
(function () {
  "use strict";
  var body = document.body;
  var path = body.dataset.followWs;
  if (!path) return;
  var phase = body.dataset.phase;
  var revealed = body.dataset.revealed === "true";
  var delay = 500;

  function changed(state) {
    if (state.phase !== phase) return true;
    // The reveal matters once the survey is over.
    return state.revealed !== revealed && phase !== "join" && phase !== "survey";
  }

  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    ws.onopen = function () { delay = 500; };
    ws.onmessage = function (event) {
      if (changed(JSON.parse(event.data))) {
        window.scentissFollowing = true;
        location.reload();
      }
    };
    ws.onclose = function (event) {
      if (event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 3000);
    };
  }
  connect();
})();
