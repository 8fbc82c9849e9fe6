// static/js/pages.js, the phone's way between the elements: the copy of every element's page is
// fetched once the survey has loaded and kept on the phone; "Next" and "Previous" show the
// server's page in place, or the kept copy when the server cannot be reached; without a copy
// (or for "Finish") the page says so and stays. The markup is described to a fake DOMParser;
// what the tests watch is the requests, the storage, the address and what the page shows.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FakeStorage, fakeFetch, load, settle } from "./fakes.mjs";

const KEY = "scentiss.pages.ABC";

// A page's markup is JSON here: {title, page} for an element's page, {pages: [...]} for the
// reply with every element's page (each {number, title, html, answers: {statement: score}}).
class FakeDOMParser {
  parseFromString(text) {
    const doc = JSON.parse(text);
    return {
      title: doc.title || "",
      querySelector: (selector) => {
        assert.equal(selector, ".survey .survey-page");
        return doc.page === undefined ? null : { innerHTML: doc.page };
      },
      querySelectorAll: (selector) => {
        assert.equal(selector, "template[data-number]");
        return (doc.pages || []).map((p) => ({
          dataset: { number: String(p.number), title: p.title },
          innerHTML: p.html,
          content: {
            querySelectorAll: () => Object.entries(p.answers || {}).map(([statement, score]) => ({
              dataset: { statement },
              querySelector: () => ({ value: score }),
            })),
          },
        }));
      },
    };
  }
}

const PAGES = JSON.stringify({
  pages: [1, 2, 3].map((n) => ({ number: n, title: `E${n}`, html: `copy of ${n}`, answers: n === 1 ? { 7: "4" } : {} })),
});

const clocked = new WeakSet();  // one fake clock for the test's pages
function phonePage(t, { storage = new FakeStorage(), who = "P1", lang = "nl" } = {}) {
  if (!clocked.has(t)) {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    clocked.add(t);
  }
  const { fetch, calls } = fakeFetch();
  const listeners = {};
  const page = { innerHTML: "page 1", querySelector: (s) => (s === ".nav-offline" ? line : s === "h1" ? heading : null) };
  const line = { textContent: "" };
  const heading = { focused: 0, focus() { this.focused += 1; } };
  const root = {
    dataset: { code: "ABC", who, pagesUrl: "/s/ABC/survey/offline/", noPage: "no page", noDone: "no done" },
    querySelector: (s) => (s === ".survey-page" ? page : null),
    addEventListener: (type, fn) => { listeners[type] = fn; },
    contains: () => true,
  };
  const events = [];
  const document = new EventTarget();
  Object.assign(document, {
    title: "E1",
    documentElement: { lang },
    querySelector: (s) => (s === ".survey" ? root : null),
  });
  document.addEventListener("scentiss:element-shown", (e) => events.push(["shown", e.detail]));
  document.addEventListener("scentiss:pages-kept", (e) => events.push(["kept", e.detail]));
  const window = new EventTarget();
  window.AbortController = AbortController;
  window.scrollTo = () => {};
  const pushed = [];
  const history = { pushState: (state, title, url) => pushed.push(url) };
  const assigned = [];
  const location = { pathname: "/s/ABC/survey/1/", href: "/s/ABC/survey/1/", assign: (url) => assigned.push(url) };
  load("pages.js", { window, document, localStorage: storage, fetch, history, location, DOMParser: FakeDOMParser });

  function click(href, { element = null, done = false } = {}) {
    const link = {
      href,
      dataset: element ? { element: String(element) } : {},
      hasAttribute: (name) => name === "data-done" && done,
      closest() { return this; },
    };
    const event = { target: link, button: 0, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    listeners.click(event);
    return event;
  }
  return { calls, storage, page, line, heading, root, document, events, pushed, assigned, click, tick: (ms) => t.mock.timers.tick(ms) };
}

async function withCopy(t, options) {
  const p = phonePage(t, options);
  p.tick(2000);
  assert.equal(p.calls.length, 1);
  p.calls[0].reply(200, PAGES);
  await settle();
  return p;
}

describe("the copy of every element's page", () => {
  test("is fetched once, a moment after the survey opened, and kept with the participant and the language", async (t) => {
    const p = phonePage(t);
    assert.equal(p.calls.length, 0, "not at once: a room of phones does not ask in one burst");
    p.tick(2000);
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].url, "/s/ABC/survey/offline/");
    p.calls[0].reply(200, PAGES);
    await settle();
    const kept = JSON.parse(p.storage.getItem(KEY));
    assert.deepEqual({ who: kept.who, lang: kept.lang, numbers: Object.keys(kept.pages) }, { who: "P1", lang: "nl", numbers: ["1", "2", "3"] });
    assert.equal(p.root.dataset.pagesKept, "3");
    assert.deepEqual(p.events, [["kept", { answers: { 7: "4" } }]], "the answers it shows go to survey.js");

    const next = phonePage(t, { storage: p.storage });
    next.tick(5000);
    assert.equal(next.calls.length, 0, "a page opened later uses the kept copy");
    assert.equal(next.root.dataset.pagesKept, "3");
  });

  test("drawn for another participant or in another language it is fetched again; another session's is dropped", async (t) => {
    const storage = new FakeStorage();
    await withCopy(t, { storage });
    storage.setItem("scentiss.pages.OLD", "{}");
    const english = phonePage(t, { storage, lang: "en" });
    english.tick(2000);
    assert.equal(english.calls.length, 1);
    english.calls[0].reply(200, PAGES);
    await settle();
    assert.equal(JSON.parse(storage.getItem(KEY)).lang, "en");
    assert.equal(storage.getItem("scentiss.pages.OLD"), null);
    const other = phonePage(t, { storage, who: "P2" });
    other.tick(2000);
    assert.equal(other.calls.length, 1);
  });

  test("outside the survey (204) or without a network nothing is kept; it is asked again when the socket opens", async (t) => {
    const p = phonePage(t);
    p.tick(2000);
    p.calls[0].fail();
    await settle();
    assert.equal(p.storage.getItem(KEY), null);
    p.document.dispatchEvent(new CustomEvent("scentiss:phone-open"));
    assert.equal(p.calls.length, 2);
    p.calls[1].reply(204, "");
    await settle();
    assert.equal(p.storage.getItem(KEY), null);
  });
});

