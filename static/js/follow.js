// The phone's websocket. It follows the session's phase without reload (the server says when
// the phase, or the reveal, changes, and the page that fits it is loaded) and carries the
// phone's taps (survey.js): `window.scentissPhone.send(message)` sends one if the socket is
// open; the replies and the socket's opening and closing are told as DOM events
// ("scentiss:phone-message", "scentiss:phone-open", "scentiss:phone-close").
// Reconnects back off to at most 3 s.
(function () {
  "use strict";
  var body = document.body;
  var path = body.dataset.followWs;
  if (!path) return;
  var phase = body.dataset.phase;
  var revealed = body.dataset.revealed === "true";
  var delay = 500;
  var ws = null;

  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent("scentiss:phone-" + name, { detail: detail }));
  }

  window.scentissPhone = {
    isOpen: function () { return !!ws && ws.readyState === 1; },
    send: function (message) {
      if (!ws || ws.readyState !== 1) return false;
      try { ws.send(JSON.stringify(message)); return true; } catch (e) { return false; }
    },
  };

  function changed(state) {
    if (state.phase !== phase) return true;
    // The reveal matters once the survey is over.
    return state.revealed !== revealed && phase !== "join" && phase !== "survey";
  }

  function connect() {
    var socket = ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
    socket.onopen = function () { delay = 500; tell("open"); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && message.type) { tell("message", message); return; }  // a tap's reply
      if (changed(message)) {
        window.scentissFollowing = true;
        location.reload();
      }
    };
    socket.onclose = function (event) {
      if (ws === socket) ws = null;
      tell("close");
      if (event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 3000);
    };
  }
  connect();
})();
