// static/js/offline.js: a form that cannot be kept on the device (join, a seat, a paper form,
// the language) is posted only once a short request shows that the server can be reached;
// otherwise it stays, with what was typed, and the page says it was not saved. The forms the
// page's scripts keep themselves (notes, observations, htmx's) are left alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Document, Window } from "./dom.mjs";
import { fakeFetch, load, settle } from "./fakes.mjs";

const SCRIPT = "http://venue.lan/static/js/offline.abc123.js";

function page(t, { html, online = true } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const document = new Document(html);
  document.currentScript = { src: SCRIPT, dataset: { notSaved: "not saved" } };
  const window = new Window();
  window.AbortController = AbortController;
  const { fetch, calls } = fakeFetch();
  const posted = [];
  const HTMLFormElement = { prototype: { submit() { posted.push(this); } } };
  load("offline.js", {
    window, document, fetch, navigator: { onLine: online }, HTMLFormElement,
    CustomEvent: class { constructor(type) { this.type = type; } },
  });
  const line = () => document.body.querySelector("p.offline-refusal");
  function submit(form, submitter = null) {
    return form.dispatch("submit", { submitter });
  }
  return { document, window, calls, posted, line, submit, tick: (ms) => t.mock.timers.tick(ms) };
}

const SEAT = '<form method="post" action="/seats/" class="seat-form"><input name="initials" value="JV"></form>';

describe("a form that cannot be kept on the device", () => {
  test("is posted once the server answers a short request (never from a cache)", async (t) => {
    const p = page(t, { html: SEAT });
    const form = p.document.body.querySelector("form");
    const event = p.submit(form);
    assert.ok(event.defaultPrevented, "not posted as the page leaves");
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].url, SCRIPT);
    assert.deepEqual([p.calls[0].init.method, p.calls[0].init.cache], ["HEAD", "no-store"]);
    p.calls[0].reply(200);
    await settle();
    assert.deepEqual(p.posted, [form]);
    assert.equal(p.line(), null, "nothing to say");
  });

  test("the button that sent it (the language's) goes along as a field", async (t) => {
    const p = page(t, { html: '<form method="post" class="lang"></form>' });
    const form = p.document.body.querySelector("form");
    p.submit(form, { name: "language", value: "en", form });
    p.calls[0].reply(200);
    await settle();
    const field = form.querySelector("input");
    assert.deepEqual([field.getAttribute("type") ?? field.type, field.name, field.value], ["hidden", "language", "en"]);
    assert.deepEqual(p.posted, [form]);
  });

  test("without an answer: stays, says it was not saved, and tells the form", async (t) => {
    const p = page(t, { html: SEAT });
    const form = p.document.body.querySelector("form");
    const told = [];
    form.addEventListener("scentiss:form-not-sent", () => told.push(true));
    p.submit(form);
    p.submit(form);  // a second tap while checking: no second request
    assert.equal(p.calls.length, 1);
    p.calls[0].fail();
    await settle();
    assert.deepEqual(p.posted, []);
    assert.equal(p.line().textContent, "not saved");
    assert.equal(p.line().hidden, false);
    assert.deepEqual(told, [], "after the form's own script's timers ...");
    p.tick(0);
    assert.deepEqual(told, [true], "... the form is told");
    p.window.dispatch("online");
    assert.equal(p.line().hidden, true, "the line goes when the network is back");
  });

  test("a server that says nothing for 4 s counts as none", async (t) => {
    const p = page(t, { html: SEAT });
    p.submit(p.document.body.querySelector("form"));
    p.tick(4000);
    await settle();
    assert.ok(p.calls[0].aborted);
    assert.deepEqual(p.posted, []);
    assert.equal(p.line().textContent, "not saved");
  });

  test("a browser that knows it is offline asks nothing; a form's own message is used", async (t) => {
    const p = page(t, { html: '<form method="post" data-offline-message="not joined"></form>', online: false });
    p.submit(p.document.body.querySelector("form"));
    await settle();
    assert.equal(p.calls.length, 0);
    assert.equal(p.line().textContent, "not joined");
  });

  test("forms kept by the page's scripts, htmx's, GET forms and forms a script stopped are left alone", (t) => {
    const p = page(t, {
      html: '<form method="post" data-offline="queue"></form><form method="post" class="note-new"></form>'
        + '<form method="post" hx-post="/x/"></form><form method="get"></form><form method="post" id="stopped"></form>',
    });
    const forms = p.document.body.querySelectorAll("form");
    forms[4].addEventListener("submit", (e) => e.preventDefault());
    for (const form of forms.slice(0, 4)) assert.equal(p.submit(form).defaultPrevented, false);
    p.submit(forms[4]);
    assert.equal(p.calls.length, 0);
  });
});
