// static/js/queue.js, the offline queue's parts: the store that keeps records on the device
// until the server has them, the POST, what a reply's status means and the retry backoff.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FakeStorage, fakeFetch, load } from "./fakes.mjs";

function queue({ storage = new FakeStorage(), fetch = () => assert.fail("no fetch expected"), hxHeaders = '{"X-CSRFToken": "tok"}' } = {}) {
  const document = { body: { getAttribute: (name) => (name === "hx-headers" ? hxHeaders : null) } };
  return load("queue.js", { window: {}, document, localStorage: storage, fetch }).ScentissQueue;
}

describe("store", () => {
  test("keeps each record under prefix + key until it is removed", () => {
    const storage = new FakeStorage();
    const taps = queue({ storage }).store("scentiss.tap.ABC.");
    assert.equal(taps.durable, true);
    taps.put("4", { id: "a", score: "2" });
    taps.put("7", { id: "b", score: "dk" });
    assert.deepEqual(JSON.parse(storage.getItem("scentiss.tap.ABC.4")), { id: "a", score: "2" });
    assert.deepEqual(taps.get("4"), { id: "a", score: "2" });
    taps.remove("4");
    assert.equal(taps.get("4"), null);
    assert.equal(storage.getItem("scentiss.tap.ABC.4"), null);
    assert.deepEqual(taps.all(), [{ id: "b", score: "dk" }]);
  });

  test("the records outlive the page: a reloaded page's store finds them", () => {
    const storage = new FakeStorage();
    queue({ storage }).store("scentiss.note.").put("n1", { id: "n1", text: "water" });
    const reloaded = queue({ storage }).store("scentiss.note.");
    assert.deepEqual(reloaded.get("n1"), { id: "n1", text: "water" });
    assert.deepEqual(reloaded.all(), [{ id: "n1", text: "water" }]);
  });

  test("put replaces the record kept under the same key (the latest tap per statement)", () => {
    const taps = queue().store("t.");
    taps.put("4", { id: "a", score: "2" });
    taps.put("4", { id: "b", score: "5" });
    assert.deepEqual(taps.all(), [{ id: "b", score: "5" }]);
  });

  test("leaves alone what is not its own: other prefixes, its probe, records without an id, unreadable or invalid ones", () => {
    const storage = new FakeStorage();
    storage.setItem("other.4", JSON.stringify({ id: "x" }));
    storage.setItem("t.probe", "1");
    storage.setItem("t.1", "{not json");
    storage.setItem("t.2", JSON.stringify({ who: "me", score: "3" }));
    storage.setItem("t.3", JSON.stringify({ id: "old", who: "someone else" }));
    storage.setItem("t.5", JSON.stringify({ id: "mine", who: "me" }));
    const taps = queue({ storage }).store("t.", (rec) => rec.who === "me");
    assert.deepEqual(taps.all(), [{ id: "mine", who: "me" }]);
    assert.equal(taps.get("1"), null);
    assert.equal(taps.get("3"), null);
    assert.equal(storage.getItem("other.4"), JSON.stringify({ id: "x" }), "untouched");
  });

  test("without storage (private mode, turned off) keeps the records in memory and says it is not durable", () => {
    const storage = new FakeStorage({ blocked: true });
    const taps = queue({ storage }).store("t.");
    assert.equal(taps.durable, false);
    taps.put("4", { id: "a" });
    assert.deepEqual(taps.get("4"), { id: "a" });
    assert.deepEqual(taps.all(), [{ id: "a" }]);
    taps.remove("4");
    assert.deepEqual(taps.all(), []);
  });

  test("a full storage loses nothing: what it cannot take is kept in memory", () => {
    const storage = new FakeStorage();
    const taps = queue({ storage }).store("t.");
    taps.put("1", { id: "a" });
    storage.full = true;
    taps.put("2", { id: "b" });
    assert.deepEqual(taps.get("2"), { id: "b" });
    assert.deepEqual(taps.all().map((r) => r.id).sort(), ["a", "b"]);
    assert.deepEqual(storage.records("t."), [{ id: "a" }]);
  });

  test("a newer record that a full storage cannot take is the one read back, not the older one stored", () => {
    const storage = new FakeStorage();
    const taps = queue({ storage }).store("t.");
    taps.put("4", { id: "a", score: "2" });
    storage.full = true;
    taps.put("4", { id: "b", score: "5" });
    assert.deepEqual(taps.get("4"), { id: "b", score: "5" });
    assert.deepEqual(taps.all(), [{ id: "b", score: "5" }]);
    storage.full = false;
    taps.put("4", { id: "c", score: "1" });
    assert.deepEqual(taps.get("4"), { id: "c", score: "1" });
    assert.deepEqual(storage.records("t."), [{ id: "c", score: "1" }]);
  });
});

describe("verdict", () => {
  test("2xx: the server has it", () => {
    const Q = queue();
    for (const status of [200, 201, 204]) assert.equal(Q.verdict(status), "ok", status);
  });
  test("4xx: refused, sending again cannot change it", () => {
    const Q = queue();
    for (const status of [400, 403, 404, 409, 413, 422]) assert.equal(Q.verdict(status), "refused", status);
  });
  test("timeouts, too many requests, server errors and anything else: try again", () => {
    const Q = queue();
    for (const status of [0, 302, 408, 429, 500, 502, 503, 504]) assert.equal(Q.verdict(status), "retry", status);
  });
});

test("backoff: doubling from half a second, at most five", () => {
  const Q = queue();
  assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map(Q.backoff), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
});

test("uuid4: random version-4 ids (from crypto.getRandomValues: randomUUID needs https)", () => {
  const Q = queue();
  const ids = new Set();
  for (let i = 0; i < 500; i++) {
    const id = Q.uuid4();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 500);
});

test("csrfToken: the page's token from <body hx-headers>, empty when it is missing or garbled", () => {
  assert.equal(queue().csrfToken(), "tok");
  assert.equal(queue({ hxHeaders: null }).csrfToken(), "");
  assert.equal(queue({ hxHeaders: "{garbled" }).csrfToken(), "");
  assert.equal(queue({ hxHeaders: "{}" }).csrfToken(), "");
});

describe("post", () => {
  test("posts the form as htmx would, with the CSRF token, and resolves to the reply", async () => {
    const { fetch, calls } = fakeFetch();
    const Q = queue({ fetch });
    const body = new FormData();
    body.append("client_id", "c1");
    const signal = new AbortController().signal;
    const reply = Q.post("/s/ABC/answer/", body, signal);
    assert.equal(calls.length, 1);
    const { url, init } = calls[0];
    assert.equal(url, "/s/ABC/answer/");
    assert.equal(init.method, "POST");
    assert.equal(init.credentials, "same-origin");
    assert.deepEqual(init.headers, { "X-CSRFToken": "tok", "HX-Request": "true" });
    assert.equal(init.body, body);
    assert.equal(init.signal, signal);
    calls[0].reply(422, "<p>Kies 1 tot 5</p>", { "X-Answered": "3" });
    const res = await reply;
    assert.equal(res.status, 422);
    assert.equal(res.html, "<p>Kies 1 tot 5</p>");
    assert.equal(res.headers.get("X-Answered"), "3");
  });

  test("rejects when the network fails", async () => {
    const { fetch, calls } = fakeFetch();
    const reply = queue({ fetch }).post("/x/", new FormData());
    calls[0].fail();
    await assert.rejects(reply, TypeError);
  });
});
