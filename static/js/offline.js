// The forms of the phone and the chair's tablet that cannot be kept on the device (join, seat
// someone, add a seat, a paper form, the language): posted as a page, they would leave for the
// browser's offline page and lose what was typed. Before such a form goes, a short request to
// the server (HEAD of this script, never from a cache) checks that it can be reached; when it
// cannot, the form stays as it is, with what was typed in it, and a line at the top of the
// screen says plainly that it was not saved. The forms that are kept on the device (notes,
// observations: data-offline="queue"; the phone's taps) and htmx's own are left to their
// scripts.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var probeUrl = me.src;
  var notSaved = me.dataset.notSaved;
  var PROBE_TIMEOUT = 4000;
  var OWN = '[data-offline="queue"], .note-new, [hx-post], [hx-get]';

  function reachable() {
    if (navigator.onLine === false) return Promise.resolve(false);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, PROBE_TIMEOUT) : null;
    return fetch(probeUrl, {
      method: "HEAD",
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    }).then(function () { clearTimeout(timer); return true; },
      function () { clearTimeout(timer); return false; });
  }

  var line = null;
  function say(text) {
    if (!line && !text) return;
    if (!line) {
      line = document.createElement("p");
      line.className = "offline-refusal";
      line.setAttribute("role", "alert");
      line.addEventListener("click", function () { say(""); });
      document.body.appendChild(line);
    }
    line.textContent = text;
    line.hidden = !text;
  }
  window.addEventListener("online", function () { say(""); });

  // After the page's own handlers: a form they took care of (or stopped: a second tap on a
  // paper form) is theirs. Told to the form when it did not go ("scentiss:form-not-sent"), so
  // its script can make it ready again (paper.js enables its button).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form || !form.matches) return;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.matches(OWN)) return;
    e.preventDefault();
    if (form.dataset.offlineChecking === "1") return;  // a second tap while checking
    form.dataset.offlineChecking = "1";
    form.setAttribute("aria-busy", "true");
    var submitter = e.submitter || null;
    reachable().then(function (ok) {
      delete form.dataset.offlineChecking;
      form.removeAttribute("aria-busy");
      if (!ok) {
        say(form.dataset.offlineMessage || notSaved);
        // After what the form's script did as it went (paper.js disables its button on a
        // timer), even when the answer came at once (the browser knew it was offline).
        setTimeout(function () { form.dispatchEvent(new CustomEvent("scentiss:form-not-sent")); }, 0);
        return;
      }
      say("");
      // form.submit() sends no submitter: its name and value (the language's button) go as a
      // field of their own.
      if (submitter && submitter.name && submitter.form === form) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = submitter.name;
        field.value = submitter.value;
        form.appendChild(field);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
