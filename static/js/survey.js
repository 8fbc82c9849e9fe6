// The phone's taps. Each tap is kept on the phone (localStorage, one entry per statement: the
// latest tap) until the server has acknowledged it, so a tap made offline survives a closed
// tab and is sent when the survey is next open and online. A tap travels over the phone's
// websocket (follow.js) when it is open and is acknowledged there with its client id; when the
// socket is down, not yet open or silent, the same tap goes by the answer POST (the fallback),
// retried with a capped backoff. The server stores an answer once per participant and
// statement, so a tap sent twice (by either way) is stored once. The keeping, posting and
// backoff are the offline queue's (queue.js, loaded before this script).
(function () {
  "use strict";
  var root = document.querySelector(".survey");
  if (!root) return;
  var d = root.dataset;
  var code = d.code;
  var who = d.who;
  var Q = window.ScentissQueue;
  var ACK_TIMEOUT = 4000;  // a socket that says nothing for this long: send by HTTP instead
  var HTTP_TIMEOUT = 10000;
  var inflight = {};  // statement -> {id, via, timer}
  var retries = {};   // statement -> {attempt, timer}
  // The latest unacknowledged tap per statement.
  var taps = Q.store("scentiss.tap." + code + ".", function (rec) {
    return rec.who === who && /^[0-9]+$/.test(rec.statement) && /^([1-5]|dk)$/.test(rec.score);
  });

  function get(statement) { return taps.get(statement); }
  function drop(rec) {
    var current = get(rec.statement);
    if (current && current.id !== rec.id) return false;  // a newer tap is waiting
    taps.remove(rec.statement);
    return true;
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
    Q.post(d.answerUrl, body, controller ? controller.signal : undefined).then(function (res) {
      clearTimeout(timer);
      if (!current(rec, "http")) return;
      var verdict = Q.verdict(res.status);
      if (verdict === "ok") {
        acknowledged(rec, "http", res.headers.get("X-Answered"), res.headers.get("X-Total"),
          res.headers.get("X-Results-Version"));
      } else if (verdict === "refused") {
        refused(rec, Q.textOf(res.html));
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
    }, Q.backoff(r.attempt));
  }

  function flush() {
    taps.all().forEach(function (rec) { if (!inflight[rec.statement]) send(rec); });
  }

  // --- events -----------------------------------------------------------------------------
  root.addEventListener("change", function (e) {
    var input = e.target;
    var form = input.form;
    if (!form || !form.classList.contains("statement") || input.name !== "score") return;
    var rec = { id: Q.uuid4(), who: who, statement: form.dataset.statement, score: input.value, at: Date.now() };
    taps.put(rec.statement, rec);
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
      // 5xx: the server could not save it; 429: this phone sent too many at once.
      else if (m.status >= 500 || m.status === 429) retry(rec);
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
    if (taps.durable || window.scentissFollowing) return;
    if (taps.all().length) {
      e.preventDefault();
      e.returnValue = d.unsent;
      return d.unsent;
    }
  });

  // Taps made before this script ran (the page shows and takes taps while its scripts still
  // load on a slow network): a radio checked that the server did not check is such a tap.
  var early = {};
  root.querySelectorAll('form.statement input[name="score"]:checked').forEach(function (input) {
    if (input.defaultChecked) return;
    var rec = { id: Q.uuid4(), who: who, statement: input.form.dataset.statement, score: input.value, at: Date.now() };
    taps.put(rec.statement, rec);
    early[rec.statement] = true;
  });
  // Taps kept from an earlier visit: show them where they belong and send them.
  taps.all().forEach(function (rec) {
    var form = formFor(rec.statement);
    if (form && !early[rec.statement]) {
      var radio = form.querySelector('input[name="score"][value="' + rec.score + '"]');
      if (radio) radio.checked = true;
    }
  });
  flush();
})();
