// static/js/notes.js with queue.js: the table chair's notes are kept on the tablet (by client
// id) until the server has acknowledged them, retried with a capped backoff, resent when the
// page opens again, and marked when refused; the organiser's note counts follow a websocket
// and poll while it is down.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Document, Window } from "./dom.mjs";
import { FakeStorage, fakeFetch, load, settle } from "./fakes.mjs";

const PREFIX = "scentiss.note.";
const TEXTS = {
  "t-unsent": "not sent yet", "t-sending": "sending", "t-retrying": "retrying", "t-all-sent": "All notes sent",
  "t-unsent-one": "1 note not sent yet", "t-unsent-many": "{n} notes not sent yet", "t-refused": "not stored",
  "t-blocked": "link refused", "t-reload": "page expired", "t-dismiss": "Remove", "t-offline": "offline",
  "t-leave": "leave?", "t-obs-unsent-one": "1 observation kept", "t-obs-unsent-many": "{n} observations kept",
  "t-obs-saved": "Observation saved.",
};
const OBS = "scentiss.observation.";

// The server's partial for a stored observation (notes/_observation.html, shortened).
function observationPartial(clientId, text) {
  return `<li class="observation obs-theme" data-client-id="${clientId}"><p class="obs-text">${text}</p></li>`;
}

// The server's partial for a stored note (notes/_note.html, shortened).
function notePartial(id, clientId, text) {
  return `<li class="note note-plus" id="note-${id}" data-client-id="${clientId}"><p class="note-text">${text}</p><p class="note-meta"><span class="author">chair</span></p></li>`;
}

// The chair's page of table 2 (one element, one participant's + list and the table's list),
// with `notes` (server partials) already in the participant's list.
function chairHtml({ notes = "", table = "2", observations = "" } = {}) {
  const texts = Object.entries(TEXTS).map(([k, v]) => `data-${k}="${v}"`).join(" ");
  return `<div class="chair" id="chair" data-code="ABC" data-table="${table}" data-create-url="/s/ABC/chair/key/notes/" ${texts}>
    <p class="sync" id="sync-status"></p>
    <div id="chair-alert"></div>
    <a role="tab" class="tab" id="tab-water" data-element="water" aria-controls="panel-water"><span class="tab-count"></span></a>
    <ul class="notes unplaced" id="unplaced-notes" data-list="" hidden></ul>
    <section class="panel" id="panel-water" data-element="water">
      <div class="board"><div class="board-row" data-participant="7"><ul class="notes" data-list="3:plus:7">${notes}</ul></div></div>
      <div class="board table-board"><ul class="notes" data-list="3:agree:"></ul></div>
    </section>
    <form class="observation-form" method="post" action="/s/ABC/chair/key/observations/"></form>
    <p class="sync" id="observation-status"></p>
    <ul class="observations" id="chair-observation-list">${observations}</ul>
  </div>`;
}

const clocked = new WeakSet();
function clock(t) {
  if (!clocked.has(t)) {
    t.mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
    clocked.add(t);
  }
}

