// The phone's taps. Each tap is kept on the phone (localStorage, one entry per statement: the
// latest tap) until the server has acknowledged it, so a tap made offline survives a closed
// tab and is sent when the survey is next open and online. A tap travels over the phone's
// websocket (follow.js) when it is open and is acknowledged there with its client id; when the
// socket is down, not yet open or silent, the same tap goes by the answer POST (the fallback),
// retried with a capped backoff. The server stores an answer once per participant and
// statement, so a tap sent twice (by either way) is stored once.
(function () {
  "use strict";
  var root = document.querySelector(".survey");
  if (!root) return;
  var d = root.dataset;
  var code = d.code;
  var who = d.who;
  var PREFIX = "scentiss.tap." + code + ".";
  var MAX_DELAY = 5000;
  var ACK_TIMEOUT = 4000;  // a socket that says nothing for this long: send by HTTP instead
  var HTTP_TIMEOUT = 10000;
  var inflight = {};  // statement -> {id, via, timer}
  var retries = {};   // statement -> {attempt, timer}
  var memory = {};    // used when localStorage is unavailable (private mode, full)
  var storageOk = (function () {
    try {
      localStorage.setItem(PREFIX + "probe", "1");
      localStorage.removeItem(PREFIX + "probe");
      return true;
    } catch (e) { return false; }
  })();

  // crypto.randomUUID needs a secure context; phones on the venue LAN may use plain http.
  function uuid4() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- storage: the latest unacknowledged tap per statement ---------------------------------
  function put(rec) {
    memory[rec.statement] = rec;
    if (storageOk) {
      try { localStorage.setItem(PREFIX + rec.statement, JSON.stringify(rec)); } catch (e) { /* kept in memory */ }
    }
  }
  function get(statement) {
    if (storageOk) {
      try {
        var rec = JSON.parse(localStorage.getItem(PREFIX + statement));
        if (rec && rec.id && rec.who === who && /^[0-9]+$/.test(rec.statement) && /^([1-5]|dk)$/.test(rec.score)) return rec;
      } catch (e) { /* not ours */ }
    }
    return memory[statement] || null;
  }
  function drop(rec) {
    var current = get(rec.statement);
    if (current && current.id !== rec.id) return false;  // a newer tap is waiting
    delete memory[rec.statement];
    if (storageOk) { try { localStorage.removeItem(PREFIX + rec.statement); } catch (e) { /* ignore */ } }
    return true;
  }
  function pending() {
    var out = {};
    Object.keys(memory).forEach(function (s) { out[s] = memory[s]; });
    if (storageOk) {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (!k || k.indexOf(PREFIX) !== 0) continue;
        var rec = get(k.slice(PREFIX.length));
        if (rec) out[rec.statement] = rec;
      }
    }
    return Object.keys(out).map(function (s) { return out[s]; });
  }

  // --- display ----------------------------------------------------------------------------
  function formFor(statement) {
    return root.querySelector('form.statement[data-statement="' + statement + '"]');
  }
  function status(form, cls, text) {
    if (!form) return;
    var el = form.querySelector(".status");
    el.textContent = "";
    if (!cls) { el.textContent = text; return; }
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;  // text, never markup (a refusal's message comes from the server)
    el.appendChild(span);
  }
  function mark(form, state) {
    if (!form) return;
    form.classList.remove("unsent", "rejected");
    if (state === "answered") form.classList.add("answered");
    else form.classList.add(state);
  }
  // Two taps saved at once (two server threads) each count only their own transaction's
  // answers, so their acknowledgements can arrive as 2 then 1; a phone's answers are changed,
  // never removed, so the count shown only goes up.
  var answeredShown = -1;
  function progress(answered, total) {
    answered = Number(answered); total = Number(total);
    if (!(total > 0) || !(answered >= 0) || answered < answeredShown) return;
    answeredShown = answered;
    var box = document.getElementById("progress");
    if (!box) return;
    box.querySelector("rect").setAttribute("width", String(Math.round(100 * answered / total)));
    box.querySelector("p").textContent = d.progressText.replace("{answered}", answered).replace("{total}", total);
  }

  // --- sending ----------------------------------------------------------------------------
  function send(rec) {
    var s = rec.statement;
    if (inflight[s]) return;  // one tap per statement on its way; the newest follows it
    if (retries[s]) { clearTimeout(retries[s].timer); }
    var form = formFor(s);
    mark(form, "unsent");
    status(form, null, retries[s] ? d.retrying : d.saving);
    var phone = window.scentissPhone;
    if (phone && phone.send({ type: "answer", id: rec.id, statement: Number(s), score: rec.score })) {
      inflight[s] = { id: rec.id, via: "ws", timer: setTimeout(function () { viaHttp(rec); }, ACK_TIMEOUT) };
    } else {
      viaHttp(rec);
    }
  }

  function viaHttp(rec) {
    var s = rec.statement;
    var entry = inflight[s];
    if (entry && entry.id === rec.id && entry.via === "http") return;
    if (entry) clearTimeout(entry.timer);
    inflight[s] = { id: rec.id, via: "http" };
    var body = new FormData();
    body.append("statement", s);
    body.append("score", rec.score);
    body.append("client_id", rec.id);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, HTTP_TIMEOUT) : null;
    fetch(d.answerUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.text().then(function (html) {
        return { status: response.status, html: html, headers: response.headers };
      });
    }).then(function (res) {
      clearTimeout(timer);
      if (!current(rec, "http")) return;
      if (res.status >= 200 && res.status < 300) {
        acknowledged(rec, "http", res.headers.get("X-Answered"), res.headers.get("X-Total"),
          res.headers.get("X-Results-Version"));
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        refused(rec, textOf(res.html));
      } else {
        retry(rec);  // server error, or a proxy that lost the server
      }
    }, function () {
      clearTimeout(timer);
      if (current(rec, "http")) retry(rec);  // network down, wifi gone, timed out
    });
  }

  // Is this reply about the tap now on its way (not one we gave up waiting for)?
  function current(rec, via) {
    var entry = inflight[rec.statement];
    return !!entry && entry.id === rec.id && entry.via === via;
  }
  function finish(rec) {
    var entry = inflight[rec.statement];
    if (entry) clearTimeout(entry.timer);
    delete inflight[rec.statement];
  }

  function acknowledged(rec, via, answered, total, version) {
    finish(rec);
    delete retries[rec.statement];
    var form = formFor(rec.statement);
    progress(answered, total);
    if (!drop(rec)) { send(get(rec.statement)); return; }  // tapped again meanwhile
    mark(form, "answered");
    status(form, "ok", "✓ " + d.saved);
    if (form) {
      form.dataset.version = String(version);
      form.dataset.via = via;
    }
  }

  function refused(rec, message) {
    finish(rec);
    delete retries[rec.statement];
    if (!drop(rec)) { send(get(rec.statement)); return; }
    var form = formFor(rec.statement);
    mark(form, "rejected");
    status(form, "bad", message);
  }

  function retry(rec) {
    finish(rec);
    var s = rec.statement;
    var r = retries[s] = retries[s] || { attempt: 0 };
    r.attempt += 1;
    var form = formFor(s);
    mark(form, "unsent");
    if (navigator.onLine === false) status(form, "muted", d.offline);
    else status(form, "bad", d.retrying);
    clearTimeout(r.timer);
    r.timer = setTimeout(function () {
      var latest = get(s);
      if (latest) send(latest);
    }, Math.min(500 * Math.pow(2, r.attempt - 1), MAX_DELAY));
  }

  function flush() {
    pending().forEach(function (rec) { if (!inflight[rec.statement]) send(rec); });
  }

  function textOf(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    return (tpl.content.textContent || "").trim();
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // --- events -----------------------------------------------------------------------------
  root.addEventListener("change", function (e) {
    var input = e.target;
    var form = input.form;
    if (!form || !form.classList.contains("statement") || input.name !== "score") return;
    var rec = { id: uuid4(), who: who, statement: form.dataset.statement, score: input.value, at: Date.now() };
    put(rec);
    send(rec);
  });
  document.addEventListener("scentiss:phone-message", function (e) {
    var m = e.detail;
    if (!m || (m.type !== "ack" && m.type !== "refused")) return;
    Object.keys(inflight).forEach(function (s) {
      var entry = inflight[s];
      if (entry.via !== "ws" || entry.id !== m.id) return;
      var rec = { id: entry.id, statement: s };
      if (m.type === "ack") acknowledged(rec, "ws", m.answered, m.total, m.version);
      else if (m.status >= 500) retry(rec);
      else refused(rec, m.message);
    });
  });
  // The socket went away: what it carried goes by HTTP now; when it is back, what waits goes.
  document.addEventListener("scentiss:phone-close", function () {
    Object.keys(inflight).forEach(function (s) {
      var entry = inflight[s];
      if (entry.via === "ws") { var rec = get(s); if (rec) viaHttp(rec); else finish({ statement: s }); }
    });
  });
  document.addEventListener("scentiss:phone-open", flush);
  window.addEventListener("online", flush);
  window.addEventListener("beforeunload", function (e) {
    // Kept on the phone, the taps outlive the page; without storage they would be lost.
    if (storageOk || window.scentissFollowing) return;
    if (pending().length) {
      e.preventDefault();
      e.returnValue = d.unsent;
      return d.unsent;
    }
  });

  // Taps kept from an earlier visit: show them where they belong and send them.
  pending().forEach(function (rec) {
    var form = formFor(rec.statement);
    if (form) {
      var radio = form.querySelector('input[name="score"][value="' + rec.score + '"]');
      if (radio) radio.checked = true;
    }
  });
  flush();
})();
