// The phone's websocket (through ScentissLive, live.js). It follows the session's phase without
// reload (the server says when the phase, or the reveal, changes, and the page that fits it is
// loaded) and carries the phone's taps (survey.js): `window.scentissPhone.send(message)` sends
// one if the socket is open; the replies and the socket's opening and closing are told as DOM
// events ("scentiss:phone-message", "scentiss:phone-open", "scentiss:phone-close").
// Reconnects back off to at most 3 s.
// The waiting page also asks the server every five seconds whether the survey has opened
// (data-status-url), for a phone whose socket a venue's network holds back: the answer is 204
// while it waits, or names the page to go to (the HX-Redirect header).
(function () {
  "use strict";
  var body = document.body;
  var POLL = 5000;

  var waiting = document.querySelector("[data-status-url]");
  function poll() {
    setTimeout(function () {
      fetch(waiting.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
        var to = res.headers.get("HX-Redirect") || "";
        // A path on this site only.
        if (to.charAt(0) === "/" && to.charAt(1) !== "/" && to.charAt(1) !== "\\") {
          window.scentissFollowing = true;
          location.assign(to);
          return;
        }
        poll();
      }, poll);
    }, POLL);
  }
  if (waiting) poll();

  var path = body.dataset.followWs;
  if (!path) return;
  var phase = body.dataset.phase;
  var revealed = body.dataset.revealed === "true";

  function tell(name, detail) {
    document.dispatchEvent(new CustomEvent("scentiss:phone-" + name, { detail: detail }));
  }

  function changed(state) {
    if (state.phase !== phase) return true;
    // The reveal matters once the survey is over.
    return state.revealed !== revealed && phase !== "join" && phase !== "survey";
  }

  // The organiser's reminder to finish: a banner at the top, in the page's language.
  function nudge() {
    if (!body.dataset.nudge || document.getElementById("nudge-banner")) return;
    var banner = document.createElement("div");
    banner.id = "nudge-banner";
    banner.className = "nudge-banner";
    banner.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = body.dataset.nudge;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = body.dataset.nudgeClose || "OK";
    close.addEventListener("click", function () { banner.remove(); });
    banner.appendChild(text);
    banner.appendChild(close);
    (document.getElementById("main") || body).prepend(banner);
  }

  window.scentissPhone = ScentissLive.connect({
    path: path,
    maxDelay: 3000,
    onOpen: function () { tell("open"); },
    onClose: function () { tell("close"); },
    onMessage: function (message) {
      if (message && message.type === "nudge") { nudge(); return; }
      if (message && message.type) { tell("message", message); return; }  // a tap's reply
      if (changed(message)) {
        window.scentissFollowing = true;
        location.reload();
      }
    },
  });
})();
