// static/js/follow.js on the waiting page: beside the phone's socket it asks the server every
// five seconds whether the survey has opened (what htmx's poll did before the phone's pages
// went without htmx), and goes where the answer says, on this site only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { fakeFetch, fakeWebSockets, load, settle } from "./fakes.mjs";

const STATUS = "/s/ABC/survey/status/";

// The waiting page (data-status-url on its card) or another phone page (waiting: false),
// follow.js loaded after live.js over a fake socket.
function phonePage(t, { waiting = true } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { fetch, calls } = fakeFetch();
  const card = { dataset: { statusUrl: STATUS } };
  const document = new EventTarget();
  Object.assign(document, {
    body: { dataset: { followWs: "/ws/s/ABC/phone/", phase: "join", revealed: "false" } },
    querySelector: (selector) => (waiting && selector === "[data-status-url]" ? card : null),
    getElementById: () => null,
  });
  const window = new EventTarget();
  const location = {
    protocol: "http:", host: "venue.lan", reloads: 0, assigned: [],
    reload() { this.reloads += 1; },
    assign(url) { this.assigned.push(url); },
  };
  const { WebSocket, sockets } = fakeWebSockets();
  load("live.js", { window, WebSocket, location });
  load("follow.js", { window, document, location, fetch, ScentissLive: window.ScentissLive });
  return { calls, location, window, sockets, tick: (ms) => t.mock.timers.tick(ms) };
}

describe("the waiting page's poll", () => {
  test("asks every five seconds while the server answers 204, then goes where it says", async (t) => {
    const p = phonePage(t);
    p.tick(4999);
    assert.equal(p.calls.length, 0, "not at once: the page was just drawn");
    p.tick(1);
    assert.deepEqual(p.calls.map((c) => c.url), [STATUS]);
    assert.equal(p.calls[0].init.credentials, "same-origin");
    p.calls[0].reply(204);
    await settle();
    p.tick(5000);
    assert.equal(p.calls.length, 2);
    p.calls[1].reply(200, "", { "HX-Redirect": "/s/ABC/survey/1/" });
    await settle();
    assert.deepEqual(p.location.assigned, ["/s/ABC/survey/1/"]);
    assert.equal(p.window.scentissFollowing, true, "no leave prompt for this move");
    p.tick(60000);
    assert.equal(p.calls.length, 2, "no more asking once it goes");
  });

  test("one request at a time: a slow answer is waited for, and a failed one tried again", async (t) => {
    const p = phonePage(t);
    p.tick(5000);
    p.tick(20000);
    assert.equal(p.calls.length, 1, "the next waits for this answer");
    p.calls[0].fail();  // the wifi is gone
    await settle();
    p.tick(5000);
    assert.equal(p.calls.length, 2);
    p.calls[1].reply(500);
    await settle();
    p.tick(5000);
    assert.equal(p.calls.length, 3);
    assert.deepEqual(p.location.assigned, []);
  });

  test("a phone that must join again is sent to the join page", async (t) => {
    const p = phonePage(t);
    p.tick(5000);
    p.calls[0].reply(200, "", { "HX-Redirect": "/j/ABC/" });
    await settle();
    assert.deepEqual(p.location.assigned, ["/j/ABC/"]);
  });

  test("an answer naming another site is not followed", async (t) => {
    const p = phonePage(t);
    for (const to of ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example/", "javascript:alert(1)"]) {
      p.tick(5000);
      p.calls.at(-1).reply(200, "", { "HX-Redirect": to });
      await settle();
    }
    assert.deepEqual(p.location.assigned, []);
    assert.equal(p.calls.length, 4, "and it keeps asking");
  });

  test("the other phone pages do not poll; they follow their socket", (t) => {
    const p = phonePage(t, { waiting: false });
    p.tick(60000);
    assert.equal(p.calls.length, 0);
    assert.equal(p.sockets[0].url, "ws://venue.lan/ws/s/ABC/phone/");
    p.sockets[0].open();
    p.sockets[0].message({ phase: "survey", revealed: false, version: 1 });
    assert.equal(p.location.reloads, 1, "the survey opened: the page that fits it is loaded");
  });
});
