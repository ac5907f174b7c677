/* Tandem loader: draws the launcher at once, loads the chat widget only when it is needed, and
   offers the page window.Tandem: open(), close(), share(), identify({...}), setLocale(tag), on(event, fn).
   Calls made before this script ran are queued in window.Tandem.q (see docs/embedding.md).
   The site's look (colour, corner, texts) comes from the tag's attributes, else from the
   relay's settings for data-site (remembered in localStorage so the launcher never flickers). */
(function () {
  var d = document, w = window, s = d.currentScript;
  if (!s || w.__tandem) return;
  w.__tandem = true;
  var base = new URL(s.src).origin, assets = base + "/assets/v-__VERSION__/widget/";
  var attr = function (n) { return s.getAttribute("data-" + n); };
  var lang = (attr("locale") || d.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  var custom = attr("launcher-text"), site = attr("site") || "default", lookKey = "tandem.look." + site;
  var cfg = { relay: base, site: site, locale: lang, launcherText: custom, greeting: attr("greeting"), look: null,
    userId: attr("user-id"), userHash: attr("user-hash"),
    privateSelectors: attr("private-selectors"), publicSelectors: attr("public-selectors"),
    privateByDefault: attr("privacy") === "private-by-default", titleFlash: attr("title-flash") !== "off", sound: attr("sound") === "on" };
  var fallback = attr("fallback-email");
  var host = d.createElement("div");
  host.setAttribute("data-tandem", "");
  var root = host.attachShadow({ mode: "open" });
  // Phones: the panel follows the visual viewport, so the on-screen keyboard never covers the
  // field being typed in (the layout viewport does not shrink for it).
  var vv = w.visualViewport;
  if (vv) {
    var fit = function () {
      host.style.setProperty("--tandem-vh", vv.height + "px");
      host.style.setProperty("--tandem-vtop", vv.offsetTop + "px");
    };
    vv.addEventListener("resize", fit);
    vv.addEventListener("scroll", fit);
    fit();
  }
  // (The invitation bubble brings its own style: invite.js.)
  root.innerHTML = "<style>:host{all:initial!important}[data-tandem-launcher],a{position:fixed;right:20px;bottom:20px;z-index:2147483000;" +
    "font:600 15px/1.2 system-ui,sans-serif;color:#fff;background:var(--tandem-color,#1d4ed8);border:0;border-radius:24px;" +
    "padding:12px 18px;box-shadow:0 4px 14px #0004;cursor:pointer;text-decoration:none}" +
    // The panel's frame shown while the chat downloads (the widget's own panel replaces it).
    "section{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:370px;max-width:calc(100vw - 24px);height:560px;" +
    "max-height:calc(100vh - 40px);background:#fff;border-radius:14px;box-shadow:0 4px 14px #0004;overflow:hidden}" +
    "h2{margin:0;padding:0 16px;font:600 16px/56px system-ui,sans-serif;color:#fff;background:var(--tandem-color,#1d4ed8)}" +
    "i{display:block;height:14px;margin:22px 16px;border-radius:7px;background:#eee}" +
    "@media (max-width:480px){section{inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}}" +
    ":host([data-position=left]) :is([data-tandem-launcher],a,section){left:20px;right:auto}</style>" +
    "<button type=\"button\" data-tandem-launcher></button>";
  var button = root.querySelector("button");
  var fr = function () { return cfg.locale === "fr"; };
  var title = function () { return fr() ? "Discuter avec un conseiller" : "Chat with an adviser"; };
  var label = function () {
    var own = cfg.look && cfg.look.launcher_text && cfg.look.launcher_text[fr() ? "fr" : "en"];
    return custom || own || title();
  };
  function applyLook(look) {
    cfg.look = look;
    var color = attr("color") || look.color, corner = attr("position") || look.position;
    if (color) host.style.setProperty("--tandem-color", color);
    host.setAttribute("data-position", corner === "left" ? "left" : "right");
    if (!widget) button.textContent = label();
  }
  try { applyLook(JSON.parse(w.localStorage.getItem(lookKey)) || {}); } catch (e) { applyLook({}); }
  var siteApi = base + "/api/v1/sites/" + encodeURIComponent(site);
  var looked = fetch(siteApi + "/appearance").then(function (r) {
    return r.ok ? r.json() : {};
  }).then(function (look) {
    applyLook(look);
    try { w.localStorage.setItem(lookKey, JSON.stringify(look)); } catch (e) { /* storage blocked */ }
  }, function () { /* relay unreachable: keep the remembered look */ });
  var listeners = {}, widget = null, loading = null, skeleton = null;
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (h) { try { h(detail); } catch (e) { setTimeout(function () { throw e; }); } });
  }
  function failed() {
    loading = null;
    if (skeleton) skeleton.remove();
    skeleton = null;
    button.disabled = false;
    if (fallback) {
      // The widget cannot load: offer to write instead of a broken box.
      var a = d.createElement("a");
      a.href = "mailto:" + fallback;
      a.setAttribute("data-tandem-fallback", "");
      a.textContent = fr() ? "Écrivez-nous" : "Write to us";
      root.replaceChild(a, button);
    } else {
      button.textContent = fr() ? "Chat indisponible, réessayer" : "Chat unavailable, try again";
    }
  }
  function load(open, share) {
    button.disabled = true;
    // The click is answered at once: the launcher says the chat is coming and the panel's
    // frame (its title, a light skeleton) shows while the chat downloads.
    if (open) {
      button.textContent = label() + " …";
      if (!widget && !skeleton) {
        skeleton = d.createElement("section");
        skeleton.setAttribute("aria-busy", "true");
        skeleton.innerHTML = "<h2></h2><i></i><i></i><i></i>";
        skeleton.firstChild.textContent = title();
        root.appendChild(skeleton);
      }
    }
    // The WebAssembly is fetched alongside the JS, not after it (a round trip less).
    loading = loading || looked.then(function () {
      var path = assets + "widget", wasm = fetch(path + "_bg.wasm");
      wasm["catch"](function () { /* reported by the import or the init below */ });
      return import(path + ".js").then(function (m) {
        return m.default({ module_or_path: wasm }).then(function () { return m; });
      });
    });
    loading.then(function (m) {
      if (widget) return share ? widget.share() : widget.open();
      widget = m.mount(root, cfg, open, emit);
      if (share) widget.share();
      emit("ready");
      if (open) emit("open");
    }, failed);
  }
  var api = {
    open: function () { load(true); },
    close: function () { if (widget) widget.close(); },
    // A code to read out to an adviser on the phone, who then asks to see the page.
    share: function () { load(true, true); },
    identify: function (details) {
      details = details || {};
      "name email phone company userId userHash".split(" ").forEach(function (k) {
        if (details[k] != null) cfg[k] = String(details[k]);
      });
      if (widget) widget.identify(details);
    },
    setLocale: function (tag) {
      cfg.locale = String(tag || "en").slice(0, 2).toLowerCase();
      if (widget) widget.setLocale(cfg.locale); else button.textContent = label();
    },
    on: function (name, handler) {
      if (typeof handler !== "function") return;
      (listeners[name] = listeners[name] || []).push(handler);
      if (name === "ready" && widget) handler();
    }
  };
  var queued = (w.Tandem && w.Tandem.q) || [];
  w.Tandem = api;
  button.addEventListener("click", function () { load(true); });
  // The pages of this visit, for the adviser if the visitor asks for one (the widget sends
  // them with the chat): address without its query, title, time; the visit's first page also
  // notes the referring page (the widget keeps another site's, without its query) and counts
  // the visit.
  try {
    var ss = w.sessionStorage, pages = JSON.parse(ss.getItem("tandem.pages") || "[]"), loc = w.location;
    if (!pages.length) {
      w.localStorage.setItem("tandem.visits", (+w.localStorage.getItem("tandem.visits") || 0) + 1);
      ss.setItem("tandem.referrer", d.referrer);
    }
    pages.push({ url: loc.origin + loc.pathname, title: d.title, at_ms: Date.now() });
    ss.setItem("tandem.pages", JSON.stringify(pages.slice(-30)));
  } catch (e) { /* storage blocked: no pages to show */ }
  function start() {
    d.body.appendChild(host);
    var resume = null;
    try { resume = w.localStorage.getItem("tandem.conversation"); } catch (e) { /* storage blocked */ }
    queued.forEach(function (call) { if (api[call[0]]) api[call[0]].apply(null, call[1]); });
    // Proactive invitations: their code is fetched only for a site that has some.
    if (resume) load(false); else looked.then(function () {
      if (cfg.look.invitations) return import(assets + "invite.js").then(function (m) {
        m.default({ root: root, cfg: cfg, siteApi: siteApi, open: function (queue) { cfg.queue = queue; load(true); },
          busy: function () { return widget || loading; } });
      });
    })["catch"](function () { /* no invitation */ });
  }
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})();
