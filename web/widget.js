// kefu web chat widget: the script a shop embeds with one tag,
//   <script src="https://kefu.example.com/widget.js" data-group="presales" data-lang="zh"></script>
// It adds a launcher button; the button opens the chat page (/chat on the kefu server) in an
// iframe panel with a close button; Escape closes it. Styles are set through the DOM (no
// <style> element, no inline script), so a strict Content-Security-Policy on the shop's page
// needs only to allow this script and frames from the kefu server.
(function () {
  "use strict";
  if (window.__kefuWidget) return; // the tag included twice: one launcher is enough
  window.__kefuWidget = true;

  var me = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!me) return;
  var base = new URL(me.src, location.href).origin;
  var data = me.dataset || {};
  var nav = String(data.lang || navigator.language || "").toLowerCase();
  var lang = nav.indexOf("zh") === 0 ? "zh" : "en";
  var text = {
    zh: { open: "联系客服", close: "关闭对话窗口", label: "客服" },
    en: { open: "Chat with us", close: "Close chat", label: "Chat" }
  }[lang];
  var color = /^#[0-9a-fA-F]{3,8}$/.test(data.color || "") ? data.color : "#1d4ed8";

  function css(e, styles) { for (var k in styles) e.style[k] = styles[k]; return e; }

  var launcher = css(document.createElement("button"), {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
    minWidth: "56px", height: "56px", padding: "0 18px", borderRadius: "28px", border: "0",
    background: color, color: "#fff", font: "600 15px system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer"
  });
  launcher.type = "button";
  launcher.id = "kefu-launcher";
  // A speech-bubble icon drawn as SVG: emoji fonts are not everywhere.
  var ns = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(ns, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "20");
  icon.setAttribute("height", "20");
  icon.setAttribute("aria-hidden", "true");
  css(icon, { verticalAlign: "-4px", marginRight: "6px" });
  var path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  icon.appendChild(path);
  launcher.appendChild(icon);
  launcher.appendChild(document.createTextNode(text.label));
  launcher.setAttribute("aria-label", text.open);
  launcher.setAttribute("aria-expanded", "false");

  var panel = css(document.createElement("div"), {
    position: "fixed", right: "20px", bottom: "88px", zIndex: "2147483001",
    width: "380px", maxWidth: "calc(100vw - 24px)", height: "600px", maxHeight: "calc(100vh - 108px)",
    display: "none", flexDirection: "column", background: "#fff", borderRadius: "12px",
    overflow: "hidden", boxShadow: "0 8px 30px rgba(0,0,0,.3)"
  });
  panel.id = "kefu-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", text.open);

  var bar = css(document.createElement("div"), {
    display: "flex", justifyContent: "flex-end", background: color, padding: "2px 4px"
  });
  var close = css(document.createElement("button"), {
    border: "0", background: "transparent", color: "#fff", font: "20px system-ui, sans-serif",
    width: "36px", height: "32px", cursor: "pointer", borderRadius: "6px"
  });
  close.type = "button";
  close.id = "kefu-close";
  close.textContent = "×";
  close.setAttribute("aria-label", text.close);
  bar.appendChild(close);
  panel.appendChild(bar);

  var frame = null;

  // Phones: the panel takes the whole screen.
  function fit() {
    var small = window.innerWidth < 500;
    css(panel, small
      ? { right: "0", bottom: "0", width: "100vw", maxWidth: "100vw", height: "100%", maxHeight: "100%", borderRadius: "0" }
      : { right: "20px", bottom: "88px", width: "380px", maxWidth: "calc(100vw - 24px)", height: "600px", maxHeight: "calc(100vh - 108px)", borderRadius: "12px" });
  }

  function open() {
    if (!frame) {
      // Created on first open: a page view that never opens the chat costs the server nothing.
      var q = new URLSearchParams();
      if (data.group) q.set("group", data.group);
      q.set("lang", lang);
      q.set("page", location.href.slice(0, 2048));
      if (document.referrer) q.set("referrer", document.referrer.slice(0, 2048));
      frame = css(document.createElement("iframe"), { border: "0", flex: "1", width: "100%" });
      frame.id = "kefu-frame";
      frame.title = text.open;
      frame.src = base + "/chat?" + q.toString();
      panel.appendChild(frame);
    }
    fit();
    panel.style.display = "flex";
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function hide() {
    if (panel.style.display === "none") return;
    panel.style.display = "none";
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.style.display === "none") open(); else hide();
  });
  close.addEventListener("click", hide);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  // Escape pressed inside the chat page: it asks us (and only its own frame is listened to).
  window.addEventListener("message", function (e) {
    if (frame && e.source === frame.contentWindow && e.origin === base && e.data && e.data.kefu === "close") hide();
  });
  window.addEventListener("resize", function () { if (panel.style.display !== "none") fit(); });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
