// kefu web chat: the conversation. Starts or resumes it (customer token, cursor and unsent
// messages kept in localStorage, so a reload or a second tab continues the same one), draws
// the history from session.transcript, and renders events. Everything from the network is
// inserted as text (textContent, createTextNode), never as HTML.
"use strict";
(function () {
  var params = new URLSearchParams(location.search);
  var lang = KefuI18n.pick(params.get("lang"));
  var t = KefuI18n.make(lang);
  var group = params.get("group") || undefined;
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    log: $("log"), input: $("input"), send: $("send"), end: $("end"), status: $("status"),
    notice: $("notice"), typing: $("typing"), composer: $("composer"), survey: $("survey"),
    stars: $("stars"), comment: $("comment"), rate: $("rate-submit"), thanks: $("thanks"),
    after: $("after"), newChat: $("new-chat"), title: $("title"), human: $("human")
  };

  // ---- storage: survives reloads and is shared by tabs; memory only if storage is blocked ----
  var mem = {};
  var store = {
    get: function (k) {
      try { var v = localStorage.getItem("kefu." + k); return v === null ? null : JSON.parse(v); }
      catch (e) { return k in mem ? mem[k] : null; }
    },
    set: function (k, v) {
      mem[k] = v;
      try { localStorage.setItem("kefu." + k, JSON.stringify(v)); } catch (e) { /* memory only */ }
    }
  };

  var sid = null;          // the conversation shown
  var ended = false;
  var assigned = false;    // an agent has the conversation: our stored messages are delivered
  var withBot = false;     // the answering bot or a self-service menu has it: "talk to a person" is offered
  var cursor = store.get("cursor");
  var bySeq = {};          // seq → <li>
  var byCid = {};          // client_msg_id → <li> of our own messages
  var flushing = false;
  var stars = 0;
  var render = KefuRender.make(t, lang);
  var el = render.el, bubble = render.bubble, setTick = render.setTick;

  // Places a message by seq (history and replays may arrive after live ones); unsent ones last.
  function place(li, seq) {
    var items = ui.log.children;
    for (var i = 0; i < items.length; i++) {
      var s = items[i].dataset.seq;
      if (seq !== undefined && (s === undefined || Number(s) > seq) && items[i].dataset.kind !== "system") {
        ui.log.insertBefore(li, items[i]);
        return;
      }
    }
    ui.log.appendChild(li);
  }

  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  function setBot(yes) {
    withBot = yes;
    ui.human.hidden = !yes || ended;
  }

  function showMessage(m) {
    if (m.session_id !== sid || bySeq[m.seq]) return;
    // The bot's hand-off line (its ids start with `bot-`): people take over from here.
    if (m.author_kind === "system" && /^bot-/.test(m.client_msg_id || "")) setBot(false);
    var li = m.client_msg_id && byCid[m.client_msg_id];
    if (li) {
      li.remove();
      delete byCid[m.client_msg_id];
      dropOutbox(m.client_msg_id);
    }
    li = bubble(m);
    li.dataset.seq = m.seq;
    bySeq[m.seq] = li;
    if (m.author_kind === "customer") setTick(li, assigned ? "delivered" : "stored");
    place(li, m.seq);
    scrollDown();
  }

  function systemLine(text) {
    var li = el("li", "system", text);
    li.dataset.kind = "system";
    ui.log.appendChild(li);
    scrollDown();
  }

  function notice(text) {
    ui.notice.textContent = text || "";
    ui.notice.hidden = !text;
  }

  function setAssigned(yes) {
    assigned = yes;
    if (!yes) return;
    Object.keys(bySeq).forEach(function (s) {
      if (bySeq[s].dataset.tick === "stored") setTick(bySeq[s], "delivered");
    });
  }

  function resetView() {
    ui.log.textContent = "";
    bySeq = {};
    byCid = {};
    ended = false;
    assigned = false;
    setBot(false);
    stars = 0;
    notice("");
    ui.typing.textContent = "";
    ui.survey.hidden = true;
    ui.thanks.hidden = true;
    ui.after.hidden = true;
    ui.composer.hidden = false;
    ui.end.hidden = false;
    document.body.dataset.ended = "false";
    pendingFromOutbox();
  }

  function setSession(id) {
    if (id !== sid) {
      sid = id;
      store.set("session", id);
      resetView();
    }
    document.body.dataset.session = String(id);
  }

  function showEnded(reason, survey) {
    ended = true;
    ui.human.hidden = true;
    ui.composer.hidden = true;
    ui.end.hidden = true;
    ui.typing.textContent = "";
    notice("");
    var table = KefuI18n.strings[lang].endedBy;
    systemLine(table[reason] || t("ended"));
    ui.survey.hidden = !survey;
    ui.after.hidden = false;
    scrollDown();
    document.body.dataset.ended = "true";
    (survey ? ui.stars.querySelector("button") : ui.newChat).focus();
  }

  // ---- the outbox: messages not yet acknowledged, sent again with the same client_msg_id ----
  function outbox() { return store.get("outbox") || []; }
  function dropOutbox(cid) {
    store.set("outbox", outbox().filter(function (o) { return o.cid !== cid; }));
  }

  function pendingFromOutbox() {
    outbox().forEach(function (o) {
      if (byCid[o.cid] || (o.sid !== null && o.sid !== sid)) return;
      var li = bubble({ author_kind: "customer", body: o.body, created_at: o.at });
      byCid[o.cid] = li;
      setTick(li, "sending");
      ui.log.appendChild(li);
    });
    scrollDown();
  }

  function newCid() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return "web-" + Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function flush() {
    if (flushing || !conn.ready || sid === null || ended) return;
    var next = outbox().filter(function (o) { return o.sid === null || o.sid === sid; })[0];
    if (!next) return;
    if (next.sid === null) {
      // Bound to this conversation from its first attempt on: a retry never lands in another.
      next.sid = sid;
      store.set("outbox", outbox().map(function (o) { return o.cid === next.cid ? next : o; }));
    }
    flushing = true;
    conn.call("message.send", { session_id: sid, client_msg_id: next.cid, body: next.body }).then(function (ack) {
      flushing = false;
      dropOutbox(next.cid);
      var li = byCid[next.cid];
      delete byCid[next.cid];
      if (li && !bySeq[ack.seq]) {
        li.dataset.seq = ack.seq;
        bySeq[ack.seq] = li;
        setTick(li, assigned ? "delivered" : "stored");
      } else if (li) {
        li.remove();
      }
      flush();
    }, function (err) {
      flushing = false;
      if (err.code === "disconnected") return; // sent again after the reconnect
      if (err.code === "rate_limited") { setTimeout(flush, 3000); return; }
      dropOutbox(next.cid);
      if (byCid[next.cid]) setTick(byCid[next.cid], "failed");
      notice(t("error", { m: err.message }));
      flush();
    });
  }

  // Sends what the customer typed, or `text` (the "talk to a person" button's words).
  function submit(text) {
    var body = (text || ui.input.value).replace(/^\s+|\s+$/g, "");
    if (!body || ended) return;
    var o = { cid: newCid(), body: body, sid: sid, at: Date.now() };
    store.set("outbox", outbox().concat([o]));
    var li = bubble({ author_kind: "customer", body: body, created_at: o.at });
    byCid[o.cid] = li;
    setTick(li, "sending");
    ui.log.appendChild(li);
    scrollDown();
    if (!text) ui.input.value = "";
    typingStop();
    flush();
  }

  // ---- typing, throttled: at most one "typing" every 3 s, "stopped" after 4 s of quiet ----
  var typingSentAt = 0, typingTimer = null;
  function typingStart() {
    if (sid === null || ended || !conn.ready) return;
    var now = Date.now();
    if (now - typingSentAt > 3000) {
      typingSentAt = now;
      conn.call("typing", { session_id: sid, active: true }).catch(function () {});
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(typingStop, 4000);
  }
  function typingStop() {
    clearTimeout(typingTimer);
    if (!typingSentAt || sid === null || !conn.ready) return;
    typingSentAt = 0;
    conn.call("typing", { session_id: sid, active: false }).catch(function () {});
  }

  var theirTyping = null;
  function showTyping(f) {
    if (f.session_id !== sid || f.author_kind === "customer") return;
    clearTimeout(theirTyping);
    ui.typing.textContent = f.active ? t("typing", { name: f.name }) : "";
    if (f.active) theirTyping = setTimeout(function () { ui.typing.textContent = ""; }, 8000);
  }

  function fmtWait(secs) {
    return secs < 90 ? t("seconds", { n: Math.max(1, Math.round(secs)) }) : t("minutes", { n: Math.round(secs / 60) });
  }

  // The `waiting` frame (position, estimate, offline); absent on servers that do not send it.
  function showWaiting(f) {
    if (f.session_id !== sid || ended) return;
    if (f.offline) {
      notice((f.open_now === false ? t("closedHours") + " " : "") + t("offline"));
    } else if (typeof f.position === "number") {
      var s = t("queued", { n: f.position });
      if (typeof f.estimate_secs === "number") s += " " + t("estimate", { t: fmtWait(f.estimate_secs) });
      notice(s);
    } else {
      notice("");
    }
  }

  function onEvent(f) {
    if (typeof f.cursor === "number" && (cursor === null || f.cursor > cursor)) {
      cursor = f.cursor;
      store.set("cursor", cursor);
    }
    var e = f.event || {};
    if (e.session_id !== undefined && e.session_id !== sid && e.kind !== "message") return;
    switch (e.kind) {
      case "message": showMessage(e.message || {}); break;
      case "agent_joined":
        notice("");
        systemLine(t("joined", { name: e.agent_name }));
        setAssigned(true);
        setBot(false);
        break;
      case "transferred": assigned = false; systemLine(t("transferred")); break;
      case "session_ended": if (!ended) showEnded(e.reason, e.survey === true); break;
      default: break;
    }
  }

  // ---- starting and resuming ----
  function context() {
    var clean = function (s, n) { return String(s || "").replace(/[\u0000-\u001f\u007f]/g, "").slice(0, n); };
    var c = {
      page_url: clean(params.get("page") || (window.parent === window ? location.href : document.referrer), 2048),
      referrer: clean(params.get("referrer") || (window.parent === window ? document.referrer : ""), 2048),
      user_agent: clean(navigator.userAgent, 512)
    };
    Object.keys(c).forEach(function (k) { if (!c[k]) delete c[k]; });
    return c;
  }

  function start() {
    var req = { channel: "web", group: group, token: store.get("token") || undefined, context: context() };
    return conn.call("customer.start", req).catch(function (err) {
      // A server that refuses the context (an older one, or a value it will not take) still
      // gets a conversation: the context is only a help for the agent.
      if (err.code !== "invalid") throw err;
      delete req.context;
      return conn.call("customer.start", req);
    }).then(function (r) {
      if (r.token) store.set("token", r.token);
      setSession(r.session_id);
      setBot(r.state === "bot" || r.state === "menu");
      if (r.state === "queued" || r.state === "offered") notice(t("waitingNoPos"));
      return loadTranscript();
    });
  }

  function loadTranscript() {
    var asked = sid;
    var after = 0;
    function page() {
      return conn.call("session.transcript", { session_id: asked, after_seq: after }).then(function (r) {
        if (asked !== sid) return;
        var s = r.session || {};
        // Someone serves it (or served it, if it ended): our stored messages reached them.
        if (s.assignee !== null && s.assignee !== undefined) setAssigned(true);
        setBot(s.state === "bot" || s.state === "menu"); // a self-service menu takes 转人工 too
        (r.messages || []).forEach(function (m) { after = Math.max(after, m.seq); showMessage(m); });
        if ((r.messages || []).length >= 500) return page();
        if (s.state === "active") notice("");
        if (s.state === "ended" && !ended) {
          var survey = s.csat === null && s.end_reason !== "abandoned" && s.assignee !== null;
          showEnded(s.end_reason, survey);
        }
      });
    }
    return page();
  }

  function identify() {
    var token = store.get("token");
    var p;
    if (!token) {
      p = start();
    } else {
      var req = { token: token };
      if (typeof cursor === "number") req.cursor = cursor;
      p = conn.call("customer.resume", req).then(function (r) {
        if (typeof r.session_id === "number") {
          setSession(r.session_id);
          return loadTranscript();
        }
        var last = store.get("session");
        var unsent = outbox().some(function (o) { return o.sid === null; });
        if (typeof last === "number" && !unsent) {
          setSession(last);
          return loadTranscript();
        }
        return start();
      }, function (err) {
        if (err.code !== "unauthorized") throw err;
        store.set("token", null);
        store.set("cursor", null);
        cursor = null;
        return start();
      });
    }
    p.then(function () {
      conn.settled();
      setStatus("online");
      flush();
    }, function (err) {
      if (err.code === "disconnected") return;
      notice(t("error", { m: err.message }));
      // Over a quota (new conversations per address, say): the message says when; try again.
      if (err.code === "rate_limited") setTimeout(function () { if (conn.ready && sid === null) identify(); }, 5000);
    });
  }

  function setStatus(s, vars) {
    ui.status.textContent = t(s, vars);
    document.body.dataset.conn = s;
  }

  var conn = new KefuConn({
    onOpen: identify,
    onFrame: function (f) {
      if (f.type === "event") onEvent(f);
      else if (f.type === "typing") showTyping(f);
      else if (f.type === "waiting") showWaiting(f);
      else if (f.type === "reload" && sid !== null) {
        cursor = f.cursor;
        store.set("cursor", cursor);
        loadTranscript().catch(function () {});
      }
    },
    onDown: function (ms, everOpened) {
      setStatus(everOpened ? "reconnecting" : "cannotConnect", { s: Math.ceil(ms / 1000) });
    }
  });

  // ---- controls ----
  function buildStars() {
    for (var n = 1; n <= 5; n++) {
      var b = el("button", "star", "★");
      b.type = "button";
      b.dataset.stars = n;
      b.setAttribute("aria-label", t(n === 1 ? "star" : "stars", { n: n }));
      b.setAttribute("aria-pressed", "false");
      ui.stars.appendChild(b);
    }
    ui.stars.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      stars = Number(b.dataset.stars);
      Array.prototype.forEach.call(ui.stars.children, function (x) {
        var on = Number(x.dataset.stars) <= stars;
        x.classList.toggle("on", on);
        x.setAttribute("aria-pressed", String(Number(x.dataset.stars) === stars));
      });
      ui.rate.disabled = false;
    });
  }

  function rate() {
    if (!stars || sid === null) return;
    var req = { session_id: sid, stars: stars };
    var comment = ui.comment.value.replace(/^\s+|\s+$/g, "").slice(0, 1000);
    if (comment) req.comment = comment;
    ui.rate.disabled = true;
    conn.call("session.rate", req).then(done, function (err) {
      if (err.code === "conflict") return done();
      ui.rate.disabled = false;
      notice(t("error", { m: err.message }));
    });
    function done() {
      ui.survey.hidden = true;
      ui.thanks.hidden = false;
      ui.newChat.focus();
    }
  }

  function applyStrings() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    ui.title.textContent = t("title");
    ui.end.textContent = t("end");
    ui.human.textContent = t("human");
    ui.end.setAttribute("aria-label", t("endLabel"));
    ui.send.textContent = t("send");
    ui.input.placeholder = t("placeholder");
    ui.input.setAttribute("aria-label", t("inputLabel"));
    ui.input.setAttribute("aria-description", t("inputHint"));
    ui.input.title = t("inputHint");
    ui.log.dataset.empty = t("empty");
    ui.log.setAttribute("aria-label", t("messages"));
    $("rate-q").textContent = t("rateQ");
    ui.comment.placeholder = t("comment");
    ui.comment.setAttribute("aria-label", t("comment"));
    ui.rate.textContent = t("submit");
    ui.thanks.textContent = t("thanks");
    ui.newChat.textContent = t("newChat");
  }

  applyStrings();
  buildStars();
  if (window.parent !== window) document.body.classList.add("embedded");
  ui.composer.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  ui.input.addEventListener("keydown", function (e) {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  ui.input.addEventListener("input", typingStart);
  ui.end.addEventListener("click", function () {
    if (sid === null || ended) return;
    conn.call("session.end", { session_id: sid }).catch(function (err) {
      notice(t("endFailed", { m: err.message }));
    });
  });
  ui.rate.addEventListener("click", rate);
  // Asks for a person in words the bot knows (转人工 / "talk to a person"), seen in the transcript.
  ui.human.addEventListener("click", function () {
    if (sid === null || ended) return;
    setBot(false);
    submit(t("human"));
  });
  ui.newChat.addEventListener("click", function () {
    sid = null;
    start().catch(function (err) { notice(t("error", { m: err.message })); });
  });
  document.addEventListener("keydown", function (e) {
    // Inside the widget's iframe, Escape asks the embedding page to close the panel.
    if (e.key === "Escape" && window.parent !== window) window.parent.postMessage({ kefu: "close" }, "*");
  });
  // Another tab started a new conversation: follow it.
  window.addEventListener("storage", function (e) {
    if (e.key !== "kefu.session" || !conn.ready) return;
    var next = null;
    try { next = JSON.parse(e.newValue); } catch (err) { return; }
    if (typeof next === "number" && next !== sid) {
      setSession(next);
      loadTranscript().catch(function () {});
    }
  });
  setStatus("connecting");
  pendingFromOutbox();
  conn.connect();
})();
