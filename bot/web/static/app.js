// Todoku playground: a chat with the bot in the browser.
// User and bot text is always set with textContent, never parsed as HTML.
"use strict";

(async () => {
  const CHAT_ID = /^[A-Za-z0-9_-]{8,64}$/;
  const KEY_CHAT = "todoku.chat";
  const KEY_LOG = "todoku.log";
  const KEY_LAST = "todoku.last";
  const KEY_UI = "todoku.ui";
  const MAX_LOG = 200;
  const MAX_STEPS = 12;

  // Strings of the page itself, from the same catalogs as the bot's words
  // (GET api/ui: {"ja": {...}, "en": {...}, "th": {...}}).
  const UI = await (async () => {
    try {
      const r = await fetch("api/ui");
      if (r.ok) return await r.json();
    } catch {
      // Offline: the keys themselves are shown until a reload works.
    }
    return { en: {} };
  })();

  const TONES = {
    delivered: "good",
    not_found: "warn",
    attempted_delivery: "warn",
    awaiting_pickup: "warn",
    exception: "bad",
    lost: "bad",
    returning: "bad",
    returned: "bad",
    expired: "bad",
  };

  // Storage that survives private modes where localStorage throws.
  const storage = (() => {
    try {
      const s = window.localStorage;
      s.setItem("todoku.probe", "1");
      s.removeItem("todoku.probe");
      return s;
    } catch {
      return null;
    }
  })();
  const load = (k) => {
    try { return storage ? storage.getItem(k) : null; } catch { return null; }
  };
  const save = (k, v) => {
    try { if (storage) storage.setItem(k, v); } catch { /* full or disabled */ }
  };
  const drop = (k) => {
    try { if (storage) storage.removeItem(k); } catch { /* disabled */ }
  };

  function newChatID() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  function pickUILang() {
    const saved = load(KEY_UI);
    if (saved && UI[saved]) return saved;
    const nav = (navigator.language || "en").toLowerCase();
    if (nav.startsWith("ja")) return "ja";
    if (nav.startsWith("th")) return "th";
    return "en";
  }

  function loadLog() {
    try {
      const v = JSON.parse(load(KEY_LOG) || "[]");
      return Array.isArray(v) ? v.slice(-MAX_LOG) : [];
    } catch {
      return [];
    }
  }

  const $ = (id) => document.getElementById(id);
  const logEl = $("log");
  const emptyEl = $("empty");
  const input = $("input");
  const form = $("composer");
  const statusEl = $("status");

  let chatID = load(KEY_CHAT);
  if (!chatID || !CHAT_ID.test(chatID)) {
    chatID = newChatID();
    save(KEY_CHAT, chatID);
    drop(KEY_LOG);
    drop(KEY_LAST);
  }
  let uiLang = pickUILang();
  let lastID = load(KEY_LAST) || "";
  let entries = loadLog();

  const t = (key, ...args) =>
    ((UI[uiLang] || {})[key] || (UI.en || {})[key] || key).replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- Page language ----

  function applyUI() {
    document.documentElement.lang = uiLang;
    $("intro").textContent = t("intro");
    input.placeholder = t("placeholder");
    input.setAttribute("aria-label", t("message"));
    $("send").textContent = t("send");
    $("reset").textContent = t("reset");
    $("langs").setAttribute("aria-label", t("language"));
    for (const b of document.querySelectorAll("#langs button")) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === uiLang));
    }
    for (const m of document.querySelectorAll(".push-mark")) m.textContent = t("push");
    if (statusEl.textContent) statusEl.textContent = t("offline");
  }

  // ---- Rendering ----

  function renderCard(c) {
    const card = el("article", "card");
    card.dataset.stage = String(c.stage || "");
    card.dataset.tone = TONES[c.stage] || "normal";

    const head = el("div", "card-head");
    head.append(el("span", "card-number", c.number || ""));
    if (c.label) head.append(el("span", "card-label", c.label));
    card.append(head);
    if (c.carrier) card.append(el("div", "card-carrier", c.carrier));
    card.append(el("h3", "card-stage", c.stage_name || c.stage || ""));

    const steps = Math.min(Math.max(Number(c.steps) || 0, 0), MAX_STEPS);
    if (steps > 0) {
      const step = Math.min(Math.max(Number(c.step) || 0, 0), steps);
      const bar = el("div", "progress");
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", String(steps));
      bar.setAttribute("aria-valuenow", String(step));
      bar.setAttribute("aria-label", t("progress", step, steps));
      for (let i = 0; i < steps; i++) bar.append(el("span", i < step ? "done" : ""));
      card.append(bar);
    }
    if (c.stage_help) card.append(el("p", "card-help", c.stage_help));
    if (c.event || c.event_time || c.location) {
      const ev = el("div", "card-event");
      if (c.event) ev.append(el("p", "event-text", c.event));
      const meta = [c.event_time, c.location].filter(Boolean).join(" · ");
      if (meta) ev.append(el("p", "event-meta", meta));
      card.append(ev);
    }
    if (c.eta) card.append(el("p", "card-eta", "🗓 " + c.eta));
    if (c.note) card.append(el("p", "card-note", c.note));
    return card;
  }

  function renderButtons(buttons) {
    const row = el("div", "chips");
    for (const b of buttons) {
      if (!b || typeof b.data !== "string" || !b.data) continue;
      const chip = el("button", "chip", b.label || b.data);
      chip.type = "button";
      chip.addEventListener("click", () => send({ button: b.data }, b.label || b.data));
      row.append(chip);
    }
    return row;
  }

  function timeOf(ms) {
    try {
      return new Date(ms).toLocaleTimeString(uiLang, { hour: "2-digit", minute: "2-digit" });
    } catch {
      return "";
    }
  }

  function renderEntry(e) {
    const row = el("div", "row " + e.from);
    if (e.from === "user" || e.from === "system") {
      row.append(el("div", "bubble", e.text));
      return row;
    }
    if (e.push) {
      row.classList.add("push");
      const meta = el("div", "meta");
      meta.append(el("span", "push-mark", t("push")));
      meta.append(document.createTextNode(timeOf(e.at)));
      row.append(meta);
    }
    for (const m of Array.isArray(e.messages) ? e.messages : []) {
      if (!m || typeof m !== "object") continue;
      if (m.text) row.append(el("div", "bubble", m.text));
      if (m.card && typeof m.card === "object") row.append(renderCard(m.card));
      if (Array.isArray(m.buttons) && m.buttons.length) row.append(renderButtons(m.buttons));
    }
    return row;
  }

  function scrollDown() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  function addEntry(e) {
    e.at = e.at || Date.now();
    entries.push(e);
    if (entries.length > MAX_LOG) entries = entries.slice(-MAX_LOG);
    save(KEY_LOG, JSON.stringify(entries));
    emptyEl.hidden = true;
    const row = renderEntry(e);
    if (typing && typing.parentNode === logEl) logEl.insertBefore(row, typing);
    else logEl.append(row);
    scrollDown();
  }

  function renderAll() {
    for (const r of logEl.querySelectorAll(".row")) r.remove();
    emptyEl.hidden = entries.length > 0;
    for (const e of entries) logEl.append(renderEntry(e));
    scrollDown();
  }

  // ---- Sending ----

  let typing = null;
  let pending = 0;
  let queue = Promise.resolve();

  function setBusy(delta) {
    pending += delta;
    if (pending > 0 && !typing) {
      typing = el("div", "row bot typing");
      const b = el("div", "bubble");
      b.setAttribute("aria-hidden", "true");
      b.append(el("i"), el("i"), el("i"));
      typing.append(b);
      logEl.append(typing);
      scrollDown();
    } else if (pending === 0 && typing) {
      typing.remove();
      typing = null;
    }
  }

  function errorText(status, body) {
    if (body && body.error === "text_too_long") return t("tooLong");
    return t("failed");
  }

  // langHint is the language a new chat starts in: the page's own, with
  // the browser's region when the browser speaks the same language.
  function langHint() {
    const nav = navigator.language || "";
    return nav.toLowerCase().split("-")[0] === uiLang ? nav : uiLang;
  }

  // send posts one message; replies are shown in the order they were sent.
  function send(fields, echo) {
    addEntry({ from: "user", text: echo });
    const forChat = chatID;
    setBusy(1);
    queue = queue.then(async () => {
      try {
        const res = await fetch("api/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ chat: forChat, lang: langHint(), ...fields }),
        });
        let body = null;
        try { body = await res.json(); } catch { /* not JSON */ }
        if (forChat !== chatID) return; // the chat was reset meanwhile
        if (!res.ok) {
          addEntry({ from: "system", text: errorText(res.status, body) });
          return;
        }
        if (body && Array.isArray(body.messages) && body.messages.length) {
          addEntry({ from: "bot", messages: body.messages });
        }
      } catch {
        if (forChat === chatID) addEntry({ from: "system", text: t("unreachable") });
      } finally {
        setBusy(-1);
      }
    });
  }

  // autosize fits the input to its text, up to 160px; only then it scrolls.
  function autosize() {
    input.style.height = "auto";
    const h = input.scrollHeight + 2;
    input.style.height = Math.min(h, 160) + "px";
    input.style.overflowY = h > 160 ? "auto" : "hidden";
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    autosize();
    send({ text }, text);
    input.focus();
  });

  input.addEventListener("keydown", (ev) => {
    // Enter sends; Shift+Enter adds a line. Never send while an input
    // method (Japanese, Thai) is still composing.
    if (ev.key !== "Enter" || ev.shiftKey || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    form.requestSubmit();
  });
  input.addEventListener("input", autosize);

  $("demo").addEventListener("click", () => send({ text: "SBXJP0001" }, "SBXJP0001"));

  for (const b of document.querySelectorAll("#langs button")) {
    b.addEventListener("click", () => {
      uiLang = b.dataset.lang;
      save(KEY_UI, uiLang);
      applyUI();
      const cmd = "/lang " + uiLang;
      send({ text: cmd }, cmd);
    });
  }

  $("reset").addEventListener("click", () => {
    chatID = newChatID();
    save(KEY_CHAT, chatID);
    entries = [];
    drop(KEY_LOG);
    lastID = "";
    drop(KEY_LAST);
    renderAll();
    connect();
    input.focus();
  });

  // ---- Pushes ----

  let source = null;
  let retryTimer = 0;
  let backoff = 1000;

  function setOnline(online) {
    statusEl.textContent = online ? "" : t("offline");
  }

  // connect opens the push stream. The browser reconnects by itself and
  // sends Last-Event-ID; the first connection passes it as ?last=.
  function connect() {
    clearTimeout(retryTimer);
    if (source) source.close();
    const url = new URL("api/events", document.baseURI);
    url.searchParams.set("chat", chatID);
    if (lastID) url.searchParams.set("last", lastID);
    const es = new EventSource(url);
    source = es;
    es.onopen = () => {
      backoff = 1000;
      setOnline(true);
    };
    es.onmessage = (ev) => {
      if (es !== source) return;
      if (ev.lastEventId) {
        lastID = ev.lastEventId;
        save(KEY_LAST, lastID);
      }
      let body;
      try { body = JSON.parse(ev.data); } catch { return; }
      if (body && Array.isArray(body.messages) && body.messages.length) {
        addEntry({ from: "bot", push: true, messages: body.messages });
      }
    };
    es.onerror = () => {
      if (es !== source) return;
      setOnline(false);
      if (es.readyState === EventSource.CLOSED) {
        // The server refused the stream; try again later on our own.
        es.close();
        retryTimer = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 30000);
      }
    };
  }

  applyUI();
  renderAll();
  connect();
  input.focus();
})();
