/* Ruta offline study (course page and "Mis cursos"); see courses/README.md, «Offline study». Only when the learner
   asks: sizes, the course's worker, its pages and files in Cache Storage ("ruta-offline-<learner tag>-<course id>").
   Messages come from data-* attributes (translated by Django); no inline script, no third-party code. */
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

  // --- Packages on their own origin: kept by its helper (packages/helper-client.js); here an empty mark of each
  // (courses/README.md).
  var BYTES = "X-Ruta-Bytes";
  function isPackage(item) { return item.kind === "package"; }
  function packageKey(url) {  // without the expiring token
    var u = new URL(url, window.location.href);
    return u.origin + u.pathname.replace(/^\/paquetes\/([0-9a-fA-F-]{36})\/[^/]+\/(archivos|h5p)\//, "/paquetes/$1/$2/");
  }
  function keyOf(item) { return isPackage(item) ? packageKey(item.url) : item.url; }

  // --- "N respuestas por enviar": the answers activities.js still has to send for this page's learner (untagged
  // answers count as hers, as activities.js sends them).
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

  // --- The course page's download panel. Each cached file carries its item's version (X-Ruta-Version): a download
  // fetches only the items not kept in that version. The record (meta): parts, choices, versions, complete.
  var VERSION = "X-Ruta-Version";
  function coursePanel(root) {
    var get = function (name) { return root.querySelector("[data-offline-" + name + "]"); };
    var msg = function (name, values) { return fill(root.getAttribute("data-msg-" + name), values || {}); };
    var status = get("status"), choice = get("choice"), progress = get("progress");
    var cacheName = root.getAttribute("data-cache"), metaUrl = root.getAttribute("data-meta-url");
    var scope = root.getAttribute("data-scope");
    var bundle = null, run = null, ready = null;  // ready: a checked download that can be continued or updated

    function say(text) { status.textContent = text; }
    function rows(names) {  // show these rows (and buttons) of the panel, hide the others
      ["progress-row", "run-row", "again-row", "remove-row"].forEach(function (name) { get(name).hidden = names.indexOf(name) === -1; });
    }

    function register() {
      return navigator.serviceWorker.register(root.getAttribute("data-sw-url"), { scope: scope });
    }

    function readMeta() {
      return caches.open(cacheName).then(function (cache) { return cache.match(metaUrl); })
        .then(function (response) { return response ? response.json() : null; })
        .then(function (meta) {  // a record from before versions: its files are fetched again on the next update
          if (!meta) { return null; }
          var modules = meta.modules || ["all"];
          if (!meta.parts) {
            meta.parts = {};
            modules.forEach(function (part) { meta.parts[part] = modules.length === 1 ? meta.version : ""; });
          }
          meta.choices = meta.choices || { documents: false, media: false };
          meta.complete = meta.complete !== false;
          return meta;
        })
        .catch(function () { return null; });
    }
    function writeMeta(cache, meta) {
      return cache.put(metaUrl, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
    }

    function fetchBundle(part) {
      var url = root.getAttribute("data-bundle-url") + (part !== "all" ? "?modulo=" + encodeURIComponent(part) : "");
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); });
    }
    function loadParts(parts) {  // the bundles of every part kept, as one list of items
      var keys = Object.keys(parts);
      return Promise.all(keys.map(fetchBundle)).then(function (bundles) {
        var data = { course: bundles[0].course, versions: {}, items: [], online: [] }, seen = {};
        bundles.forEach(function (one, index) {
          data.versions[keys[index]] = one.version;
          data.online = data.online.concat(one.needs_internet || []);
          one.items.forEach(function (item) {
            if (!seen[item.url]) { seen[item.url] = item; data.items.push(item); }
            else if (seen[item.url].v !== item.v) { seen[item.url].v += "+" + item.v; }
          });
        });
        return data;
      });
    }

    function pageAssets() {
      // What this page links besides the listed files (the theme's colours, a logo): the lessons link them too.
      var urls = [];
      Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet][href], script[src], header img[src]"),
        function (node) {
          var url = new URL(node.getAttribute("href") || node.getAttribute("src"), window.location.href);
          var path = url.pathname + url.search;
          if (url.origin === window.location.origin) { urls.push({ url: path, kind: "asset", size: 0, v: path }); }
        });
      return urls;
    }
    function select(items, choices) {  // what the learner chose to keep, once each
      var seen = {};
      return items.filter(function (item) {
        return item.kind === "document" ? choices.documents : item.kind === "media" ? choices.media : true;
      }).concat(pageAssets()).filter(function (item) {
        if (seen[item.url]) { return false; }
        seen[item.url] = true;
        return true;
      });
    }
    function missing(cache, items) {  // the items not kept on the phone in their current version
      return Promise.all(items.map(function (item) {
        return cache.match(keyOf(item)).then(function (kept) { return kept && kept.headers.get(VERSION) === item.v ? null : item; });
      })).then(function (list) { return list.filter(Boolean); });
    }
    function sizeOf(items) { return items.reduce(function (sum, item) { return sum + item.size; }, 0); }

    function online(list) {  // the lessons whose activity needs the Internet (not downloaded)
      var ul = get("online-list"), seen = {};
      ul.textContent = "";
      list.forEach(function (a) {
        if (seen[a.url + a.activity]) { return; }
        seen[a.url + a.activity] = 1;
        var li = ul.appendChild(document.createElement("li")), link = li.appendChild(document.createElement("a"));
        link.href = a.url;
        link.textContent = a.lesson;
        li.appendChild(document.createTextNode(": " + msg("online", { activity: a.activity })));
      });
      get("online").hidden = !ul.children.length;
    }

    function chosen() { return { documents: get("documents").checked, media: get("media").checked }; }
    function updateTotal() {
      get("start").textContent = msg("total", { size: formatSize(sizeOf(select(bundle.items, chosen()))) });
    }

    function open(moduleId, moduleTitle) {
      say("");
      return fetchBundle(moduleId || "all")
        .then(function (data) {
          bundle = data;
          online(data.needs_internet);
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

    function download(event) {  // a new download from the form: this part, with the parts already kept
      event.preventDefault();
      if (!bundle || run) { return; }
      var part = bundle.module ? String(bundle.module.id) : "all", choices = chosen();
      choice.hidden = true;
      readMeta().then(function (old) {
        var parts = {};
        if (part !== "all" && old && !old.parts.all) { Object.keys(old.parts).forEach(function (key) { parts[key] = ""; }); }
        parts[old && old.parts.all ? "all" : part] = "";
        return loadParts(parts);
      }).then(function (data) { begin(data, choices); }, function () { say(msg("error")); });
    }

    function begin(data, choices) {
      var items = select(data.items, choices), versions = {};
      items.forEach(function (item) { versions[item.url] = item.v; });
      var meta = { course: data.course, parts: data.versions, modules: Object.keys(data.versions), choices: choices,
        items: versions, complete: false, saved: new Date().toISOString() };
      ready = null;
      if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
      return register()
        .then(function () { return caches.open(cacheName); })
        .then(function (cache) {
          return writeMeta(cache, meta).then(function () { return missing(cache, items); }).then(function (todo) {
            run = { cache: cache, meta: meta, items: items, queue: todo, done: items.length - todo.length, failed: 0, active: 0 };
            progress.max = items.length;
            rows(["progress-row", "run-row", "remove-row"]);
            get("pause").hidden = false;
            get("resume").hidden = true;
            root.setAttribute("data-offline-state", "downloading");
            report();
            pump();
          });
        })
        .catch(function () { say(msg("error")); });
    }

    function report() {
      progress.value = run.done + run.failed;
      say(msg(run.paused ? "paused" : "downloading", { done: run.done + run.failed, total: run.items.length }));
    }
    function pump() {
      var r = run;
      while (r.active < 3 && r.queue.length && !r.paused) { fetchOne(r, r.queue.shift()); }
      if (!r.active && (!r.paused || !r.queue.length)) { finish(r); }
    }
    function keepPackage(r, item) {  // kept by the package origin's helper; a mark of it here
      return window.rutaPackageHelper("fetch", { cache: cacheName, url: item.url, v: item.v }).then(function (reply) {
        // SecurityError: no storage for a frame of another site here; marked refused, it opens with signal.
        var refused = reply.error === "SecurityError";
        if (!reply.ok && !refused) { var error = new Error(); error.name = reply.error; throw error; }
        var headers = { "X-Ruta-Refused": refused ? "1" : "" };
        r.refused = r.refused || refused;
        headers[VERSION] = item.v;
        headers[BYTES] = String(reply.bytes || 0);
        return r.cache.put(packageKey(item.url), new Response("", { headers: headers }));
      });
    }
    function fetchOne(r, item) {
      r.active += 1;
      // X-Ruta-Download: the worker lets it through to the network, and a lesson fetched is not a visit.
      (isPackage(item) ? keepPackage(r, item) : fetch(item.url, { credentials: "same-origin", cache: "no-store", headers: { "X-Ruta-Download": "1" } })
        .then(function (response) {
          if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
          return response.blob().then(function (blob) {
            var headers = new Headers(response.headers);
            headers.delete("Content-Encoding");  // the body kept is already decoded
            headers.delete("Content-Length");
            headers.set(VERSION, item.v);
            return r.cache.put(item.url, new Response(blob, { status: 200, headers: headers }));
          });
        }))
        .then(function () { r.done += 1; }, function (error) {
          r.failed += 1;
          if (error && error.name === "QuotaExceededError") { r.queue.length = 0; r.space = true; }
        })
        .then(function () {
          r.active -= 1;
          if (run !== r) { return; }  // removed meanwhile
          report();
          pump();
        });
    }
    function pause() {
      run.paused = true;
      get("pause").hidden = true;
      get("resume").hidden = false;
      get("resume").focus();
      report();
    }
    function resume() {
      run.paused = false;
      get("resume").hidden = true;
      get("pause").hidden = false;
      get("pause").focus();
      report();
      pump();
    }

    function prune(cache, items) {
      // A full course's download drops what is no longer in it; its record and the worker's list of lessons read
      // offline (under the bundle's address) stay. A module's download never removes other modules' files.
      var keep = {}, own = new URL(root.getAttribute("data-bundle-url"), window.location.href).href, packages = [];
      items.forEach(function (item) {
        keep[new URL(keyOf(item), window.location.href).href] = true;
        if (isPackage(item)) { packages.push(packageKey(item.url)); }
      });
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return !keep[key.url] && key.url.indexOf(own) !== 0; })
          .map(function (key) { return cache.delete(key); }));
      }).then(function () {
        if (window.rutaPackageHelper) { return window.rutaPackageHelper("prune", { cache: cacheName, keep: packages }); }
      });
    }

    function finish(r) {
      var ok = !r.failed;
      (ok && r.meta.parts.all ? prune(r.cache, r.items) : Promise.resolve())
        .then(function () { return sizeOfCache(cacheName); })
        .then(function (total) {
          r.meta.bytes = total;
          r.meta.complete = ok;
          r.meta.saved = new Date().toISOString();
          return run === r ? writeMeta(r.cache, r.meta).then(function () { return total; }) : null;
        })
        .then(function (total) {
          if (run !== r) { return; }
          run = null;
          rows(["remove-row"]);
          root.setAttribute("data-offline-state", ok ? "saved" : "partial");
          say(ok ? msg("done", { size: formatSize(total) }) + (r.refused ? " " + msg("refused") : "") : r.space ? msg("space") : msg("partial", { done: r.done, total: r.items.length }));
          if (!ok) { check(r.meta); }
        })
        .catch(function () { say(msg("error")); });
    }

    function remove() {
      run = null;
      ready = null;
      var packages = window.rutaPackageHelper ? Promise.race([
        window.rutaPackageHelper("remove", { cache: cacheName }), new Promise(function (resolve) { window.setTimeout(resolve, 10000); })
      ]).catch(function () {}) : Promise.resolve();
      Promise.all([caches.delete(cacheName), packages])
        .then(function () { return navigator.serviceWorker.getRegistration(scope); })
        .then(function (registration) {
          if (registration && new URL(registration.scope).pathname === scope) { return registration.unregister(); }
        })
        .then(function () {
          rows([]);
          root.removeAttribute("data-offline-state");
          say(msg("removed"));
        });
    }

    function check(meta) {
      // Online: what is missing or changed since the download; «Continuar la descarga» or «Actualizar» fetch only that.
      if (navigator.onLine === false) { return; }
      loadParts(meta.parts).then(function (data) {
        online(data.online);
        var items = select(data.items, meta.choices);
        return caches.open(cacheName).then(function (cache) { return missing(cache, items); }).then(function (todo) {
          var changed = Object.keys(data.versions).some(function (part) { return data.versions[part] !== meta.parts[part]; });
          if (run || (!todo.length && !changed)) { return; }
          ready = { data: data, choices: meta.choices };
          get("again").textContent = msg(meta.complete ? "update" : "continue", { size: formatSize(sizeOf(todo)) });
          rows(["again-row", "remove-row"]);
          if (meta.complete) {
            root.setAttribute("data-offline-state", "changed");
            say(msg("changed"));
          }
        });
      }).catch(function () {});
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
    get("pause").addEventListener("click", pause);
    get("resume").addEventListener("click", resume);
    get("again").addEventListener("click", function () { if (ready && !run) { begin(ready.data, ready.choices); } });
    root.hidden = false;

    // A download already on this phone: keep its worker registered, say what it weighs, whether it is complete and
    // whether the course changed since.
    caches.has(cacheName).then(function (has) {
      if (!has) { return; }
      register().catch(function () {});
      readMeta().then(function (meta) {
        if (!meta) { return; }
        root.setAttribute("data-offline-state", meta.complete ? "saved" : "partial");
        rows(["remove-row"]);
        if (meta.complete) {
          say(msg("saved", { size: formatSize(meta.bytes || 0) }));
          check(meta);
          return;
        }
        caches.open(cacheName).then(function (cache) {
          var urls = Object.keys(meta.items || {});
          return missing(cache, urls.map(function (url) { return { url: url, v: meta.items[url] }; })).then(function (todo) {
            say(msg("incomplete", { done: urls.length - todo.length, total: urls.length }));
            check(meta);
          });
        });
      });
    });
  }

  function sizeOfCache(name) {
    return caches.open(name).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) {
          return cache.match(key).then(function (response) {  // a package file's mark: its size on the package origin
            var elsewhere = response ? parseInt(response.headers.get(BYTES) || "0", 10) || 0 : 0;
            return response ? response.blob().then(function (blob) { return blob.size + elsewhere; }) : 0;
          });
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
        item.appendChild(document.createTextNode(" · " + formatSize(meta.bytes) +
          (meta.complete === false ? " · " + root.getAttribute("data-msg-incomplete") : "")));
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
