// kefu web chat: drawing messages. Network text only ever becomes text nodes; http(s) URLs in
// it become links that open in a new tab without a referrer or a handle on this page.
"use strict";
(function () {
  function make(t, lang) {
    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }

    // Punctuation after a URL ends the sentence, not the URL. (A loop from the end: a regex
    // anchored at `$` would retry every run of punctuation inside a long URL.)
    var TRAILING = ".,;:!?)]}。，；：！？、";
    function trimEnd(url) {
      var end = url.length;
      while (end > 0 && TRAILING.indexOf(url.charAt(end - 1)) >= 0) end--;
      return url.slice(0, end);
    }

    // Text with http(s) links made clickable; everything else stays literal text.
    function linkify(parent, text) {
      var re = /https?:\/\/[^\s<>"'“”（）]+/gi, last = 0, m;
      while ((m = re.exec(text)) !== null) {
        var url = trimEnd(m[0]);
        if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
        var ok = false;
        try { var u = new URL(url); ok = u.protocol === "http:" || u.protocol === "https:"; } catch (e) { ok = false; }
        if (ok) {
          var a = el("a", null, url);
          a.href = url;
          a.rel = "noopener noreferrer";
          a.target = "_blank";
          parent.appendChild(a);
        } else {
          parent.appendChild(document.createTextNode(url));
        }
        last = m.index + url.length;
        re.lastIndex = last;
      }
      if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    }

    function clock(ms) {
      try { return new Date(ms).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en", { hour: "2-digit", minute: "2-digit" }); }
      catch (e) { return ""; }
    }

    function setTick(li, state) {
      var tick = li.querySelector(".tick");
      if (!tick) return;
      li.dataset.tick = state;
      tick.textContent = { sending: "…", stored: "✓", delivered: "✓✓", failed: "!" }[state] || "";
      tick.setAttribute("aria-label", t(state));
      tick.title = t(state);
    }

    function bubble(m) {
      var mine = m.author_kind === "customer", bot = m.author_kind === "bot";
      var li = el("li", "msg " + (mine ? "me" : "them") + (bot ? " bot" : ""));
      li.dataset.kind = "message";
      var meta = el("div", "meta");
      meta.appendChild(el("span", "who", mine ? t("you") : m.author_name));
      // The answering bot says it is one.
      if (bot) meta.appendChild(el("span", "badge", t("bot")));
      if (m.created_at) meta.appendChild(el("time", "at", clock(m.created_at)));
      li.appendChild(meta);
      var body = el("div", "body");
      linkify(body, String(m.body));
      li.appendChild(body);
      if (mine) li.appendChild(el("span", "tick"));
      return li;
    }

    return { el: el, linkify: linkify, bubble: bubble, setTick: setTick };
  }

  window.KefuRender = { make: make };
})();
