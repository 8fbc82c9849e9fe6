// A small DOM for the scripts' tests: elements with attributes, classes, dataset, children and
// text; querySelector(All) for compound selectors (li.note[data-client-id], [role="tab"]);
// events that bubble to the document; <template> that parses the plain markup the server's
// partials are made of. Enough for what notes.js does with its page, no more.

const VOID = new Set(["input", "br", "img", "meta", "link", "hr"]);

class Node_ {
  constructor() { this.listeners = {}; this.parentNode = null; }
  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
  removeEventListener(type, fn) { this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn); }
  // Dispatches an event at this node that bubbles up to the document; returns the event.
  dispatch(type, props = {}) {
    const event = { type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...props };
    for (let node = this; node; node = node.parentNode) {
      for (const fn of node.listeners[type] || []) fn.call(node, event);
    }
    return event;
  }
  // A script's own event (new CustomEvent(type, {detail})), dispatched as above.
  dispatchEvent(event) { this.dispatch(event.type, { detail: event.detail }); return true; }
}

function camel(name) { return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase()); }
function kebab(key) { return key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()); }

export class Element extends Node_ {
  constructor(tag, ownerDocument) {
    super();
    this.tagName = tag.toUpperCase();
    this.ownerDocument = ownerDocument;
    this.attributes = new Map();
    this.childNodes = [];
    this.style = {};
    const el = this;
    this.dataset = new Proxy({}, {
      get: (_, key) => (typeof key === "string" ? el.getAttribute("data-" + kebab(key)) ?? undefined : undefined),
      set: (_, key, value) => { el.setAttribute("data-" + kebab(key), String(value)); return true; },
      has: (_, key) => el.hasAttribute("data-" + kebab(key)),
      deleteProperty: (_, key) => { el.removeAttribute("data-" + kebab(key)); return true; },
      ownKeys: () => [...el.attributes.keys()].filter((k) => k.startsWith("data-")).map((k) => camel(k.slice(5))),
      getOwnPropertyDescriptor: (_, key) => ({ enumerable: true, configurable: true, value: el.dataset[key] }),
    });
    this.classList = {
      contains: (c) => el.className.split(/\s+/).includes(c),
      add: (...cs) => { for (const c of cs) if (!el.classList.contains(c)) el.className = (el.className + " " + c).trim(); },
      remove: (...cs) => { el.className = el.className.split(/\s+/).filter((x) => x && !cs.includes(x)).join(" "); },
      toggle: (c, force) => {
        const on = force === undefined ? !el.classList.contains(c) : !!force;
        if (on) el.classList.add(c); else el.classList.remove(c);
        return on;
      },
    };
  }
  getAttribute(name) { return this.attributes.has(name) ? this.attributes.get(name) : null; }
  setAttribute(name, value) { this.attributes.set(name, String(value)); }
  hasAttribute(name) { return this.attributes.has(name); }
  removeAttribute(name) { this.attributes.delete(name); }
  get id() { return this.getAttribute("id") || ""; }
  set id(value) { this.setAttribute("id", value); }
  get className() { return this.getAttribute("class") || ""; }
  set className(value) { this.setAttribute("class", value); }
  get hidden() { return this.hasAttribute("hidden"); }
  set hidden(value) { if (value) this.setAttribute("hidden", ""); else this.removeAttribute("hidden"); }
  get children() { return this.childNodes.filter((n) => n instanceof Element); }
  get firstElementChild() { return this.children[0] || null; }
  get isConnected() {
    let node = this;
    while (node.parentNode) node = node.parentNode;
    return node === this.ownerDocument;
  }
  get textContent() { return this.childNodes.map((n) => (typeof n === "string" ? n : n.textContent)).join(""); }
  set textContent(text) { this.childNodes.forEach(detach); this.childNodes = text === "" ? [] : [String(text)]; }
  appendChild(child) {
    if (child instanceof Element) { child.remove(); child.parentNode = this; }
    this.childNodes.push(child);
    return child;
  }
  get firstChild() { return this.childNodes[0] ?? null; }
  insertBefore(child, ref) {
    if (!ref) return this.appendChild(child);
    if (child instanceof Element) { child.remove(); child.parentNode = this; }
    this.childNodes.splice(this.childNodes.indexOf(ref), 0, child);
    return child;
  }
  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }
  replaceWith(other) {
    const parent = this.parentNode;
    const siblings = parent.childNodes;
    other.remove();
    siblings.splice(siblings.indexOf(this), 1, other);
    other.parentNode = parent;
    this.parentNode = null;
  }
  *descendants() {
    for (const child of this.children) { yield child; yield* child.descendants(); }
  }
  querySelectorAll(selector) {
    const test = matcher(selector);
    return [...this.descendants()].filter(test);
  }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
  matches(selector) { return matcher(selector)(this); }
  closest(selector) {
    for (let node = this; node instanceof Element; node = node.parentNode) if (node.matches(selector)) return node;
    return null;
  }
}

