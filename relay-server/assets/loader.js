/* Tandem loader: draws the launcher at once, loads the chat widget only when it is needed. */
(function () {
  "use strict";
  var d = document, w = window, s = d.currentScript;
  if (!s || w.__tandem) return;
  w.__tandem = true;
  var base = new URL(s.src).origin, v = "__VERSION__";
  var attr = function (n) { return s.getAttribute("data-" + n); };
  var lang = (attr("locale") || d.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  var fr = lang === "fr";
  var label = attr("launcher-text") || (fr ? "Discuter avec un conseiller" : "Chat with an adviser");
  var cfg = { relay: base, locale: lang, launcherText: label, userId: attr("user-id"), userHash: attr("user-hash"),
    privateSelectors: attr("private-selectors"), publicSelectors: attr("public-selectors"),
    privateByDefault: attr("privacy") === "private-by-default" };
  var host = d.createElement("div");
  host.setAttribute("data-tandem", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML = "<style>:host{all:initial}button{position:fixed;right:20px;bottom:20px;z-index:2147483000;" +
    "font:600 15px/1.2 system-ui,sans-serif;color:#fff;background:#1d4ed8;border:0;border-radius:24px;" +
    "padding:12px 18px;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}</style>" +
    "<button type=\"button\" data-tandem-launcher></button>";
  var button = root.querySelector("button");
  button.textContent = label;
  var loading = null;
  function load(open) {
    button.disabled = true;
    loading = loading || import(base + "/assets/widget/widget.js?v=" + v).then(function (m) {
      return m.default({ module_or_path: base + "/assets/widget/widget_bg.wasm?v=" + v }).then(function () { return m; });
    });
    loading.then(function (m) { m.mount(root, cfg, open); }, function () {
      loading = null;
      button.disabled = false;
      button.textContent = fr ? "Chat indisponible, réessayer" : "Chat unavailable, try again";
    });
  }
  button.addEventListener("click", function () { load(true); });
  function start() {
    d.body.appendChild(host);
    var resume = null;
    try { resume = w.localStorage.getItem("tandem.conversation"); } catch (e) { /* storage blocked */ }
    if (resume) load(false);
  }
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})();
