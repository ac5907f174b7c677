/* Tandem's proactive invitations, fetched by the loader only for sites that have invitation
   rules (the appearance says so): the first of the site's rules offered now (an adviser of its
   queue is available) whose pattern matches this page shows as a bubble after its delay, at
   most once per visit, never during a chat; what the visitor does with it is counted.
   `tandem` is what the loader lends it: its shadow root, settings, the site's API address,
   `open(queue)` and `busy()` (the chat is loaded or loading). */
export default function (tandem) {
  var w = window, d = document, cfg = tandem.cfg, siteUrl = tandem.siteApi + "/invitations";
  function report(rule, what) {
    fetch(siteUrl + "/" + encodeURIComponent(rule.id) + "/" + what, { method: "POST", mode: "no-cors" })["catch"](function () {});
  }
  // The rule offered for this page now (with `id`: only that one), then `then(rule)`.
  function offered(id, then) {
    fetch(siteUrl + "?path=" + encodeURIComponent(w.location.pathname)).then(function (r) { return r.ok ? r.json() : null; }).then(function (rule) {
      if (rule && (!id || rule.id === id) && !tandem.busy()) then(rule);
    }, function () { /* relay unreachable: no invitation */ });
  }
  function bubble(rule) {
    try { w.sessionStorage.setItem("tandem.invited", rule.id); } catch (e) { /* shown anyway */ }
    var box = d.createElement("div"), style = d.createElement("style"), open = d.createElement("button"),
      close = d.createElement("button");
    box.setAttribute("role", "status");
    // A white bubble above the launcher, in its corner.
    style.textContent = "div{position:fixed;right:20px;bottom:76px;z-index:2147483000;display:flex;max-width:280px;" +
      "font:600 15px/1.2 system-ui,sans-serif;background:#fff;border-radius:14px;box-shadow:0 4px 14px #0004;cursor:pointer}" +
      "div button{font:inherit;color:#1f2937;background:none;border:0;cursor:pointer;padding:12px;text-align:left}" +
      ":host([data-position=left]) div{left:20px;right:auto}";
    box.append(style, open, close);
    open.textContent = rule.message[cfg.locale] || rule.message.fr || rule.message.en;
    close.setAttribute("aria-label", cfg.locale === "fr" ? "Fermer" : "Close");
    close.textContent = "\u00d7";
    box.onclick = function (event) {
      box.remove();
      report(rule, event.target === close ? "dismissed" : "opened");
      if (event.target !== close) tandem.open(rule.queue);
    };
    tandem.root.appendChild(box);
    report(rule, "shown");
  }
  try { if (w.sessionStorage.getItem("tandem.invited")) return; } catch (e) { return; }
  // Asked again when the delay is over: the adviser may have left meanwhile.
  offered(null, function (rule) { setTimeout(function () { offered(rule.id, bubble); }, rule.after_secs * 1000); });
}