function detach(node) { if (node instanceof Element) node.parentNode = null; }

// A list of compound selectors (a, b): an element that matches any of them.
function matcher(selector) {
  const tests = selector.split(",").map(compound);
  return (el) => tests.some((test) => test(el));
}

// One compound selector: tag, .classes, [attr] and [attr="value"]; no combinators.
function compound(selector) {
  const m = /^([a-z0-9]*)((?:\.[\w-]+)*)((?:\[[\w-]+(?:="[^"]*")?\])*)$/i.exec(selector.trim());
  if (!m) throw new Error("selector not supported by the test DOM: " + selector);
  const tag = m[1].toUpperCase();
  const classes = m[2].split(".").filter(Boolean);
  const attrs = [...m[3].matchAll(/\[([\w-]+)(?:="([^"]*)")?\]/g)].map(([, name, value]) => [name, value]);
  return (el) => (!tag || el.tagName === tag)
    && classes.every((c) => el.classList.contains(c))
    && attrs.every(([name, value]) => (value === undefined ? el.hasAttribute(name) : el.getAttribute(name) === value));
}

// Parses plain markup (elements, quoted attributes, text; no comments or scripts) into nodes.
function parse(html, doc) {
  const root = new Element("fragment", doc);
  const stack = [root];
  const token = /<\/([a-z0-9]+)\s*>|<([a-z0-9]+)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/gi;
  for (const [, close, open, attrs, text] of html.matchAll(token)) {
    const top = stack.at(-1);
    if (close) { stack.pop(); continue; }
    if (text !== undefined) {
      const value = text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
      top.childNodes.push(value);
      continue;
    }
    const el = new Element(open, doc);
    for (const [, name, value] of attrs.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) el.setAttribute(name, value ?? "");
    top.appendChild(el);
    if (!VOID.has(open.toLowerCase())) stack.push(el);
  }
  return root;
}

// window: only its events (online, beforeunload) matter to the scripts.
export class Window extends Node_ {}

export class Document extends Node_ {
  constructor(bodyHtml = "") {
    super();
    this.documentElement = new Element("html", this);
    this.documentElement.parentNode = this;
    this.body = this.documentElement.appendChild(new Element("body", this));
    this.body.ownerDocument = this;
    for (const node of parse(bodyHtml, this).childNodes.slice()) this.body.appendChild(node);
  }
  createElement(tag) {
    const el = new Element(tag, this);
    if (tag === "template") {
      const doc = this;
      el.content = new Element("fragment", this);
      Object.defineProperty(el, "innerHTML", {
        set(html) { el.content = parse(html, doc); },
      });
    }
    return el;
  }
  // A text node is a string here, as the parsed markup keeps it.
  createTextNode(text) { return String(text); }
  getElementById(id) { return this.body.querySelector(`[id="${id}"]`) || null; }
  querySelectorAll(selector) { return this.documentElement.querySelectorAll(selector); }
  querySelector(selector) { return this.documentElement.querySelector(selector); }
}
