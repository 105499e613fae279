/* The download helper of the package origin (content/packages/origin.py): a hidden page that Ruta's course page
   frames, because Ruta's page cannot write another origin's Cache Storage. It takes orders only from Ruta's origin
   (its parent, event.origin checked) and only about addresses of its own origin under /paquetes/ (or Ruta's static
   files that package pages load from this origin); it registers the package-origin worker (package-sw.js), keeps
   the files in caches named like the course's download on Ruta ("ruta-offline-<learner tag>-<course id>"), keyed
   without the expiring token, and answers each order with a reply carrying the order's id.
   Orders: fetch {cache, url, v} → {ok, bytes} · remove {cache} · prune {cache, keep: [keys]} · clear {keep}.
   Storage is partitioned by top-level site in Chromium: this page and the package frames are always embedded in
   Ruta's pages, so they share one partition. */
(function () {
  "use strict";
  var html = document.documentElement;
  var RUTA = html.getAttribute("data-ruta-origin");
  var WORKER = html.getAttribute("data-worker");
  var STATIC = html.getAttribute("data-static") || "/static/";
  var TOKENED = /^\/paquetes\/([0-9a-fA-F-]{36})\/[^/]+\/(archivos|h5p)\//;
  var CACHE = /^ruta-offline-[A-Za-z0-9_-]+$/;
  var VERSION = "X-Ruta-Version";
  if (!RUTA || window.parent === window) { return; }

  function keyOf(url) {
    return url.origin + url.pathname.replace(TOKENED, "/paquetes/$1/$2/");
  }
  function ownUrl(text) {
    try {
      var url = new URL(String(text));
      if (url.origin !== window.location.origin) { return null; }
      return TOKENED.test(url.pathname) || url.pathname.indexOf(STATIC) === 0 ? url : null;
    } catch (e) { return null; }
  }

  var registered = null;
  function register() {
    if (!registered) {
      registered = "serviceWorker" in navigator
        ? navigator.serviceWorker.register(WORKER, { scope: "/paquetes/" }).catch(function () {})
        : Promise.resolve();
    }
    return registered;
  }

  function fetchOne(args) {
    var url = ownUrl(args.url);
    if (!url || !CACHE.test(args.cache || "")) { return Promise.resolve({ ok: false, error: "refused" }); }
    return register().then(function () {
      // X-Ruta-Download: the worker lets it through to the network (an update replaces what is kept).
      return fetch(url.href, { credentials: "omit", cache: "no-store", headers: { "X-Ruta-Download": "1" } });
    }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
      return response.blob().then(function (blob) {
        var headers = new Headers(response.headers);
        headers.delete("Content-Encoding");  // the body kept is already decoded
        headers.delete("Content-Length");
        headers.set(VERSION, String(args.v || ""));
        return caches.open(args.cache).then(function (cache) {
          return cache.put(keyOf(url), new Response(blob, { status: 200, headers: headers }));
        }).then(function () { return { ok: true, bytes: blob.size }; });
      });
    }).catch(function (error) { return { ok: false, error: (error && error.name) || "error" }; });
  }

  function prune(args) {
    if (!CACHE.test(args.cache || "")) { return Promise.resolve({ ok: false }); }
    var keep = {};
    (args.keep || []).forEach(function (key) { keep[key] = true; });
    return caches.open(args.cache).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return !keep[key.url]; }).map(function (key) { return cache.delete(key); }));
      });
    }).then(function () { return { ok: true }; });
  }

  function clear(args) {  // every download but those of the learner ``keep`` (none: all), and the worker with them
    var own = args.keep ? "ruta-offline-" + args.keep + "-" : null;
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("ruta-offline-") === 0 && !(own && name.indexOf(own) === 0);
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return caches.keys(); }).then(function (left) {
      if (left.some(function (name) { return name.indexOf("ruta-offline-") === 0; }) || !("serviceWorker" in navigator)) { return; }
      return navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
      });
    }).then(function () { return { ok: true }; });
  }

  var orders = {
    fetch: fetchOne,
    prune: prune,
    clear: clear,
    remove: function (args) {
      if (!CACHE.test(args.cache || "")) { return Promise.resolve({ ok: false }); }
      return caches.delete(args.cache).then(function () { return { ok: true }; });
    }
  };

  window.addEventListener("message", function (event) {
    if (event.origin !== RUTA || event.source !== window.parent) { return; }
    var data = event.data;
    if (!data || data.ruta !== "pkg-helper" || !orders.hasOwnProperty(data.op)) { return; }
    orders[data.op](data.args || {}).catch(function () { return { ok: false }; }).then(function (reply) {
      reply.ruta = "pkg-helper-reply";
      reply.id = data.id;
      window.parent.postMessage(reply, RUTA);
    });
  });
  window.parent.postMessage({ ruta: "pkg-helper-ready" }, RUTA);
})();