// The page, its scripts loaded: type(text, {kind, participant, quote}) submits a note.
function chairPage(t, { storage = new FakeStorage(), notes = "", table = "2", observations = "" } = {}) {
  clock(t);
  const document = new Document(chairHtml({ notes, table, observations }));
  const window = new Window();
  const { fetch, calls } = fakeFetch();
  const processed = [];
  const env = {
    window, document, fetch, localStorage: storage,
    htmx: { process: (el) => processed.push(el), trigger: () => {} },
    history: { replaceState: () => {} },
    MutationObserver: class { observe() {} },
    requestAnimationFrame: (fn) => setTimeout(fn, 16),
    ScentissLive: { connect: () => assert.fail("the test page has no websocket") },
  };
  document.body.setAttribute("hx-headers", '{"X-CSRFToken": "tok"}');
  load("queue.js", env);
  load("notes.js", env);
  const root = document.getElementById("chair");

  function type(text, { kind = "plus", participant = "7", quote = false } = {}) {
    const form = document.createElement("form");
    form.className = "note-new";
    form.elements = {
      text: { value: text, style: {}, scrollHeight: 20 },
      element: { value: "3" },
      kind: { value: kind },
      participant: { value: participant },
      is_quote: { checked: quote },
    };
    root.appendChild(form);
    form.dispatch("submit");
    form.remove();
    return storage.records(PREFIX).at(-1);
  }
  // observe(text, {kind, element}): the chair saves an observation.
  function observe(text, { kind = "theme", element = "3" } = {}) {
    const form = root.querySelector("form.observation-form");
    const radio = { checked: true, value: kind, closest: () => ({ textContent: " Theme " }) };
    form.elements = {
      text: { value: text },
      kind: { length: 1, 0: radio, value: kind },
      element: { value: element, selectedIndex: 0, options: [{ value: element, textContent: element ? " Water " : "" }] },
    };
    form.dispatch("submit");
    return storage.records(OBS).at(-1);
  }
  const obsStatus = () => document.getElementById("observation-status").textContent;
  const item = (clientId) => root.querySelector(`li[data-client-id="${clientId}"]`);
  const syncStatus = () => document.getElementById("sync-status").textContent;
  const stateOf = (clientId) => item(clientId).querySelector(".state")?.textContent;
  return { type, observe, obsStatus, calls, storage, document, window, root, item, syncStatus, stateOf, processed, tick: (ms) => t.mock.timers.tick(ms) };
}

describe("sending a note", () => {
  test("kept on the tablet and shown as pending until the server has it; then the server's note takes its place", async (t) => {
    const p = chairPage(t);
    const rec = p.type("Water is scarce", { quote: true });
    assert.deepEqual(
      { code: rec.code, table: rec.table, element: rec.element, kind: rec.kind, participant: rec.participant, text: rec.text, quote: rec.quote, state: rec.state },
      { code: "ABC", table: "2", element: "3", kind: "plus", participant: "7", text: "Water is scarce", quote: true, state: "pending" },
    );
    assert.equal(p.calls.length, 1);
    const c = p.calls[0];
    assert.equal(c.url, "/s/ABC/chair/key/notes/");
    assert.deepEqual(Object.fromEntries(c.body), {
      client_id: rec.id, element: "3", kind: "plus", participant: "7", text: "Water is scarce", is_quote: "on",
    });
    const pending = p.item(rec.id);
    assert.ok(pending.classList.contains("pending"));
    assert.equal(pending.parentNode.dataset.list, "3:plus:7");
    assert.equal(p.stateOf(rec.id), "sending");
    assert.equal(p.syncStatus(), "1 note not sent yet");

    c.reply(201, notePartial(12, rec.id, "Water is scarce"));
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
    const stored = p.item(rec.id);
    assert.equal(stored.id, "note-12");
    assert.ok(!stored.classList.contains("pending"));
    assert.deepEqual(p.processed, [stored], "htmx wires the server's note (edit, delete)");
    assert.equal(p.syncStatus(), "✓ All notes sent");
  });

  test("notes typed one after another go at once, each with its own client id, in the order typed", async (t) => {
    const p = chairPage(t);
    const a = p.type("one");
    const b = p.type("two", { kind: "agree", participant: "" });
    assert.notEqual(a.id, b.id);
    assert.deepEqual(p.calls.map((c) => [c.field("client_id"), c.field("text")]), [[a.id, "one"], [b.id, "two"]]);
    assert.equal(p.calls[1].field("participant"), null);
    assert.equal(p.item(b.id).parentNode.dataset.list, "3:agree:");
    assert.equal(p.syncStatus(), "2 notes not sent yet");
    p.calls[1].reply(201, notePartial(2, b.id, "two"));
    await settle();
    assert.deepEqual(p.storage.records(PREFIX).map((r) => r.id), [a.id], "each is dropped on its own acknowledgement");
    assert.equal(p.syncStatus(), "1 note not sent yet");
  });

  test("an empty note is not sent", (t) => {
    const p = chairPage(t);
    assert.equal(p.type("  \n "), undefined);
    assert.equal(p.calls.length, 0);
  });

  test("a failed send is retried with the same client id after 0.5, 1, 2, 4, 5 s, and not after the acknowledgement", async (t) => {
    const p = chairPage(t);
    const rec = p.type("retry me");
    const waits = [];
    for (let i = 0; i < 5; i++) {
      p.calls.at(-1).fail();
      await settle();
      assert.equal(p.stateOf(rec.id), "retrying");
      const before = p.calls.length;
      let waited = 0;
      while (p.calls.length === before) { p.tick(100); waited += 100; }
      waits.push(waited);
    }
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 5000]);
    assert.deepEqual(new Set(p.calls.map((c) => c.field("client_id"))), new Set([rec.id]));
    assert.equal(p.storage.records(PREFIX).length, 1, "kept through every failure");
    p.calls.at(-1).reply(201, notePartial(5, rec.id, "retry me"));
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
    p.tick(60000);
    p.window.dispatch("online");
    assert.equal(p.calls.length, 6);
  });

  test("server errors, timeouts and too many requests are retried", async (t) => {
    for (const status of [500, 502, 503, 408, 429]) {
      const p = chairPage(t);
      const rec = p.type("x");
      p.calls[0].reply(status, "busy");
      await settle();
      p.tick(500);
      assert.equal(p.calls.length, 2, status);
      assert.equal(p.calls[1].field("client_id"), rec.id, status);
    }
  });

  test("back online: the unsent notes go at once, and once", async (t) => {
    const p = chairPage(t);
    const rec = p.type("offline note");
    p.calls[0].fail();
    await settle();
    p.window.dispatch("online");
    assert.equal(p.calls.length, 2);
    assert.equal(p.calls[1].field("client_id"), rec.id);
    p.window.dispatch("online");  // while it is on its way
    p.calls[1].reply(201, notePartial(3, rec.id, "offline note"));
    await settle();
    p.tick(60000);  // the retry that was waiting does not send it again
    assert.equal(p.calls.length, 2);
  });

  test("a note the page got meanwhile (a row fetched with it): the acknowledgement does not show it twice", async (t) => {
    const p = chairPage(t);
    const rec = p.type("both ways");
    const list = p.root.querySelector('ul[data-list="3:plus:7"]');
    const tpl = p.document.createElement("template");
    tpl.innerHTML = notePartial(8, rec.id, "both ways");
    list.appendChild(tpl.content.firstElementChild);
    p.calls[0].reply(201, notePartial(8, rec.id, "both ways"));
    await settle();
    const items = p.root.querySelectorAll(`li[data-client-id="${rec.id}"]`);
    assert.deepEqual(items.map((li) => li.id), ["note-8"]);
    assert.ok(!items[0].classList.contains("pending"));
  });
});

