// What the browser scripts of static/js/ need from a page, faked for Node's test runner
// (`node --test tests/js/`): a loader that runs a script as the page would, with the page's
// globals passed in, a localStorage, a WebSocket class and a fetch the test drives by hand.
// The scripts themselves are not changed for this: they stay plain <script> files.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileFunction } from "node:vm";

// The scripts as written (static/js/), or another folder of the same scripts: SCENTISS_JS names
// the collected, minified copies (tests/test_first_load.py runs these tests on them too).
const JS = process.env.SCENTISS_JS
  ? pathToFileURL(process.env.SCENTISS_JS.replace(/\/?$/, "/"))
  : new URL("../../static/js/", import.meta.url);

// Runs static/js/<name> once, as a <script> would, with env's entries (window, document,
// localStorage, WebSocket, location, fetch, ...) as its globals; anything env does not name
// (setTimeout, Math, JSON, crypto, FormData) is Node's own, so node:test's mock.timers applies.
// The scripts put what they offer on window (window.ScentissQueue, window.ScentissLive).
export function load(name, env) {
  const file = new URL(name, JS);
  const names = Object.keys(env);
  const run = compileFunction(readFileSync(file, "utf8"), names, { filename: fileURLToPath(file) });
  run(...names.map((key) => env[key]));
  return env.window;
}

// window.localStorage as the browser has it. blocked: every write throws (Safari's private
// mode, storage turned off); full: writes throw once `full` is set (QuotaExceededError).
export class FakeStorage {
  constructor({ blocked = false } = {}) {
    this.items = new Map();
    this.blocked = blocked;
    this.full = false;
  }
  get length() { return this.items.size; }
  key(i) { return [...this.items.keys()][i] ?? null; }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) {
    if (this.blocked || this.full) throw new Error("QuotaExceededError");
    this.items.set(key, String(value));
  }
  removeItem(key) { this.items.delete(key); }
  // The records stored under prefix, parsed, in the order they were stored.
  records(prefix) {
    return [...this.items].filter(([k]) => k.startsWith(prefix)).map(([, v]) => JSON.parse(v));
  }
}

// A WebSocket class whose sockets the test opens, feeds and closes; sockets lists every
// socket made, the newest last.
export function fakeWebSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      if (FakeWebSocket.refuse) throw new Error(FakeWebSocket.refuse);
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(data) {
      if (this.readyState !== 1) throw new Error("InvalidStateError");
      this.sent.push(data);
    }
    // What the server (or the network) does to the socket:
    open() { this.readyState = 1; this.onopen({ type: "open" }); }
    message(data) { this.onmessage({ data: typeof data === "string" ? data : JSON.stringify(data) }); }
    close(code = 1006) { this.readyState = 3; this.onclose({ code }); }
  }
  FakeWebSocket.refuse = null;
  return { WebSocket: FakeWebSocket, sockets };
}

// A fetch that answers when the test says: calls lists each request with its url, its
// FormData body (field(name)) and reply(status, html, headers) / fail() to settle it; an abort
// (the caller's timeout) fails it and sets aborted.
export function fakeFetch() {
  const calls = [];
  function fetch(url, init) {
    return new Promise((resolve, reject) => {
      const call = {
        url, init, body: init.body, aborted: false,
        field(name) { return init.body.get(name); },
        reply(status, html = "", headers = {}) {
          resolve({
            status,
            text: () => Promise.resolve(html),
            headers: new Headers(headers),
          });
        },
        fail() { reject(new TypeError("Failed to fetch")); },
      };
      if (init.signal) init.signal.addEventListener("abort", () => { call.aborted = true; call.fail(); });
      calls.push(call);
    });
  }
  return { fetch, calls };
}

// Lets the promise callbacks that are due run (a reply's .then chain takes a few turns).
export async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
