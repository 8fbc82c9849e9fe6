// The one websocket client of the live pages (phones, projector, organiser, notes counts):
// connect, reconnect with exponential backoff and jitter, and resync on every (re)connect.
// The server sends the full current state as the first message of every connection, so a
// page that missed messages while the wifi was gone is right again with that message;
// onOpen(reconnected) lets a page refetch what the server does not send (a partial).
// Close code 4403 (not allowed) ends the retries.
(function () {
  "use strict";
  var FORBIDDEN = 4403;

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  // options: path, onMessage(data), onOpen(reconnected), onStatus("live" | "reconnecting" |
  // "forbidden"), minDelay (ms, 500), maxDelay (ms, 3000), raw (pass event.data unparsed).
  function connect(options) {
    var min = options.minDelay || 500;
    var max = options.maxDelay || 3000;
    var delay = min;
    var opened = false;
    function status(state) { if (options.onStatus) options.onStatus(state); }
    function retry() {
      status("reconnecting");
      // Between half and all of the delay: a room of phones that lost the same wifi does not
      // come back in one burst.
      setTimeout(open, delay / 2 + Math.random() * delay / 2);
      delay = Math.min(delay * 2, max);
    }
    function open() {
      var ws;
      try { ws = new WebSocket(wsUrl(options.path)); } catch (e) { retry(); return; }
      ws.onopen = function () {
        delay = min;
        status("live");
        if (options.onOpen) options.onOpen(opened);
        opened = true;
      };
      ws.onmessage = function (event) {
        options.onMessage(options.raw ? event.data : JSON.parse(event.data));
      };
      ws.onclose = function (event) {
        if (event.code === FORBIDDEN) { status("forbidden"); return; }
        retry();
      };
    }
    open();
  }

  window.ScentissLive = { connect: connect };
})();
