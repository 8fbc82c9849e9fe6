// The phone's way between the elements, with or without a network. Once the survey has loaded,
// every element's page is fetched in one reply (/s/<code>/survey/offline/) and kept on the
// phone (localStorage, with the participant and the language it was drawn for). "Next" and
// "Previous" then load the element's page from the server and show it in place (the address
// follows, the back button too); when the server cannot be reached (no network, a timeout),
// the kept copy is shown instead, and survey.js puts the answers it knows and the taps it
// keeps back on it ("scentiss:element-shown"). A page the phone has no copy of, or "Finish"
// offline, says so plainly and stays where it is. A reply that is not an element's page (the
// phase moved on, the phone must join again) is opened as a page of its own.
(function () {
  "use strict";
  var root = document.querySelector(".survey");
  if (!root) return;
  var page = root.querySelector(".survey-page");
  if (!page) return;
  var d = root.dataset;
  var KEY = "scentiss.pages." + d.code;
  var lang = document.documentElement ? document.documentElement.lang || "" : "";
  var NAV_TIMEOUT = 4000;  // a server that says nothing for this long: show the kept copy
  var kept = null;  // {who, lang, pages: {number: {title, html}}}

  function readKept() {
    try {
      var saved = JSON.parse(localStorage.getItem(KEY));
      if (saved && saved.who === d.who && saved.lang === lang && saved.pages) return saved;
    } catch (e) { /* none, or not ours */ }
    return null;
  }
  function writeKept() {
    try {
      // One session's pages at a time: a phone that was at another session drops those.
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf("scentiss.pages.") === 0 && k !== KEY) localStorage.removeItem(k);
      }
      localStorage.setItem(KEY, JSON.stringify(kept));
    } catch (e) { /* kept in memory for this page */ }
  }

  // The pages of the reply: {pages: {n: {title, html}}, answers: {statement: score}}.
  function parsePages(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var pages = {};
    var answers = {};
    doc.querySelectorAll("template[data-number]").forEach(function (tpl) {
      pages[tpl.dataset.number] = { title: tpl.dataset.title || "", html: tpl.innerHTML };
      tpl.content.querySelectorAll("form.statement").forEach(function (form) {
        var checked = form.querySelector('input[name="score"][checked]');
        if (checked) answers[form.dataset.statement] = checked.value;
      });
    });
    return { pages: pages, answers: answers };
  }

  var fetching = false;
  function fetchPages() {
    if (kept || fetching) return;
    fetching = true;
    fetch(d.pagesUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (res) { return res.status === 200 ? res.text() : null; })
      .then(function (html) {
        fetching = false;
        if (!html) return;
        var got = parsePages(html);
        if (!Object.keys(got.pages).length) return;
        kept = { who: d.who, lang: lang, pages: got.pages };
        writeKept();
        root.dataset.pagesKept = String(Object.keys(got.pages).length);
        document.dispatchEvent(new CustomEvent("scentiss:pages-kept", { detail: { answers: got.answers } }));
      }, function () { fetching = false; /* tried again when the socket opens */ });
  }

  // --- showing a page in place ------------------------------------------------------------
  function say(text) {
    var line = page.querySelector(".nav-offline");
    if (!line) return;
    line.textContent = text;
    if (text && line.scrollIntoView) line.scrollIntoView({ block: "center" });
  }
  function show(number, html, title, url, push, fresh) {
    page.innerHTML = html;
    if (title) document.title = title;
    if (push) history.pushState({ element: number }, "", url);
    window.scrollTo(0, 0);
    var heading = page.querySelector("h1");
    if (heading && heading.focus) heading.focus({ preventScroll: true });
    root.dataset.shown = String(number) + (fresh ? "" : "-kept");
    document.dispatchEvent(new CustomEvent("scentiss:element-shown", { detail: { number: number, fresh: fresh } }));
  }

  var seq = 0;
  // number: the element's (a string), or null for "Finish".
  function go(url, number, push) {
    var mine = ++seq;
    say("");
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, NAV_TIMEOUT) : null;
    fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined,
    }).then(function (res) {
      return res.text().then(function (html) { return { res: res, html: html }; });
    }).then(function (got) {
      clearTimeout(timer);
      if (mine !== seq) return;
      var res = got.res;
      var fresh = null;
      if (number && res.status === 200 && !res.redirected) {
        var doc = new DOMParser().parseFromString(got.html, "text/html");
        fresh = doc.querySelector(".survey .survey-page");
        if (fresh) {
          if (kept) { kept.pages[number] = { title: doc.title, html: fresh.innerHTML }; writeKept(); }
          show(number, fresh.innerHTML, doc.title, url, push, true);
          return;
        }
      }
      // Not an element's page (the end, another phase, join again): open it as a page.
      location.assign(res.url || url);
    }, function () {
      clearTimeout(timer);
      if (mine !== seq) return;
      var copy = number && kept && kept.pages[number];
      if (copy) show(number, copy.html, copy.title, url, push, false);
      else say(number ? d.noPage : d.noDone);
    });
  }

  root.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest ? e.target.closest("a[data-element], a[data-done]") : null;
    if (!link || !root.contains(link)) return;
    e.preventDefault();
    go(link.href, link.hasAttribute("data-done") ? null : link.dataset.element, true);
  });
  window.addEventListener("popstate", function () {
    var m = /\/survey\/([0-9]+)\/$/.exec(location.pathname);
    if (m) go(location.href, m[1], false);
  });
  document.addEventListener("scentiss:phone-open", fetchPages);
  window.addEventListener("online", fetchPages);

  kept = readKept();
  if (kept) root.dataset.pagesKept = String(Object.keys(kept.pages).length);
  // A little after the page: a room of phones that opened the survey together does not ask
  // for their copies in one burst.
  else setTimeout(fetchPages, 500 + Math.random() * 1500);
})();
