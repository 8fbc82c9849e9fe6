// The offline queue of the phone's taps (survey.js) and the table chair's notes (notes.js):
// a record stays on the device (localStorage; memory where that is unavailable: private mode,
// full) until the server has acknowledged it, goes by a POST as htmx would send it, and is
// retried with a capped backoff. Each page decides what a record is, what it is kept under and
// when it is done; the server stores a record once per client id, so a resend never doubles it.
(function () {
  "use strict";
  var MAX_DELAY = 5000;

  // crypto.randomUUID needs a secure context; phones and tablets on the venue LAN may use plain
  // http.
  function uuid4() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // The records kept under prefix + key, each with its client id (rec.id). valid(rec), when
  // given, tells a stored record of ours from another one (an older script's, a hand-edited
  // one). durable: false when only memory keeps them, so leaving the page would lose them.
  function store(prefix, valid) {
    var memory = {};
    // Keys whose record in memory is newer than the one storage kept (storage full): the
    // older one must not come back in its place.
    var newer = {};
    var durable = (function () {
      try {
        localStorage.setItem(prefix + "probe", "1");
        localStorage.removeItem(prefix + "probe");
        return true;
      } catch (e) { return false; }
    })();
    function put(key, rec) {
      memory[key] = rec;
      if (durable) {
        try {
          localStorage.setItem(prefix + key, JSON.stringify(rec));
          delete newer[key];
        } catch (e) { newer[key] = true; /* kept in memory */ }
      }
    }
    function get(key) {
      if (durable && !newer[key]) {
        try {
          var rec = JSON.parse(localStorage.getItem(prefix + key));
          if (rec && rec.id && (!valid || valid(rec))) return rec;
        } catch (e) { /* not ours */ }
      }
      return memory[key] || null;
    }
    function remove(key) {
      delete memory[key];
      delete newer[key];
      if (durable) { try { localStorage.removeItem(prefix + key); } catch (e) { /* ignore */ } }
    }
    function all() {
      var out = {};
      Object.keys(memory).forEach(function (key) { out[key] = memory[key]; });
      if (durable) {
        for (var i = 0; i < localStorage.length; i++) {
          var k = localStorage.key(i);
          if (!k || k.indexOf(prefix) !== 0 || k === prefix + "probe") continue;
          var key = k.slice(prefix.length);
          var rec = get(key);
          if (rec) out[key] = rec;
        }
      }
      return Object.keys(out).map(function (key) { return out[key]; });
    }
    return { durable: durable, put: put, get: get, remove: remove, all: all };
  }

  // The form's fields, posted with the page's CSRF token (from <body hx-headers>) and as htmx
  // (the reply is the partial). Resolves to {status, html, headers} once the reply is read;
  // rejects when the network fails or signal aborts.
  function post(url, body, signal) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      signal: signal,
    }).then(function (response) {
      return response.text().then(function (html) {
        return { status: response.status, html: html, headers: response.headers };
      });
    });
  }

  // What a reply's status means for the record: "ok" (the server has it), "refused" (with a
  // reason sending again cannot change) or "retry" (a server error, a timeout, too many
  // requests, a proxy that lost the server).
  function verdict(status) {
    if (status >= 200 && status < 300) return "ok";
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "refused";
    return "retry";
  }

  // Milliseconds before the attempt-th retry: doubling from half a second, at most five.
  function backoff(attempt) {
    return Math.min(500 * Math.pow(2, attempt - 1), MAX_DELAY);
  }

  // A refusal's message: the reply's text, never its markup.
  function textOf(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    return (tpl.content.textContent || "").trim();
  }

  window.ScentissQueue = {
    uuid4: uuid4, csrfToken: csrfToken, store: store, post: post, verdict: verdict,
    backoff: backoff, textOf: textOf,
  };
})();
