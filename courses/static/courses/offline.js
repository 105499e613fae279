/* Ruta offline study (course page and "Mis cursos"). On a course page, when the learner asks, it shows what the
   download weighs, registers the course's service worker (scope: the course), asks for persistent storage and
   keeps the course's pages and files in Cache Storage ("ruta-offline-<learner tag>-<course id>"), with a progress
   bar; the download can be removed. Nothing is registered or downloaded for learners who never ask. On "Mis cursos"
   it lists the courses the signed-in learner kept on this phone with their size (a family phone may be shared: the
   learner tag, <body data-learner>, is an HMAC, not personal data; signing out deletes every download). Messages come from data-* attributes (translated by
   Django); no inline script, no third-party code. */
(function () {
  "use strict";
  if (window.rutaOffline) { return; }
  window.rutaOffline = true;
  var QUEUE = "ruta:actividades-pendientes";  // activities.js keeps unsent answers here
  var supported = "serviceWorker" in navigator && "caches" in window && !!window.fetch;

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function formatSize(bytes) {
    var lang = document.documentElement.lang || "es";
    var number = function (value, digits) {
      try { return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value); }
      catch (e) { return value.toFixed(digits); }
    };
    if (bytes < 1024 * 1024) { return number(Math.max(1, Math.round(bytes / 1024)), 0) + " KB"; }
    return number(bytes / (1024 * 1024), 1) + " MB";
  }

  var LEARNER = (document.body && document.body.getAttribute("data-learner")) || "";

  // --- "N respuestas por enviar": the answers activities.js still has to send for this page's learner (answers
  // queued before answers carried their learner's tag count as the current learner's, as activities.js sends them).
  function pendingCount() {
    if (!LEARNER) { return 0; }
    try {
      var all = JSON.parse(window.localStorage.getItem(QUEUE) || "{}");
      return Object.keys(all).filter(function (sid) { return !all[sid].owner || all[sid].owner === LEARNER; }).length;
    } catch (e) { return 0; }
  }
  function showPending() {
    var node = document.querySelector("[data-pending-answers]");
    if (!node) { return; }
    var count = pendingCount();
    var before = parseInt(node.getAttribute("data-count") || "0", 10);
    node.setAttribute("data-count", String(count));
    if (count) {
      node.textContent = count === 1 ? node.getAttribute("data-msg-one") : fill(node.getAttribute("data-msg-many"), { n: count });
      node.hidden = false;
    } else if (before) {
      node.textContent = node.getAttribute("data-msg-none");
    }
  }
  window.addEventListener("storage", showPending);

  // --- The course page's download panel.
  function coursePanel(root) {
    var get = function (name) { return root.querySelector("[data-offline-" + name + "]"); };
    var msg = function (name, values) { return fill(root.getAttribute("data-msg-" + name), values || {}); };
    var status = get("status"), choice = get("choice"), progress = get("progress");
    var cacheName = root.getAttribute("data-cache"), metaUrl = root.getAttribute("data-meta-url");
    var scope = root.getAttribute("data-scope");
    var bundle = null;

    function say(text) { status.textContent = text; }

    function register() {
      return navigator.serviceWorker.register(root.getAttribute("data-sw-url"), { scope: scope });
    }

    function readMeta() {
      return caches.open(cacheName).then(function (cache) { return cache.match(metaUrl); })
        .then(function (response) { return response ? response.json() : null; })
        .catch(function () { return null; });
    }

    function chosenItems() {
      var documents = get("documents").checked, media = get("media").checked;
      return bundle.items.filter(function (item) {
        return item.kind === "document" ? documents : item.kind === "media" ? media : true;
      });
    }
    function chosenSize() {
      return chosenItems().reduce(function (sum, item) { return sum + item.size; }, 0);
    }
    function updateTotal() { get("start").textContent = msg("total", { size: formatSize(chosenSize()) }); }

    function open(moduleId, moduleTitle) {
      say("");
      var url = root.getAttribute("data-bundle-url") + (moduleId ? "?modulo=" + encodeURIComponent(moduleId) : "");
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
        .then(function (data) {
          bundle = data;
          get("part").textContent = moduleId ? msg("module", { title: moduleTitle }) : "";
          get("base").textContent = msg("base", { size: formatSize(data.sizes.base) });
          get("documents-row").hidden = !data.sizes.document;
          get("documents-size").textContent = formatSize(data.sizes.document);
          get("media-row").hidden = !data.sizes.media;
          get("media-size").textContent = formatSize(data.sizes.media);
          choice.hidden = false;
          updateTotal();
          get("start").focus();
        })
        .catch(function () { say(msg("error")); });
    }

    function pageAssets() {
      // What this page links besides the listed files (the theme's colours, a logo): the lessons link them too.
      var urls = [];
      Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet][href], script[src], header img[src]"),
        function (node) {
          var url = new URL(node.getAttribute("href") || node.getAttribute("src"), window.location.href);
          if (url.origin === window.location.origin) { urls.push({ url: url.pathname + url.search, kind: "asset", size: 0 }); }
        });
      return urls;
    }

    function download(event) {
      event.preventDefault();
      if (!bundle) { return; }
      var items = chosenItems(), seen = {};
      items = items.concat(pageAssets()).filter(function (item) {
        if (seen[item.url]) { return false; }
        seen[item.url] = true;
        return true;
      });
      var done = 0, failed = 0;
      choice.hidden = true;
      get("progress-row").hidden = false;
      progress.max = items.length;
      progress.value = 0;
      say(msg("downloading", { done: 0, total: items.length }));
      if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
      var queue = items.slice();
      function next(cache) {
        var item = queue.shift();
        if (!item) { return Promise.resolve(); }
        var headers = item.kind === "page" ? { "X-Ruta-Download": "1" } : {};  // not a visit (LessonPage.serve)
        return fetch(item.url, { credentials: "same-origin", cache: "no-store", headers: headers })
          .then(function (response) {
            if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
            return response.blob().then(function (blob) {
              var headers = new Headers(response.headers);
              headers.delete("Content-Encoding");  // the body kept is already decoded
              headers.delete("Content-Length");
              return cache.put(item.url, new Response(blob, { status: 200, headers: headers }));
            });
          })
          .then(function () { done += 1; }, function (error) {
            failed += 1;
            if (error && error.name === "QuotaExceededError") { queue.length = 0; say(msg("space")); }
          })
          .then(function () {
            progress.value = done + failed;
            if (queue.length) { say(msg("downloading", { done: done + failed, total: items.length })); }
            return next(cache);
          });
      }
      return register()
        .then(function () { return caches.open(cacheName); })
        .then(function (cache) {
          return Promise.all([next(cache), next(cache), next(cache)]).then(function () { return readMeta(); })
            .then(function (old) {
              var modules = bundle.module ? [bundle.module.id] : ["all"];
              if (old && old.modules && old.modules.indexOf("all") === -1 && modules[0] !== "all") {
                modules = old.modules.concat(modules.filter(function (id) { return old.modules.indexOf(id) === -1; }));
              }
              var meta = { course: bundle.course, version: bundle.version, modules: modules, saved: new Date().toISOString() };
              return sizeOfCache(cacheName)
                .then(function (total) {
                  meta.bytes = total;
                  return cache.put(metaUrl, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }))
                    .then(function () { return total; });
                });
            });
        })
        .then(function (total) {
          say(failed ? msg("partial", { done: done, total: items.length }) : msg("done", { size: formatSize(total) }));
          root.setAttribute("data-offline-state", failed ? "partial" : "saved");
          get("remove-row").hidden = false;
        })
        .catch(function () { say(msg("error")); });
    }

    function remove() {
      caches.delete(cacheName)
        .then(function () { return navigator.serviceWorker.getRegistration(scope); })
        .then(function (registration) {
          if (registration && new URL(registration.scope).pathname === scope) { return registration.unregister(); }
        })
        .then(function () {
          get("remove-row").hidden = true;
          get("progress-row").hidden = true;
          root.removeAttribute("data-offline-state");
          say(msg("removed"));
        });
    }

    get("open").addEventListener("click", function () { open(null, ""); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-module]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        root.scrollIntoView();
        open(button.getAttribute("data-offline-module"), button.getAttribute("data-module-title"));
      });
    });
    choice.addEventListener("submit", download);
    choice.addEventListener("change", updateTotal);
    get("remove").addEventListener("click", remove);
    root.hidden = false;

    // A download already on this phone: keep its worker registered, say what it weighs and whether it is current.
    caches.has(cacheName).then(function (has) {
      if (!has) { return; }
      register().catch(function () {});
      readMeta().then(function (meta) {
        if (!meta) { return; }
        root.setAttribute("data-offline-state", "saved");
        get("remove-row").hidden = false;
        say(msg("saved", { size: formatSize(meta.bytes || 0) }));
        if (navigator.onLine === false) { return; }
        var module = meta.modules && meta.modules[0] !== "all" && meta.modules.length === 1 ? "?modulo=" + meta.modules[0] : "";
        fetch(root.getAttribute("data-bundle-url") + module, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (fresh) {
            if (fresh && fresh.version !== meta.version) {
              root.setAttribute("data-offline-state", "changed");
              say(msg("changed"));
            }
          }, function () {});
      });
    });
  }

  function sizeOfCache(name) {
    return caches.open(name).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) {
          return cache.match(key).then(function (response) { return response ? response.blob() : null; })
            .then(function (blob) { return blob ? blob.size : 0; });
        }));
      });
    }).then(function (sizes) { return sizes.reduce(function (a, b) { return a + b; }, 0); });
  }

  // --- "Mis cursos": the courses kept on this phone.
  function phoneList(root) {
    var list = root.querySelector("[data-offline-list]");
    var base = root.getAttribute("data-meta-pattern");
    caches.keys().then(function (names) {
      var prefix = "ruta-offline-" + LEARNER + "-";
      var mine = names.filter(function (name) { return name.indexOf(prefix) === 0 && /^\d+$/.test(name.slice(prefix.length)); });
      return Promise.all(mine.map(function (name) {
        var id = name.slice(prefix.length);
        return caches.open(name).then(function (cache) { return cache.match(base.replace("/0/", "/" + id + "/")); })
          .then(function (response) { return response ? response.json() : null; })
          .then(function (meta) { return meta ? sizeOfCache(name).then(function (size) { meta.bytes = size; return meta; }) : null; });
      }));
    }).then(function (metas) {
      var total = 0;
      metas.filter(Boolean).forEach(function (meta) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = meta.course.url;
        link.textContent = meta.course.title;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" · " + formatSize(meta.bytes)));
        list.appendChild(item);
        total += meta.bytes;
      });
      if (list.children.length) {
        root.querySelector("[data-offline-total]").textContent = fill(root.getAttribute("data-msg-total"), { size: formatSize(total) });
        root.hidden = false;
      }
    }).catch(function () {});
  }

  // Downloads made before they carried their learner's tag cannot be told apart: remove them (download again).
  function dropUntagged() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return /^ruta-offline-\d+$/.test(name); })
        .map(function (name) { return caches.delete(name); }));
    }).catch(function () {});
  }

  function start() {
    showPending();
    if (!supported || !LEARNER) { return; }
    dropUntagged();
    var panel = document.getElementById("offline-download");
    if (panel) { coursePanel(panel); }
    var phone = document.getElementById("offline-courses");
    if (phone) { phoneList(phone); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
