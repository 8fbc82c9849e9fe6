// static/js/survey.js with queue.js, the phone's taps: each tap is kept on the phone until the
// server has acknowledged it, goes over the phone's websocket when it is open and by the answer
// POST when it is not (or stays silent), is retried with a capped backoff, and is never lost or
// sent again once acknowledged. The page's markup is left out (no statement forms: the display
// is the browser tests' business); what the tests watch is the storage and the requests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FakeStorage, fakeFetch, fakeWebSockets, load, settle } from "./fakes.mjs";

const PREFIX = "scentiss.tap.ABC.";

// The survey page of participant `who`, its scripts loaded; phone: window.scentissPhone (the
// phone's socket, follow.js) or none. Returns tap(statement, score), the requests (fetch's
// calls), the messages the socket was given and the page's document for its events.
const clocked = new WeakSet();
// socket: the real phone socket instead (live.js and follow.js over a fake WebSocket class).
// A statement's form as far as survey.js shows on it: its classes and its status line.
function fakeForm(statement) {
  const classes = new Set(["statement"]);
  const status = {
    textContent: "", cls: null,
    appendChild(span) { this.cls = span.className; this.textContent = span.textContent; },
  };
  Object.defineProperty(status, "text", { get() { return this.textContent; } });
  return {
    dataset: { statement: String(statement) },
    classList: { add: (c) => classes.add(c), remove: (...cs) => cs.forEach((c) => classes.delete(c)), contains: (c) => classes.has(c) },
    classes,
    status,
    querySelector: (selector) => (selector === ".status" ? status : null),
  };
}

// forms: the statements whose forms the page shows (their status lines can be read).
function surveyPage(t, { storage = new FakeStorage(), who = "p1", phone = null, online = true, socket = false, forms = [] } = {}) {
  if (!clocked.has(t)) {  // one fake clock for the test's pages
    t.mock.timers.enable({ apis: ["setTimeout"] });
    clocked.add(t);
  }
  const { fetch, calls } = fakeFetch();
  const listeners = {};
  const shown = Object.fromEntries(forms.map((s) => [String(s), fakeForm(s)]));
  const root = {
    dataset: {
      code: "ABC", who, answerUrl: "/s/ABC/answer/", progressText: "{answered}/{total}",
      saving: "saving", saved: "saved", retrying: "retrying", offline: "offline", unsent: "unsent",
    },
    // No statement forms unless asked for: nothing to show.
    querySelector: (selector) => {
      const m = /data-statement="([0-9]+)"/.exec(selector);
      return (m && shown[m[1]]) || null;
    },
    querySelectorAll: () => [],
    addEventListener: (type, fn) => { listeners[type] = fn; },
  };
  const document = new EventTarget();
  Object.assign(document, {
    body: {
      getAttribute: () => '{"X-CSRFToken": "tok"}',
      dataset: { followWs: "/ws/s/ABC/phone/", phase: "survey", revealed: "false" },
    },
    querySelector: (selector) => (selector === ".survey" ? root : null),
    getElementById: () => null,
    createElement: () => {
      const tpl = { content: { textContent: "" } };
      Object.defineProperty(tpl, "innerHTML", { set(html) { tpl.content.textContent = html.replace(/<[^>]*>/g, ""); } });
      return tpl;
    },
  });
  const window = new EventTarget();
  window.AbortController = AbortController;
  const sent = [];
  if (phone) {
    window.scentissPhone = { send: (message) => { if (!phone.open) return false; sent.push(message); return true; } };
  }
  const navigator = { onLine: online };
  // In the page's order: live.js (base.html), queue.js and survey.js, follow.js.
  const { WebSocket, sockets } = fakeWebSockets();
  const location = { protocol: "http:", host: "venue.lan", reloads: 0, reload() { this.reloads += 1; } };
  if (socket) load("live.js", { window, WebSocket, location });
  load("queue.js", { window, document, localStorage: storage, fetch });
  load("survey.js", { window, document, navigator, localStorage: storage });
  if (socket) load("follow.js", { window, document, location, ScentissLive: window.ScentissLive });

  function tap(statement, score) {
    const form = { classList: { contains: (c) => c === "statement" }, dataset: { statement: String(statement) } };
    listeners.change({ target: { name: "score", value: String(score), form } });
    return storage.records(PREFIX).find((r) => r.statement === String(statement));
  }
  function phoneSays(name, detail) { document.dispatchEvent(new CustomEvent("scentiss:phone-" + name, { detail })); }
  return { tap, calls, sent, storage, window, document, phoneSays, sockets, location, shown, tick: (ms) => t.mock.timers.tick(ms) };
}

