/* Ruta sign-out on a shared phone: before the "Salir" form posts, remove this phone's course downloads
   (Cache Storage "ruta-offline-*") and unregister Ruta's offline study workers, so the next person who uses the
   phone never opens the pages (name, progress) kept for the learner who signed out. It waits at most a moment:
   signing out never hangs. Answers not yet sent (activities.js) are kept: they carry their learner's tag and are
   sent when that learner signs in again. And on every page of a signed-in learner, downloads and workers of any
   other learner (their cache names and worker URLs carry a learner tag, an HMAC, not personal data) are removed
   too, e.g. when the previous learner's session ended without "Salir"; on a page with no signed-in learner, online,
   every learner's downloads are removed. No inline script, no third-party code. */
(function () {
  "use strict";
  if (window.rutaLogout) { return; }
  window.rutaLogout = true;
  var WAIT = 1500;  // ms at most before the form posts anyway (3 s when packages are kept on their own origin)
  var WORKER = "/sin-conexion/sw.js";

  var LEARNER = (document.body && document.body.getAttribute("data-learner")) || "";

  // Remove the downloads and workers of every learner except ``keep`` (none: all of them).
  function clearDownloads(keep) {
    var jobs = [];
    var own = keep ? "ruta-offline-" + keep + "-" : null;
    if ("caches" in window) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("ruta-offline-") === 0 && !(own && name.indexOf(own) === 0);
        }).map(function (name) { return caches.delete(name); }));
      }));
    }
    if ("serviceWorker" in navigator && navigator.serviceWorker.getRegistrations) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.filter(function (registration) {
          var worker = registration.active || registration.waiting || registration.installing;
          if (!worker) { return false; }
          var url = new URL(worker.scriptURL);
          return url.pathname.indexOf(WORKER) !== -1 && !(keep && url.searchParams.get("quien") === keep);
        }).map(function (registration) { return registration.unregister(); }));
      }));
    }
    if (!keep && HELPER) { jobs.push(packagesClear()); }
    return Promise.all(jobs).catch(function () {});
  }

  // Packages on their own origin (content/packages/origin.py) are kept by that origin's helper page
  // (packages/helper-client.js): it removes every download there too.
  var HELPER = (document.body && document.body.getAttribute("data-package-helper")) || "";
  function packagesClear() {
    return window.rutaPackageHelper ? window.rutaPackageHelper("clear", {}) : Promise.resolve();
  }

  // No learner signed in on this page: the previous learner's session ended without "Salir" (it expired, cookies
  // were cleared), so their downloads go before the next person opens them. Only online and on a page the server
  // sent: a page under an offline worker may be a copy from its cache, so the server is asked once more.
  function clearIfSignedOut() {
    var sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;
    if (!sw || !sw.controller) { clearDownloads(null); return; }
    fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { "X-Ruta-Download": "1" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) { if (html && html.indexOf("data-learner=") === -1) { clearDownloads(null); } })
      .catch(function () {});
  }

  if (LEARNER) { clearDownloads(LEARNER); } else if (navigator.onLine) { clearIfSignedOut(); }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || form.getAttribute("data-cleared")) { return; }
    var menu = document.querySelector("[data-logout-form]");  // also allauth's own sign-out page, same address
    var isLogout = form.matches("[data-logout-form]") ||
      (menu && form.method === "post" && new URL(form.action).pathname === new URL(menu.action).pathname);
    if (!isLogout) { return; }
    event.preventDefault();
    form.setAttribute("data-cleared", "1");
    var done = false;
    function post() {
      if (done) { return; }
      done = true;
      form.submit();  // submit() does not fire "submit" again
    }
    window.setTimeout(post, HELPER ? 2 * WAIT : WAIT);
    clearDownloads(null).then(post, post);
  });
})();