describe("refusals", () => {
  test("a note refused with a reason (4xx) is not retried; it is kept, marked, and removed only by the chair", async (t) => {
    const storage = new FakeStorage();
    const p = chairPage(t, { storage });
    const rec = p.type("x".repeat(3000));
    p.calls[0].reply(400, '<p class="bad">At most 2000 characters.</p>');
    await settle();
    p.tick(60000);
    assert.equal(p.calls.length, 1);
    const [kept] = storage.records(PREFIX);
    assert.equal(kept.state, "rejected");
    assert.equal(kept.message, "At most 2000 characters.");
    const li = p.item(rec.id);
    assert.ok(li.classList.contains("rejected"));
    assert.equal(li.querySelector(".refusal").textContent, " At most 2000 characters.");
    assert.equal(p.syncStatus(), "✓ All notes sent", "a refused note is not waiting to be sent");

    // Still there, not sent, after a reload.
    const again = chairPage(t, { storage });
    assert.equal(again.calls.length, 0);
    assert.ok(again.item(rec.id).classList.contains("rejected"));
    again.item(rec.id).querySelector(".dismiss").dispatch("click");
    assert.deepEqual(storage.records(PREFIX), []);
    assert.equal(again.item(rec.id), null);
  });

  test("the app's 403 (a revoked link): kept, not retried, and sent when the page opens again", async (t) => {
    const storage = new FakeStorage();
    const p = chairPage(t, { storage });
    const rec = p.type("kept for later");
    p.calls[0].reply(403, "<p>This link is no longer valid.</p>", { "X-Notes-Refused": "1" });
    await settle();
    p.tick(60000);
    p.window.dispatch("online");
    assert.equal(p.calls.length, 1);
    assert.equal(storage.records(PREFIX)[0].state, "blocked");
    assert.equal(p.item(rec.id).querySelector(".refusal").textContent, " link refused");

    const reopened = chairPage(t, { storage });
    assert.equal(reopened.calls.length, 1);
    assert.equal(reopened.calls[0].field("client_id"), rec.id);
    assert.equal(storage.records(PREFIX)[0].state, "pending");
  });

  test("a 403 that is not the app's (the CSRF check of an expired page): asks for a reload", async (t) => {
    const p = chairPage(t);
    const rec = p.type("x");
    p.calls[0].reply(403, "<h1>Forbidden</h1>");
    await settle();
    assert.equal(p.item(rec.id).querySelector(".refusal").textContent, " page expired");
    assert.equal(p.storage.records(PREFIX)[0].state, "blocked");
  });
});

