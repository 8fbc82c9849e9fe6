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

  // options: path, onMessage(data), onOpen(reconnected), onClose(), onStatus("live" |
  // "reconnecting" | "forbidden"), minDelay (ms, 500), maxDelay (ms, 3000), raw (pass
  // event.data unparsed). Returns {send(data), isOpen()}: send (JSON-encoded) returns false
  // when the socket is not open, so the caller can take another way (the phone's taps).
  function connect(options) {
    var min = options.minDelay || 500;
    var max = options.maxDelay || 3000;
    var delay = min;
    var opened = false;
    var current = null;
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
      try { ws = current = new WebSocket(wsUrl(options.path)); } catch (e) { retry(); return; }
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
        if (current === ws) current = null;
        if (options.onClose) options.onClose();
        if (event.code === FORBIDDEN) { status("forbidden"); return; }
        retry();
      };
    }
    open();
    return {
      isOpen: function () { return !!current && current.readyState === 1; },
      send: function (data) {
        if (!current || current.readyState !== 1) return false;
        try { current.send(JSON.stringify(data)); return true; } catch (e) { return false; }
      },
    };
  }

  window.ScentissLive = { connect: connect };
})();
