// Typing in a paper form from the keyboard: 1-5, or the don't-know key, answers the current
// statement and moves on to the next; Up or Backspace goes back, Down skips; the bar at the
// top always shows the current statement's label. Tab and the mouse work as in any form.
(function () {
  "use strict";
  var form = document.querySelector(".paper-form");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll(".paper-item"));
  var dkKey = form.dataset.dkKey || "0";
  var bar = form.querySelector(".paper-current");
  var current = 0;

  function radios(item) { return item.querySelectorAll('input[type="radio"]'); }

  function show(index, focus) {
    if (index < 0) index = 0;
    if (index >= items.length) {
      items[current].classList.remove("current");
      form.querySelector(".paper-save").focus();
      return;
    }
    items[current].classList.remove("current");
    current = index;
    var item = items[current];
    item.classList.add("current");
    bar.querySelector(".pc-pos").textContent = item.dataset.pos;
    bar.querySelector(".pc-label").textContent = item.dataset.label;
    bar.querySelector(".pc-element").textContent = item.dataset.element;
    if (focus) {
      var target = item.querySelector("input:checked") || radios(item)[0];
      target.focus({ preventScroll: true });
      item.scrollIntoView({ block: "center" });
    }
  }

  function choose(value) {
    var item = items[current];
    var input = item.querySelector('input[value="' + value + '"]');
    input.checked = true;
    item.classList.add("answered");
    show(current + 1, true);
  }

  form.addEventListener("keydown", function (e) {
    var item = e.target.closest && e.target.closest(".paper-item");
    if (!item || e.ctrlKey || e.metaKey || e.altKey) return;
    var index = items.indexOf(item);
    if (index !== current) show(index, false);
    if (e.key >= "1" && e.key <= "5") { choose(e.key); e.preventDefault(); }
    else if (e.key === dkKey) { choose("dk"); e.preventDefault(); }
    else if (e.key === "ArrowUp" || e.key === "Backspace") { show(current - 1, true); e.preventDefault(); }
    else if (e.key === "ArrowDown") { show(current + 1, true); e.preventDefault(); }
    else if (e.key === "Enter") { e.preventDefault(); }  // a stray Enter must not send half a form
  });
  form.addEventListener("focusin", function (e) {
    var item = e.target.closest && e.target.closest(".paper-item");
    if (item) show(items.indexOf(item), false);
  });
  form.addEventListener("change", function (e) {
    var item = e.target.closest && e.target.closest(".paper-item");
    if (item) item.classList.add("answered");
  });
  // One click sends the form once: the button waits for the answer (the server stores a form
  // sent twice once anyway, by the form's id). Back in the browser's history it works again.
  var save = form.querySelector(".paper-save");
  var sent = false;
  form.addEventListener("submit", function (e) {
    if (sent) { e.preventDefault(); return; }
    sent = true;
    // Disabled after this event: a button disabled before the submit is not sent with it.
    setTimeout(function () { save.disabled = true; save.setAttribute("aria-busy", "true"); }, 0);
  });
  function ready() {
    sent = false;
    save.disabled = false;
    save.removeAttribute("aria-busy");
  }
  window.addEventListener("pageshow", ready);
  // Not sent after all (no connection: offline.js says so): the button works again.
  form.addEventListener("scentiss:form-not-sent", ready);
  // Start at the first statement without an answer.
  var first = items.findIndex(function (i) { return !i.querySelector("input:checked"); });
  var hasWho = form.querySelector(".paper-who select") && !form.querySelector("input:checked");
  show(first < 0 ? 0 : first, !hasWho);
  if (hasWho) form.querySelector(".paper-who select").focus();
})();
