// kefu web chat: the WebSocket to /ws/customer on the page's own host. Sends `hello`, matches
// replies to requests by id, and reconnects by itself with exponential backoff and jitter.
// It knows nothing about conversations: chat.js identifies the connection in `onOpen`.
"use strict";
(function () {
  var MAX_DELAY_MS = 30000;
  var BASE_DELAY_MS = 500;

  function Conn(handlers) {
    this.h = handlers; // onOpen(), onFrame(frame), onDown(delayMs, everOpened)
    this.ws = null;
    this.nextId = 1;
    this.pending = {};
    this.attempt = 0;
    this.timer = null;
    this.ready = false;
    var self = this;
    // Back online or back to the tab: try at once rather than waiting out the backoff.
    window.addEventListener("online", function () { self.retryNow(); });
  }

  Conn.prototype.url = function () {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + location.host + "/ws/customer";
  };

  Conn.prototype.connect = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = null;
    var ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.down(!!this.everOpened);
      return;
    }
    this.ws = ws;
    var opened = false;
    ws.onopen = function () {
      opened = true;
      self.everOpened = true;
      self.call("hello", { protocol: 1, client: "kefu-web/1" }).then(function () {
        self.ready = true;
        self.h.onOpen();
      }, function () { ws.close(); });
    };
    ws.onmessage = function (e) {
      var frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "reply" && frame.id !== null && self.pending[frame.id]) {
        var p = self.pending[frame.id];
        delete self.pending[frame.id];
        if (frame.ok) p.resolve(frame.result || {});
        else p.reject(frame.error || { code: "internal", message: "no error given" });
        return;
      }
      self.h.onFrame(frame);
    };
    ws.onclose = function () {
      if (self.ws !== ws) return;
      self.ws = null;
      self.ready = false;
      var waiting = self.pending;
      self.pending = {};
      Object.keys(waiting).forEach(function (k) {
        waiting[k].reject({ code: "disconnected", message: "the connection was lost" });
      });
      self.down(opened || self.everOpened);
    };
  };

  // Schedules the next attempt: 0.5 s, 1 s, 2 s … up to 30 s, each scaled by a random factor
  // in [0.5, 1) so that many pages dropped together do not all come back at the same moment.
  Conn.prototype.down = function (everOpened) {
    var delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, this.attempt));
    delay = Math.round(delay * (0.5 + Math.random() / 2));
    this.attempt = Math.min(this.attempt + 1, 16);
    var self = this;
    this.timer = setTimeout(function () { self.connect(); }, delay);
    this.h.onDown(delay, everOpened);
  };

  Conn.prototype.retryNow = function () {
    if (this.ws || !this.timer) return;
    this.connect();
  };

  // Identified and working: the next failure starts the backoff from the beginning again.
  Conn.prototype.settled = function () { this.attempt = 0; };

  Conn.prototype.call = function (type, fields) {
    var ws = this.ws;
    if (!ws || ws.readyState !== 1) {
      return Promise.reject({ code: "disconnected", message: "not connected" });
    }
    var id = this.nextId++;
    var frame = { id: id, type: type };
    for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) frame[k] = fields[k];
    var self = this;
    return new Promise(function (resolve, reject) {
      self.pending[id] = { resolve: resolve, reject: reject };
      ws.send(JSON.stringify(frame));
    });
  };

  window.KefuConn = Conn;
})();
