// The phone's taps. Each tap is kept on the phone (localStorage, one entry per statement: the
// latest tap) until the server has acknowledged it, so a tap made offline survives a closed
// tab and is sent when the survey is next open and online. A tap travels over the phone's
// websocket (follow.js) when it is open and is acknowledged there with its client id; when the
// socket is down, not yet open or silent, the same tap goes by the answer POST (the fallback),
// retried with a capped backoff. The server stores an answer once per participant and
// statement, so a tap sent twice (by either way) is stored once. The keeping, posting and
// backoff are the offline queue's (queue.js, loaded before this script).
// Offline the phone also moves between the elements (pages.js swaps the page in place and says
// so with "scentiss:element-shown"): the answers it knows (the server's, as the pages showed
// them, and the acknowledged taps; kept in localStorage beside the taps) and the taps still
// waiting are put back on the page it shows, and a line at the foot of the page says how many
// answers are kept on the phone until there is a connection.
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

  // What the phone knows the server has: {statement: score}, for pages shown from the copy
  // pages.js keeps (drawn before these answers were given).
  var KNOWN = "scentiss.known." + code;
  var known = (function () {
    try {
      var saved = JSON.parse(localStorage.getItem(KNOWN));
      if (saved && saved.who === who && saved.answers && typeof saved.answers === "object") return saved.answers;
    } catch (e) { /* none, or not ours */ }
    return {};
  })();
  // onlyNew: from a copy that may be older than what the phone learned since.
  function remember(statement, score, onlyNew) {
    if (!/^[0-9]+$/.test(String(statement)) || !/^([1-5]|dk)$/.test(String(score))) return;
    if (known[statement] === String(score) || (onlyNew && known[statement] !== undefined)) return;
    known[statement] = String(score);
    try { localStorage.setItem(KNOWN, JSON.stringify({ who: who, answers: known })); } catch (e) { /* memory only */ }
  }
  // The statements answered as far as the phone knows: the server's and those kept here.
  function answeredHere() {
    var all = {};
    Object.keys(known).forEach(function (s) { all[s] = true; });
    taps.all().forEach(function (rec) { all[rec.statement] = true; });
    return Object.keys(all).length;
  }

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
  (function () {  // what the server's page shows
    var box = document.getElementById("progress");
    var n = box ? Number(box.dataset.answered) : NaN;
    if (n >= 0) answeredShown = n;
  })();
  function progress(answered, total) {
    answered = Number(answered); total = Number(total);
    if (!(total > 0) || !(answered >= 0) || answered < answeredShown) return;
    answeredShown = answered;
    drawProgress(answered, total);
  }
  function drawProgress(answered, total) {
    var box = document.getElementById("progress");
    if (!box) return;
    box.querySelector("rect").setAttribute("width", String(Math.round(100 * answered / total)));
    box.querySelector("p").textContent = d.progressText.replace("{answered}", answered).replace("{total}", total);
  }

  // The taps kept on the phone while it cannot reach the server, said once for the page.
  var cutOff = false;  // a send failed since the last acknowledgement
  function keptLine() {
    var line = document.getElementById("kept");
    if (!line) return;
    var n = cutOff && taps.durable ? taps.all().length : 0;
    line.hidden = n === 0;
    line.textContent = n === 0 ? "" : n === 1 ? d.keptOne : d.keptMany.replace("{n}", String(n));
  }
  // The progress bar counts the taps kept here too, once the server cannot say.
  function progressHere() {
    var box = document.getElementById("progress");
    var total = box ? Number(box.dataset.total) : NaN;
    if (!(total > 0)) return;
    answeredShown = Math.max(answeredShown, Math.min(answeredHere(), total));
    drawProgress(answeredShown, total);
  }

  // --- sending ----------------------------------------------------------------------------
  function send(rec) {
    var s = rec.statement;
    if (inflight[s]) return;  // one tap per statement on its way; the newest follows it
    if (retries[s]) { clearTimeout(retries[s].timer); }
    var form = formFor(s);
    mark(form, "unsent");
    // A retry of a tap kept on the phone keeps saying so (no flicker back to "retrying").
    if (!retries[s]) status(form, null, d.saving);
    else if (!taps.durable) status(form, "bad", d.retrying);
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
    var kept = get(rec.statement);
    remember(rec.statement, kept && kept.id === rec.id ? kept.score : rec.score);
    if (!drop(rec)) { send(get(rec.statement)); return; }  // tapped again meanwhile
    if (!taps.all().length) cutOff = false;
    keptLine();
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
    // Kept in the phone's storage the tap is safe, whatever the reason it could not go: say
    // so. Kept in memory only (private mode, storage full) it is not: say it is not saved.
    if (taps.durable) status(form, "muted", d.offline);
    else status(form, "bad", d.retrying);
    cutOff = true;
    keptLine();
    progressHere();
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
    if (cutOff) { keptLine(); progressHere(); }
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

  // The answers the server's page shows (the radios it checked). from a copy: only those the
  // phone did not know.
  function learn(fromCopy) {
    root.querySelectorAll('form.statement input[name="score"]').forEach(function (input) {
      if (input.defaultChecked) remember(input.form.dataset.statement, input.value, fromCopy);
    });
  }
  // A page shown in place (pages.js): the answers known and kept here go back on it.
  function shown(fresh) {
    if (fresh) learn(false);
    root.querySelectorAll("form.statement").forEach(function (form) {
      var s = form.dataset.statement;
      var rec = get(s);
      var score = rec ? rec.score : known[s];
      if (score === undefined) return;
      var radio = form.querySelector('input[name="score"][value="' + score + '"]');
      if (radio) radio.checked = true;
      if (!rec) { form.classList.add("answered"); return; }
      mark(form, "unsent");
      if (retries[s] || !inflight[s]) status(form, taps.durable ? "muted" : "bad", taps.durable ? d.offline : d.retrying);
      else status(form, null, d.saving);
    });
    var box = document.getElementById("progress");
    if (fresh && box) answeredShown = Math.max(answeredShown, Number(box.dataset.answered) || 0);
    progressHere();
    keptLine();
  }
  document.addEventListener("scentiss:element-shown", function (e) { shown(!!(e.detail && e.detail.fresh)); });
  // The copy of every element's page (pages.js) shows the server's answers when it was drawn:
  // those the phone did not know yet.
  document.addEventListener("scentiss:pages-kept", function (e) {
    var answers = (e.detail && e.detail.answers) || {};
    Object.keys(answers).forEach(function (s) { remember(s, answers[s], true); });
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
  learn(false);
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