describe("across a reload", () => {
  test("an unacknowledged note is shown and sent again with the same client id", async (t) => {
    const storage = new FakeStorage();
    const before = chairPage(t, { storage });
    const rec = before.type("before the reload");
    before.calls[0].fail();
    await settle();
    const after = chairPage(t, { storage });
    assert.equal(after.calls.length, 1);
    assert.equal(after.calls[0].field("client_id"), rec.id);
    assert.ok(after.item(rec.id).classList.contains("pending"));
    after.calls[0].reply(201, notePartial(9, rec.id, "before the reload"));
    await settle();
    assert.deepEqual(storage.records(PREFIX), []);
  });

  test("a note the server stored but whose reply was lost: the page shows it, so it is dropped, not sent again", async (t) => {
    const storage = new FakeStorage();
    const before = chairPage(t, { storage });
    const rec = before.type("stored, reply lost");
    before.calls[0].fail();
    await settle();
    const after = chairPage(t, { storage, notes: notePartial(4, rec.id, "stored, reply lost") });
    assert.equal(after.calls.length, 0);
    assert.deepEqual(storage.records(PREFIX), []);
  });

  test("notes of another table are left alone", async (t) => {
    const storage = new FakeStorage();
    const other = chairPage(t, { storage, table: "5" });
    other.type("table five");
    other.calls[0].fail();
    await settle();
    const mine = chairPage(t, { storage, table: "2" });
    assert.equal(mine.calls.length, 0);
    assert.equal(storage.records(PREFIX).length, 1);
  });

  test("leaving the page asks first only when the unsent notes could not be kept on the tablet", async (t) => {
    const durable = chairPage(t);
    durable.type("kept");
    assert.equal(durable.window.dispatch("beforeunload").defaultPrevented, false);

    const memoryOnly = chairPage(t, { storage: new FakeStorage({ blocked: true }) });
    assert.equal(memoryOnly.window.dispatch("beforeunload").defaultPrevented, false, "nothing unsent yet");
    memoryOnly.type("only in memory");
    const leaving = memoryOnly.window.dispatch("beforeunload");
    assert.equal(leaving.defaultPrevented, true);
    assert.equal(leaving.returnValue, "leave?");
  });
});

