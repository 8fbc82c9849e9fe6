// static/js/live.js, the one websocket client of the live pages: connect, reconnect with a
// capped, jittered backoff, resync on every connect, stop on 4403.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { fakeWebSockets, load } from "./fakes.mjs";

// A page with live.js loaded; events lists what the callbacks were told, in order.
function page(t, { protocol = "http:", random = 0.5 } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  t.mock.method(Math, "random", () => random);
  const { WebSocket, sockets } = fakeWebSockets();
  const window = load("live.js", { window: {}, WebSocket, location: { protocol, host: "venue.lan:8000" } });
  const events = [];
  function connect(options = {}) {
    return window.ScentissLive.connect({
      path: "/ws/s/ABC/",
      onMessage: (data) => events.push(["message", data]),
      onOpen: (reconnected) => events.push(["open", reconnected]),
      onClose: () => events.push(["close"]),
      onStatus: (state) => events.push(["status", state]),
      ...options,
    });
  }
  return { connect, sockets, events, WebSocket, tick: (ms) => t.mock.timers.tick(ms) };
}

describe("connecting", () => {
  test("opens the page's path on the page's host, ws:// under http", (t) => {
    const p = page(t);
    p.connect();
    assert.equal(p.sockets.length, 1);
    assert.equal(p.sockets[0].url, "ws://venue.lan:8000/ws/s/ABC/");
  });

  test("wss:// under https", (t) => {
    const p = page(t, { protocol: "https:" });
    p.connect();
    assert.equal(p.sockets[0].url, "wss://venue.lan:8000/ws/s/ABC/");
  });

  test("says live and onOpen(false) on the first open", (t) => {
    const p = page(t);
    p.connect();
    p.sockets[0].open();
    assert.deepEqual(p.events, [["status", "live"], ["open", false]]);
  });

  test("parses each message as JSON and passes them on in the order they come", (t) => {
    const p = page(t);
    p.connect();
    p.sockets[0].open();
    p.sockets[0].message({ version: 1, elements: [] });
    p.sockets[0].message({ type: "ack", id: "a" });
    assert.deepEqual(p.events.slice(2), [["message", { version: 1, elements: [] }], ["message", { type: "ack", id: "a" }]]);
  });

  test("raw: passes the message's text unparsed", (t) => {
    const raw = page(t);
    const seen = [];
    raw.connect({ raw: true, onMessage: (data) => seen.push(data) });
    raw.sockets[0].open();
    raw.sockets[0].message('{"version": 2}');
    assert.deepEqual(seen, ['{"version": 2}']);
  });
});