function posted(call) {
  return { id: call.field("client_id"), statement: call.field("statement"), score: call.field("score") };
}
const ACK = { "X-Answered": "1", "X-Total": "46", "X-Results-Version": "9" };

describe("by HTTP (no socket)", () => {
  test("a tap is kept on the phone until the server acknowledges it, then dropped", async (t) => {
    const p = surveyPage(t);
    const rec = p.tap(4, 2);
    assert.equal(rec.who, "p1");
    assert.equal(p.calls.length, 1);
    assert.deepEqual(posted(p.calls[0]), { id: rec.id, statement: "4", score: "2" });
    assert.equal(p.calls[0].url, "/s/ABC/answer/");
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), [rec], "kept while the reply is on its way");
    p.calls[0].reply(200, "", ACK);
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
  });

  test("taps of different statements go at once, in the order they were made", async (t) => {
    const p = surveyPage(t);
    p.tap(1, 5);
    p.tap(2, "dk");
    p.tap(3, 1);
    assert.deepEqual(p.calls.map((c) => [c.field("statement"), c.field("score")]), [["1", "5"], ["2", "dk"], ["3", "1"]]);
  });

  test("one tap per statement on its way: a newer tap waits for the older one's reply, then goes", async (t) => {
    const p = surveyPage(t);
    const first = p.tap(4, 2);
    const second = p.tap(4, 5);
    assert.notEqual(first.id, second.id);
    assert.equal(p.calls.length, 1, "the newer tap waits");
    assert.deepEqual(p.storage.records(PREFIX), [second], "only the latest tap is kept");
    p.calls[0].reply(200, "", ACK);
    await settle();
    assert.equal(p.calls.length, 2);
    assert.deepEqual(posted(p.calls[1]), { id: second.id, statement: "4", score: "5" });
    assert.deepEqual(p.storage.records(PREFIX), [second], "kept until its own reply");
    p.calls[1].reply(200, "", ACK);
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
  });

  test("an acknowledged tap is not sent again (back online, the socket opening)", async (t) => {
    const p = surveyPage(t);
    p.tap(4, 2);
    p.calls[0].reply(200, "", ACK);
    await settle();
    p.window.dispatchEvent(new Event("online"));
    p.phoneSays("open");
    p.tick(60000);
    await settle();
    assert.equal(p.calls.length, 1);
  });

  test("a failed send is retried with the same client id after 0.5, 1, 2, 4, 5, 5 s", async (t) => {
    const p = surveyPage(t);
    const rec = p.tap(4, 2);
    const waits = [];
    for (let i = 0; i < 6; i++) {
      p.calls.at(-1).fail();  // wifi gone
      await settle();
      const before = p.calls.length;
      let waited = 0;
      while (p.calls.length === before) { p.tick(100); waited += 100; }
      waits.push(waited);
    }
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 5000, 5000]);
    assert.deepEqual(new Set(p.calls.map((c) => c.field("client_id"))), new Set([rec.id]));
    assert.deepEqual(p.storage.records(PREFIX), [rec], "kept through every failure");
    p.calls.at(-1).reply(200, "", ACK);
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
    p.tick(60000);
    assert.equal(p.calls.length, 7, "no retry once acknowledged");
  });

  test("server errors, timeouts and too many requests are retried like a network failure", async (t) => {
    for (const status of [500, 502, 503, 408, 429]) {
      const p = surveyPage(t, { storage: new FakeStorage() });
      const rec = p.tap(4, 2);
      p.calls[0].reply(status, "busy");
      await settle();
      assert.deepEqual(p.storage.records(PREFIX), [rec], status);
      p.tick(500);
      assert.equal(p.calls.length, 2, status);
      assert.equal(p.calls[1].field("client_id"), rec.id);
    }
  });

  test("a reply that does not come within 10 s: the request is aborted and retried", async (t) => {
    const p = surveyPage(t);
    const rec = p.tap(4, 2);
    p.tick(10000);
    await settle();
    assert.equal(p.calls[0].aborted, true);
    p.tick(500);
    assert.equal(p.calls.length, 2);
    assert.equal(p.calls[1].field("client_id"), rec.id);
  });

  test("a refusal (4xx) is final: the tap is dropped and not sent again", async (t) => {
    for (const status of [400, 403, 409, 422]) {
      const p = surveyPage(t, { storage: new FakeStorage() });
      p.tap(4, 2);
      p.calls[0].reply(status, "<p>De vragenlijst is gesloten.</p>");
      await settle();
      assert.deepEqual(p.storage.records(PREFIX), [], status);
      p.tick(60000);
      assert.equal(p.calls.length, 1, status);
    }
  });

  test("a refused tap with a newer one waiting: the newer one goes", async (t) => {
    const p = surveyPage(t);
    p.tap(4, 2);
    const newer = p.tap(4, 3);
    p.calls[0].reply(422, "nee");
    await settle();
    assert.equal(p.calls.length, 2);
    assert.equal(p.calls[1].field("client_id"), newer.id);
  });

  test("with the phone's storage full, a newer tap of a statement is still the one that goes last", async (t) => {
    const p = surveyPage(t);
    p.tap(4, 2);
    p.storage.full = true;
    const tapsBefore = p.calls.length;
    p.tap(4, 5);  // kept in memory only
    assert.equal(p.calls.length, tapsBefore, "waits for the older tap's reply");
    p.calls[0].reply(200, "", ACK);
    await settle();
    assert.equal(p.calls.length, 2, "the newer tap goes after the older one's reply");
    assert.equal(p.calls[1].field("score"), "5");
    p.calls[1].reply(200, "", ACK);
    await settle();
    p.tick(60000);
    assert.equal(p.calls.length, 2);
  });
});