describe("the chair's observations", () => {
  test("kept on the tablet and shown as not sent until the server has it, then the server's item takes its place", async (t) => {
    const p = chairPage(t);
    const rec = p.observe("Everyone mentions the port");
    assert.deepEqual(
      { code: rec.code, table: rec.table, kind: rec.kind, kindLabel: rec.kindLabel, element: rec.element, elementName: rec.elementName, text: rec.text, state: rec.state },
      { code: "ABC", table: "2", kind: "theme", kindLabel: "Theme", element: "3", elementName: "Water", text: "Everyone mentions the port", state: "pending" },
    );
    assert.equal(p.calls.length, 1);
    const c = p.calls[0];
    assert.equal(c.url, "/s/ABC/chair/key/observations/");
    assert.equal(c.init.headers["HX-Request"], "true");
    assert.deepEqual(Object.fromEntries(c.body), { client_id: rec.id, kind: "theme", element: "3", text: "Everyone mentions the port" });
    const pending = p.item(rec.id);
    assert.ok(pending.classList.contains("pending"));
    assert.equal(pending.querySelector(".obs-text").textContent, "Everyone mentions the port");
    assert.equal(p.stateOf(rec.id), "sending");
    assert.equal(p.obsStatus(), "1 observation kept");

    c.reply(200, observationPartial(rec.id, "Everyone mentions the port"));
    await settle();
    assert.deepEqual(p.storage.records(OBS), []);
    assert.ok(!p.item(rec.id).classList.contains("pending"));
    assert.equal(p.root.querySelectorAll("li.observation").length, 1);
    assert.equal(p.obsStatus(), "✓ Observation saved.");
  });

  test("without a network: kept, said so, retried with the same client id, sent once it is back", async (t) => {
    const p = chairPage(t);
    const a = p.observe("one");
    const b = p.observe("two", { element: "" });
    assert.notEqual(a.id, b.id);
    p.calls[0].fail();
    p.calls[1].fail();
    await settle();
    assert.equal(p.stateOf(a.id), "not sent yet", "kept on the tablet: it says so, not 'trying again'");
    assert.equal(p.obsStatus(), "2 observations kept");
    p.tick(500);
    assert.deepEqual(p.calls.slice(2).map((c) => c.field("client_id")), [a.id, b.id]);
    assert.equal(p.calls[3].field("element"), "");
    p.calls[2].reply(200, observationPartial(a.id, "one"));
    p.calls[3].reply(200, observationPartial(b.id, "two"));
    await settle();
    assert.deepEqual(p.storage.records(OBS), []);
    p.tick(60000);
    assert.equal(p.calls.length, 4, "nothing is sent again once the server has it");
  });

  test("refused with a reason (4xx): not retried, kept with the reason until the chair removes it", async (t) => {
    const p = chairPage(t);
    const rec = p.observe("x");
    p.calls[0].reply(400, '<p class="refused bad">Write something first</p>');
    await settle();
    assert.equal(p.storage.records(OBS)[0].state, "rejected");
    assert.match(p.item(rec.id).textContent, /Write something first/);
    p.tick(60000);
    assert.equal(p.calls.length, 1);
    assert.equal(p.obsStatus(), "");
    p.item(rec.id).querySelector("button.dismiss").dispatch("click");
    assert.deepEqual(p.storage.records(OBS), []);
    assert.equal(p.item(rec.id), null);
  });

  test("across a reload: one not yet stored is sent again with its client id; one the page shows is dropped", async (t) => {
    const storage = new FakeStorage();
    const first = chairPage(t, { storage });
    const kept = first.observe("kept");
    const stored = first.observe("stored");
    first.calls.forEach((c) => c.fail());
    await settle();
    const other = { ...kept, id: "00000000-0000-4000-8000-000000000000", table: "3" };
    storage.setItem(OBS + other.id, JSON.stringify(other));
    const again = chairPage(t, { storage, observations: observationPartial(stored.id, "stored") });
    assert.deepEqual(again.calls.map((c) => c.field("client_id")), [kept.id]);
    assert.deepEqual(storage.records(OBS).map((r) => r.id).sort(), [kept.id, other.id].sort(), "another table's is left alone");
  });
});

describe("the organiser's note counts", () => {
  // The organiser's page: the counts box, live.js's connect replaced by one the test drives.
  function organiserPage(t) {
    clock(t);
    const document = new Document('<div id="note-counts" data-ws="/ws/s/ABC/notes/"></div>');
    const triggers = [];
    let options = null;
    load("notes.js", {
      window: new Window(), document,
      htmx: { trigger: (el, name) => triggers.push(name), process: () => {} },
      ScentissLive: { connect: (o) => { options = o; } },
    });
    return { options, triggers, tick: (ms) => t.mock.timers.tick(ms) };
  }

  test("follows the socket: every message refetches, at most once per half second", (t) => {
    const p = organiserPage(t);
    assert.equal(p.options.path, "/ws/s/ABC/notes/");
    p.options.onStatus("live");
    p.options.onOpen(false);
    for (let i = 0; i < 20; i++) p.options.onMessage({});
    p.tick(500);
    assert.deepEqual(p.triggers, ["notes-changed"]);
    p.options.onMessage({});
    p.tick(500);
    assert.equal(p.triggers.length, 2);
    p.tick(60000);
    assert.equal(p.triggers.length, 2, "no polling while the socket is live");
  });

  test("polls every 10 s while the socket is down or refused, and stops when it is back", (t) => {
    const p = organiserPage(t);
    p.options.onStatus("reconnecting");
    p.options.onStatus("reconnecting");  // one poll, however often it is told
    p.tick(30000);
    assert.equal(p.triggers.length, 3);
    p.options.onStatus("live");
    p.options.onOpen(true);
    p.tick(500);
    assert.equal(p.triggers.length, 4, "the counts are fetched once on reconnect");
    p.tick(60000);
    assert.equal(p.triggers.length, 4);
    p.options.onStatus("forbidden");
    p.tick(10000);
    assert.equal(p.triggers.length, 5);
  });
});