describe("reconnecting", () => {
  test("after a close: says reconnecting, waits, opens the same path again and says onOpen(true)", (t) => {
    const p = page(t);
    p.connect();
    p.sockets[0].open();
    p.sockets[0].close(1006);
    assert.deepEqual(p.events.slice(2), [["close"], ["status", "reconnecting"]]);
    assert.equal(p.sockets.length, 1, "not at once");
    p.tick(500);
    assert.equal(p.sockets.length, 2);
    assert.equal(p.sockets[1].url, p.sockets[0].url);
    p.sockets[1].open();
    assert.deepEqual(p.events.slice(4), [["status", "live"], ["open", true]]);
  });

  test("every connection's first message (the server's snapshot) reaches the page again", (t) => {
    const p = page(t);
    p.connect();
    p.sockets[0].open();
    p.sockets[0].message({ version: 3 });
    p.sockets[0].message({ version: 4 });
    p.sockets[0].close();
    p.tick(500);
    p.sockets[1].open();
    p.sockets[1].message({ version: 7 });
    p.sockets[1].message({ version: 8 });
    const seen = p.events.filter(([kind]) => kind !== "status").map(([kind, data]) => (kind === "message" ? data.version : kind));
    assert.deepEqual(seen, ["open", 3, 4, "close", "open", 7, 8]);
  });

  test("the delay doubles from minDelay up to maxDelay while the server stays away", (t) => {
    // Math.random() near 1: each wait is (almost) the full delay.
    const p = page(t, { random: 0.999999 });
    p.connect();
    const waits = [];
    for (let i = 0; i < 5; i++) {
      p.sockets.at(-1).close();
      const before = p.sockets.length;
      let waited = 0;
      while (p.sockets.length === before) { p.tick(10); waited += 10; }
      waits.push(waited);
    }
    assert.deepEqual(waits, [500, 1000, 2000, 3000, 3000]);
  });

  test("options set the first and the longest delay", (t) => {
    const p = page(t, { random: 0.999999 });
    p.connect({ minDelay: 1000, maxDelay: 30000 });
    const waits = [];
    for (let i = 0; i < 7; i++) {
      p.sockets.at(-1).close();
      const before = p.sockets.length;
      let waited = 0;
      while (p.sockets.length === before) { p.tick(100); waited += 100; }
      waits.push(waited);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  test("jitter: each wait is between half and all of the delay", (t) => {
    const low = page(t, { random: 0 });
    low.connect();
    low.sockets[0].close();
    low.tick(249);
    assert.equal(low.sockets.length, 1);
    low.tick(1);
    assert.equal(low.sockets.length, 2, "half of 500 ms with Math.random() = 0");
  });

  test("a connection that opened starts the backoff again from minDelay", (t) => {
    const p = page(t, { random: 0.999999 });
    p.connect();
    for (let i = 0; i < 3; i++) { p.sockets.at(-1).close(); p.tick(3000); }
    assert.equal(p.sockets.length, 4);
    p.sockets[3].open();
    p.sockets[3].close();
    p.tick(499);
    assert.equal(p.sockets.length, 4);
    p.tick(1);
    assert.equal(p.sockets.length, 5);
  });

  test("a socket the browser refuses to make (new WebSocket throws) is tried again later", (t) => {
    const p = page(t);
    p.WebSocket.refuse = "SecurityError";
    p.connect();
    assert.deepEqual(p.events, [["status", "reconnecting"]]);
    p.WebSocket.refuse = null;
    p.tick(500);
    assert.equal(p.sockets.length, 1);
    p.sockets[0].open();
    assert.deepEqual(p.events.slice(1), [["status", "live"], ["open", false]]);
  });
});

describe("giving up", () => {
  test("close code 4403 (not allowed) says forbidden and ends the retries", (t) => {
    const p = page(t);
    p.connect();
    p.sockets[0].open();
    p.sockets[0].close(4403);
    assert.deepEqual(p.events.slice(2), [["close"], ["status", "forbidden"]]);
    p.tick(60 * 60 * 1000);
    assert.equal(p.sockets.length, 1);
  });

  test("any other close code, the server's too, is retried", (t) => {
    const p = page(t);
    p.connect();
    for (const code of [1000, 1001, 1006, 1011, 4000, 4429]) {
      p.sockets.at(-1).close(code);
      p.tick(3000);
    }
    assert.equal(p.sockets.length, 7);
  });
});

describe("sending", () => {
  let p;
  let live;
  beforeEach((t) => {
    p = page(t);
    live = p.connect();
  });

  test("returns false while the socket is not yet open, so the caller takes another way", () => {
    assert.equal(live.isOpen(), false);
    assert.equal(live.send({ type: "answer" }), false);
  });

  test("sends JSON once open", () => {
    p.sockets[0].open();
    assert.equal(live.isOpen(), true);
    assert.equal(live.send({ type: "answer", id: "x", statement: 4, score: "dk" }), true);
    assert.deepEqual(p.sockets[0].sent.map((s) => JSON.parse(s)), [{ type: "answer", id: "x", statement: 4, score: "dk" }]);
  });

  test("returns false after a close and until the next socket is open, then sends on the new one", () => {
    p.sockets[0].open();
    p.sockets[0].close();
    assert.equal(live.isOpen(), false);
    assert.equal(live.send({ n: 1 }), false);
    p.tick(500);
    assert.equal(live.send({ n: 2 }), false, "connecting");
    p.sockets[1].open();
    assert.equal(live.send({ n: 3 }), true);
    assert.deepEqual(p.sockets[0].sent, []);
    assert.deepEqual(p.sockets[1].sent, ['{"n":3}']);
  });

  test("returns false when the socket's send throws", () => {
    p.sockets[0].open();
    p.sockets[0].send = () => { throw new Error("InvalidStateError"); };
    assert.equal(live.send({ n: 1 }), false);
  });
});
