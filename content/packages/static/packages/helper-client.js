/* Ruta's pages' side of the package origin's download helper (content/packages/origin.py). Loaded only when
   packages live on their own origin (<body data-package-helper>): Ruta's pages cannot write that origin's Cache
   Storage, so a hidden frame of the helper page (packages/origin-helper.js) keeps and removes the package files
   of a download, answering by postMessage (only its own origin's messages are heard). window.rutaPackageHelper(op,
   args) sends one order and resolves with its reply; the frame is made on the first order. courses/offline.js
   downloads and removes through it; themes/js/logout.js clears everything at «Salir». On a phone with downloads,
   the downloads of every other learner are removed from the package origin too (as logout.js does on Ruta's). */
(function () {
  "use strict";
  if (window.rutaPackageHelper) { return; }
  var body = document.body, HELPER = body && body.getAttribute("data-package-helper");
  if (!HELPER) { return; }
  var origin = new URL(HELPER, window.location.href).origin, waiting = {}, seq = 0, call = null;

  function open() {
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.title = "";
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    var ready = new Promise(function (resolve, reject) {
      var timer = window.setTimeout(function () { reject(new Error("helper")); }, 20000);
      window.addEventListener("message", function (event) {
        if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
        var data = event.data || {};
        if (data.ruta === "pkg-helper-ready") { window.clearTimeout(timer); resolve(); }
        else if (data.ruta === "pkg-helper-reply" && waiting[data.id]) { waiting[data.id](data); delete waiting[data.id]; }
      });
    });
    frame.src = HELPER;
    body.appendChild(frame);
    return function (op, args) {
      return ready.then(function () {
        return new Promise(function (resolve) {
          seq += 1;
          waiting[seq] = resolve;
          frame.contentWindow.postMessage({ ruta: "pkg-helper", id: seq, op: op, args: args || {} }, origin);
        });
      });
    };
  }
  window.rutaPackageHelper = function (op, args) {
    call = call || open();
    return call(op, args);
  };

  var learner = body.getAttribute("data-learner");
  if (learner && "caches" in window) {
    caches.keys().then(function (names) {
      if (names.some(function (name) { return name.indexOf("ruta-offline-") === 0; })) {
        window.rutaPackageHelper("clear", { keep: learner }).catch(function () {});
      }
    }).catch(function () {});
  }
})();