describe("across a reload", () => {
  test("a tap not yet acknowledged is sent again, with its client id, when the survey opens again", async (t) => {
    const storage = new FakeStorage();
    const before = surveyPage(t, { storage });
    const rec = before.tap(4, 2);
    before.calls[0].fail();
    await settle();
    // The tab is closed before the retry; the phone opens the survey again.
    const after = surveyPage(t, { storage });
    assert.equal(after.calls.length, 1);
    assert.deepEqual(posted(after.calls[0]), { id: rec.id, statement: "4", score: "2" });
    after.calls[0].reply(200, "", ACK);
    await settle();
    assert.deepEqual(storage.records(PREFIX), []);
    const again = surveyPage(t, { storage });
    assert.equal(again.calls.length, 0, "an acknowledged tap is not sent after the next reload");
  });

  test("taps kept for another participant on this phone are left alone", async (t) => {
    const storage = new FakeStorage();
    const other = surveyPage(t, { storage, who: "p2" });
    other.tap(4, 2);
    other.calls[0].fail();
    await settle();
    const mine = surveyPage(t, { storage, who: "p1" });
    assert.equal(mine.calls.length, 0);
    assert.equal(storage.records(PREFIX).length, 1);
  });
});

describe("over the phone's socket", () => {
  test("an open socket carries the tap; its ack drops it and no POST follows", async (t) => {
    const phone = { open: true };
    const p = surveyPage(t, { phone });
    const rec = p.tap(4, 2);
    assert.deepEqual(p.sent, [{ type: "answer", id: rec.id, statement: 4, score: "2" }]);
    assert.equal(p.calls.length, 0);
    p.phoneSays("message", { type: "ack", id: rec.id, answered: 1, total: 46, version: 9 });
    assert.deepEqual(p.storage.records(PREFIX), []);
    p.phoneSays("message", { type: "ack", id: rec.id, answered: 1, total: 46, version: 9 });  // twice: harmless
    p.phoneSays("close");
    p.tick(60000);
    await settle();
    assert.equal(p.calls.length, 0);
    assert.equal(p.sent.length, 1);
  });

  test("an ack for another tap's id changes nothing", async (t) => {
    const p = surveyPage(t, { phone: { open: true } });
    const rec = p.tap(4, 2);
    p.phoneSays("message", { type: "ack", id: "someone-elses", answered: 1, total: 46, version: 9 });
    assert.deepEqual(p.storage.records(PREFIX), [rec]);
  });

  test("a socket that is not open: the tap goes by POST at once", async (t) => {
    const p = surveyPage(t, { phone: { open: false } });
    const rec = p.tap(4, 2);
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].field("client_id"), rec.id);
  });

  test("a silent socket (no ack in 4 s): the same tap goes by POST", async (t) => {
    const p = surveyPage(t, { phone: { open: true } });
    const rec = p.tap(4, 2);
    p.tick(3999);
    assert.equal(p.calls.length, 0);
    p.tick(1);
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].field("client_id"), rec.id);
    // The socket's late ack is not the reply the tap now waits for; the POST's is.
    p.phoneSays("message", { type: "ack", id: rec.id, answered: 1, total: 46, version: 9 });
    assert.deepEqual(p.storage.records(PREFIX), [rec]);
    p.calls[0].reply(200, "", ACK);
    await settle();
    assert.deepEqual(p.storage.records(PREFIX), []);
  });

  test("the socket closing with a tap on it: the tap goes by POST", async (t) => {
    const p = surveyPage(t, { phone: { open: true } });
    const rec = p.tap(4, 2);
    p.phoneSays("close");
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].field("client_id"), rec.id);
  });

  test("a refusal over the socket is final; a server error over the socket is retried", async (t) => {
    const refused = surveyPage(t, { storage: new FakeStorage(), phone: { open: true } });
    const a = refused.tap(4, 2);
    refused.phoneSays("message", { type: "refused", id: a.id, status: 409, message: "gesloten" });
    assert.deepEqual(refused.storage.records(PREFIX), []);
    refused.tick(60000);
    assert.equal(refused.sent.length + refused.calls.length, 1);

    const failed = surveyPage(t, { storage: new FakeStorage(), phone: { open: true } });
    const b = failed.tap(4, 2);
    failed.phoneSays("message", { type: "refused", id: b.id, status: 503, message: "later" });
    assert.deepEqual(failed.storage.records(PREFIX), [b]);
    failed.tick(500);
    assert.deepEqual(failed.sent.map((m) => m.id), [b.id, b.id]);
  });

  test("taps kept while offline go when the socket opens", async (t) => {
    const phone = { open: false };
    const storage = new FakeStorage();
    const p = surveyPage(t, { storage, phone });
    const rec = p.tap(4, 2);
    p.calls[0].fail();
    await settle();
    phone.open = true;
    p.phoneSays("open");
    assert.deepEqual(p.sent, [{ type: "answer", id: rec.id, statement: 4, score: "2" }]);
    // ... and only once: the retry timer that was waiting finds it on its way.
    p.tick(500);
    assert.equal(p.sent.length + p.calls.length, 2);
  });
});