describe("the chair page's helpers (window.ScentissNotes)", () => {
  const helpers = () => load("notes.js", { window: new Window(), document: new Document("<p></p>") }).ScentissNotes;

  test("a note's list is its element, kind and participant; a table note has no participant", () => {
    const { listKey } = helpers();
    assert.equal(listKey({ element: "3", kind: "plus", participant: "7" }), "3:plus:7");
    assert.equal(listKey({ element: "3", kind: "agree", participant: "" }), "3:agree:");
    assert.equal(listKey({ element: "3", kind: "agree" }), "3:agree:");
  });

  test("the status line counts one and many in the page's words", () => {
    const { countText } = helpers();
    assert.equal(countText(1, "1 note not sent yet", "{n} notes not sent yet"), "1 note not sent yet");
    assert.equal(countText(12, "1 note not sent yet", "{n} notes not sent yet"), "12 notes not sent yet");
  });

  test("only this session's table's records, whether the table is kept as a number or a text", () => {
    const { ofTable } = helpers();
    const records = [
      { id: "a", code: "ABC", table: 2 }, { id: "b", code: "ABC", table: "2" },
      { id: "c", code: "ABC", table: "12" }, { id: "d", code: "XYZ", table: "2" },
    ];
    assert.deepEqual(ofTable(records, "ABC", "2").map((r) => r.id), ["a", "b"]);
  });

  test("the checked radio of one radio or of several, and none when none is checked", () => {
    const { checkedRadio } = helpers();
    const one = { checked: true, value: "theme" };
    assert.equal(checkedRadio(one), one);
    assert.equal(checkedRadio({ checked: false }), null);
    const two = { length: 2, 0: { checked: false, value: "a" }, 1: { checked: true, value: "b" } };
    assert.equal(checkedRadio(two).value, "b");
    assert.equal(checkedRadio({ length: 1, 0: { checked: false } }), null);
    assert.equal(checkedRadio(undefined), null);
  });

  test("the chosen element's name, trimmed; nothing for the empty choice or no select", () => {
    const { chosenText } = helpers();
    const select = (i) => ({ selectedIndex: i, options: [{ value: "", textContent: "—" }, { value: "3", textContent: " Water " }] });
    assert.equal(chosenText(select(1)), "Water");
    assert.equal(chosenText(select(0)), "");
    assert.equal(chosenText(undefined), "");
  });
});

describe("the chair page's status lines", () => {
  test("each tab counts its notes, the pending ones too; a note without its list goes to the unplaced list", async (t) => {
    const p = chairPage(t);
    p.type("one");
    const stray = p.type("two", { participant: "99" });
    const tab = p.document.getElementById("tab-water");
    assert.equal(tab.querySelector(".tab-count").textContent, "1", "the unplaced list is not in the tab's panel");
    const unplaced = p.document.getElementById("unplaced-notes");
    assert.equal(unplaced.hidden, false);
    assert.ok(unplaced.querySelector(`li[data-client-id="${stray.id}"]`));
    assert.equal(p.syncStatus(), "2 notes not sent yet");
  });

  test("the observations' line says saved only once one was stored since the page opened", async (t) => {
    const p = chairPage(t);
    assert.equal(p.obsStatus(), "");
    const rec = p.observe("The port is the town's heart");
    assert.equal(p.obsStatus(), "1 observation kept");
    p.calls[0].reply(201, observationPartial(rec.id, "The port is the town's heart"));
    await settle();
    assert.equal(p.obsStatus(), "✓ Observation saved.");
  });
});
