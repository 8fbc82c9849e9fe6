// Keeps every tap until the server has acknowledged it: a failed save is retried with a
// capped backoff, unsent answers are marked, and leaving the page with unsent answers asks first.
(function () {
  "use strict";
  var root = document.querySelector(".survey");
  if (!root) return;
  var MAX_DELAY = 5000;

  function statusOf(form) { return form.querySelector(".status"); }

  function scheduleRetry(form) {
    var attempt = Number(form.dataset.attempt || 0) + 1;
    form.dataset.attempt = String(attempt);
    form.classList.add("unsent");
    statusOf(form).innerHTML = '<span class="bad">' + root.dataset.retrying + "</span>";
    var delay = Math.min(500 * Math.pow(2, attempt - 1), MAX_DELAY);
    clearTimeout(form._retry);
    form._retry = setTimeout(function () { htmx.trigger(form, "change"); }, delay);
  }

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (!form.classList || !form.classList.contains("statement")) return;
    form.classList.add("unsent");
    statusOf(form).textContent = root.dataset.saving;
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form.classList || !form.classList.contains("statement")) return;
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (e.detail.successful && status >= 200 && status < 300) {
      form.dataset.attempt = "0";
      form.classList.remove("unsent", "rejected");
      form.classList.add("answered");
    } else if (status >= 400 && status < 500) {
      // Refused with a message (shown in the status line): retrying cannot help.
      form.classList.remove("unsent");
      form.classList.add("rejected");
    } else {
      scheduleRetry(form);  // network down, timeout or server error
    }
  });
  window.addEventListener("online", function () {
    document.querySelectorAll("form.statement.unsent").forEach(function (form) {
      htmx.trigger(form, "change");
    });
  });
  window.addEventListener("beforeunload", function (e) {
    if (!window.scentissFollowing && document.querySelector("form.statement.unsent")) {
      e.preventDefault();
      e.returnValue = root.dataset.unsent;
      return root.dataset.unsent;
    }
  });
  htmx.config.timeout = 10000;
})();