describe("offline: kept on the phone, and said so", () => {
  test("a tap that cannot go says it is kept on the phone, on every retry (never 'trying again' in between)", async (t) => {
    const p = surveyPage(t, { forms: [4] });
    p.tap(4, 2);
    const form = p.shown["4"];
    assert.equal(form.status.text, "saving");
    p.calls[0].fail();
    await settle();
    assert.deepEqual([form.status.cls, form.status.text], ["muted", "offline"]);
    assert.ok(form.classes.has("unsent"));
    p.tick(500);  // the retry goes ...
    assert.equal(p.calls.length, 2);
    assert.equal(form.status.text, "offline", "... and the line still says the tap is kept");
    p.calls[1].reply(500, "");  // a server error: still kept on the phone
    await settle();
    assert.equal(form.status.text, "offline");
    p.tick(1000);
    p.calls[2].reply(200, "", ACK);
    await settle();
    assert.deepEqual([form.status.cls, form.status.text], ["ok", "✓ saved"]);
  });

  test("a tap that could not be kept (no storage) says it is not saved yet", async (t) => {
    const p = surveyPage(t, { storage: new FakeStorage({ blocked: true }), forms: [4] });
    p.tap(4, 2);
    p.calls[0].fail();
    await settle();
    assert.deepEqual([p.shown["4"].status.cls, p.shown["4"].status.text], ["bad", "retrying"]);
    p.tick(500);
    assert.deepEqual([p.shown["4"].status.cls, p.shown["4"].status.text], ["bad", "retrying"]);
  });

  test("acknowledged taps are remembered for the kept copies of the pages, by HTTP and by the socket", async (t) => {
    const phone = { open: false };
    const storage = new FakeStorage();
    const p = surveyPage(t, { storage, phone });
    p.tap(4, 2);
    p.calls[0].reply(200, "", ACK);
    await settle();
    phone.open = true;
    const b = p.tap(5, "dk");
    p.phoneSays("message", { type: "ack", id: b.id, answered: 2, total: 46, version: 3 });
    assert.deepEqual(JSON.parse(storage.getItem("scentiss.known.ABC")), { who: "p1", answers: { 4: "2", 5: "dk" } });
    // Another participant on this phone (joined again) does not inherit them.
    const other = surveyPage(t, { storage, who: "p2" });
    other.tap(6, 1);
    other.calls[0].reply(200, "", ACK);
    await settle();
    assert.deepEqual(JSON.parse(storage.getItem("scentiss.known.ABC")), { who: "p2", answers: { 6: "1" } });
  });

  test("the answers a kept copy shows are taken only where the phone knows none (the copy may be older)", async (t) => {
    const storage = new FakeStorage();
    const p = surveyPage(t, { storage });
    p.tap(4, 5);
    p.calls[0].reply(200, "", ACK);
    await settle();
    p.document.dispatchEvent(new CustomEvent("scentiss:pages-kept", { detail: { answers: { 4: "1", 7: "3", 8: "9" } } }));
    assert.deepEqual(JSON.parse(storage.getItem("scentiss.known.ABC")).answers, { 4: "5", 7: "3" });
  });
});