describe("moving between the elements", () => {
  test("online: the server's page is shown in place, the address follows, the copy is renewed", async (t) => {
    const p = await withCopy(t);
    const event = p.click("/s/ABC/survey/2/", { element: 2 });
    assert.ok(event.defaultPrevented);
    assert.equal(p.calls[1].url, "/s/ABC/survey/2/");
    p.calls[1].reply(200, JSON.stringify({ title: "E2 fresh", page: "server page 2" }));
    await settle();
    assert.equal(p.page.innerHTML, "server page 2");
    assert.equal(p.document.title, "E2 fresh");
    assert.deepEqual(p.pushed, ["/s/ABC/survey/2/"]);
    assert.equal(p.heading.focused, 1);
    assert.deepEqual(p.events.at(-1), ["shown", { number: "2", fresh: true }]);
    assert.equal(JSON.parse(p.storage.getItem(KEY)).pages["2"].html, "server page 2");
  });

  test("without a network: the kept copy is shown, and survey.js told it is a copy", async (t) => {
    const p = await withCopy(t);
    p.click("/s/ABC/survey/3/", { element: 3 });
    p.calls[1].fail();
    await settle();
    assert.equal(p.page.innerHTML, "copy of 3");
    assert.equal(p.document.title, "E3");
    assert.deepEqual(p.pushed, ["/s/ABC/survey/3/"]);
    assert.deepEqual(p.events.at(-1), ["shown", { number: "3", fresh: false }]);
    assert.equal(p.root.dataset.shown, "3-kept");
  });

  test("a server that says nothing for 4 s: the kept copy", async (t) => {
    const p = await withCopy(t);
    p.click("/s/ABC/survey/2/", { element: 2 });
    p.tick(3999);
    await settle();
    assert.equal(p.page.innerHTML, "page 1");
    p.tick(1);
    await settle();
    assert.ok(p.calls[1].aborted);
    assert.equal(p.page.innerHTML, "copy of 2");
  });

  test("no copy yet, or Finish, without a network: says so and stays", async (t) => {
    const p = phonePage(t);
    p.click("/s/ABC/survey/2/", { element: 2 });
    p.calls[0].fail();
    await settle();
    assert.equal(p.page.innerHTML, "page 1");
    assert.equal(p.line.textContent, "no page");
    assert.deepEqual(p.pushed, []);
    const q = await withCopy(t);
    q.click("/s/ABC/survey/done/", { done: true });
    q.calls[1].fail();
    await settle();
    assert.equal(q.line.textContent, "no done");
    assert.equal(q.page.innerHTML, "page 1");
    assert.deepEqual(q.assigned, []);
  });

  test("a reply that is not an element's page (Finish, another phase, join again) is opened as a page", async (t) => {
    const p = await withCopy(t);
    p.click("/s/ABC/survey/done/", { done: true });
    p.calls[1].reply(200, JSON.stringify({ title: "Thank you" }));
    await settle();
    assert.deepEqual(p.assigned, ["/s/ABC/survey/done/"]);
    p.click("/s/ABC/survey/2/", { element: 2 });
    p.calls[2].reply(200, JSON.stringify({ title: "Closed" }));
    await settle();
    assert.deepEqual(p.assigned.at(-1), "/s/ABC/survey/2/");
    assert.equal(p.page.innerHTML, "page 1");
  });

  test("only the last of two quick taps is shown", async (t) => {
    const p = await withCopy(t);
    p.click("/s/ABC/survey/2/", { element: 2 });
    p.click("/s/ABC/survey/3/", { element: 3 });
    p.calls[2].reply(200, JSON.stringify({ title: "E3", page: "server page 3" }));
    await settle();
    p.calls[1].reply(200, JSON.stringify({ title: "E2", page: "server page 2" }));
    await settle();
    assert.equal(p.page.innerHTML, "server page 3");
    assert.deepEqual(p.pushed, ["/s/ABC/survey/3/"]);
  });
});