describe("with the phone's real socket (live.js, follow.js)", () => {
  const SNAPSHOT = { phase: "survey", revealed: false, version: 1 };
  const ackFor = (rec) => ({ type: "ack", id: rec.id, answered: 1, total: 46, version: 2 });

  test("the connection's first message (the state) changes nothing; a tap then goes over the socket and its ack drops it", (t) => {
    const p = surveyPage(t, { socket: true });
    assert.equal(p.sockets[0].url, "ws://venue.lan/ws/s/ABC/phone/");
    p.sockets[0].open();
    p.sockets[0].message(SNAPSHOT);
    assert.equal(p.location.reloads, 0);
    const rec = p.tap(4, 2);
    assert.deepEqual(p.sockets[0].sent.map((m) => JSON.parse(m)), [{ type: "answer", id: rec.id, statement: 4, score: "2" }]);
    p.sockets[0].message(ackFor(rec));
    assert.deepEqual(p.storage.records(PREFIX), []);
    p.tick(60000);
    assert.equal(p.calls.length, 0);
  });

  test("a tap made before the socket opens goes by POST", (t) => {
    const p = surveyPage(t, { socket: true });
    const rec = p.tap(4, 2);
    assert.equal(p.calls.length, 1);
    assert.equal(p.calls[0].field("client_id"), rec.id);
  });

  test("the socket lost with a tap on it: the tap goes by POST; what waits goes over the socket once it is back", async (t) => {
    t.mock.method(Math, "random", () => 0);  // the socket is back after 250 ms, before the taps' retry (500 ms)
    const p = surveyPage(t, { socket: true });
    p.sockets[0].open();
    const a = p.tap(4, 2);
    p.sockets[0].close(1006);
    assert.deepEqual(p.calls.map((c) => c.field("client_id")), [a.id]);
    p.calls[0].fail();  // the wifi is gone too
    await settle();
    const b = p.tap(5, 3);  // made while the socket is down: by POST, which fails too
    p.calls[1].fail();
    await settle();
    p.tick(250);
    assert.equal(p.sockets.length, 2);
    p.sockets[1].open();
    p.sockets[1].message(SNAPSHOT);
    assert.deepEqual(p.sockets[1].sent.map((m) => JSON.parse(m).id).sort(), [a.id, b.id].sort());
    p.sockets[1].message(ackFor(a));
    p.sockets[1].message(ackFor(b));
    assert.deepEqual(p.storage.records(PREFIX), []);
    p.tick(60000);
    assert.equal(p.calls.length, 2, "nothing sent by POST again: the retries that waited were called off");
    assert.equal(p.sockets[1].sent.length, 2);
  });

  test("a state with another phase loads the page that fits it, once; the reveal counts only after the survey", (t) => {
    const p = surveyPage(t, { socket: true });
    p.sockets[0].open();
    p.sockets[0].message({ phase: "survey", revealed: true, version: 1 });
    assert.equal(p.location.reloads, 0);
    p.sockets[0].message({ phase: "discussion", revealed: false, version: 1 });
    assert.equal(p.location.reloads, 1);
    assert.equal(p.window.scentissFollowing, true, "no leave prompt for this reload");
  });

  test("a socket the server does not allow (4403) is not tried again; taps go by POST", (t) => {
    const p = surveyPage(t, { socket: true });
    p.sockets[0].close(4403);
    p.tick(60000);
    assert.equal(p.sockets.length, 1);
    const rec = p.tap(4, 2);
    assert.equal(p.calls[0].field("client_id"), rec.id);
  });
});
