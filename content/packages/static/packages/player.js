/* Lesson-page side of Ruta's package players. The package runs in a sandboxed iframe (opaque origin, no cookies);
   for SCORM its own frame runs the SCORM API (packages/sco-frame.js) and sends the CMI tree here by postMessage.
   This page stores it in Ruta: debounced while the learner pages, at once on Commit/Terminate, and with
   navigator.sendBeacon when the learner leaves. Messages are accepted only from this page's own package frames
   (event.source), never by origin: a sandboxed frame's origin is "null", which any other sandboxed page shares. */
(function () {
  "use strict";
  if (window.rutaPackagePlayer) { return; } // one copy per page, however many package blocks include it
  window.rutaPackagePlayer = true;
  var DEBOUNCE_MS = 2000;
  var PREFIX = "ruta-package:";

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function post(url, body, beacon) {
    var json = JSON.stringify(body);
    if (beacon && navigator.sendBeacon) {
      // No custom headers on a beacon: the commit URL carries a signature bound to learner, package and SCO.
      if (navigator.sendBeacon(url, new Blob([json], {type: "application/json"}))) { return; }
    }
    fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: json.length < 60000,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: json
    }).catch(function () { /* the next commit carries the whole tree again */ });
  }

  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe.package-activity__frame"));

  frames.forEach(function (frame) {
    var tracked = frame.dataset.tracked === "1";
    var engine = frame.dataset.engine;
    var state = {pending: null, timer: null};
    frame._ruta = state;

    function flush(beacon) {
      if (state.timer) { clearTimeout(state.timer); state.timer = null; }
      if (!state.pending) { return; }
      var body = state.pending;
      state.pending = null;
      post(frame.dataset.commitUrl, body, beacon);
    }
    state.receive = function (data) {
      if (!tracked || !frame.dataset.commitUrl) { return; }
      if (data.ruta === "scorm-commit" && data.cmi && typeof data.cmi === "object") {
        state.pending = data.cmi;
        if (data.final) { flush(false); return; }
        if (state.timer) { clearTimeout(state.timer); }
        state.timer = setTimeout(function () { flush(false); }, DEBOUNCE_MS);
      } else if (data.ruta === "h5p-xapi" && data.statement && data.statement.result) {
        post(frame.dataset.commitUrl, {xapi: data.statement}, false);
      }
    };
    state.flush = flush;

    if (engine !== "h5p" && frame.dataset.src) {
      // The SCO reads its saved data synchronously at start: hand it over in the frame's address (fragment).
      var saved = document.getElementById("scorm-resume-" + frame.dataset.usage);
      var cmi = {};
      try { cmi = saved ? JSON.parse(saved.textContent || "{}") : {}; } catch (e) { cmi = {}; }
      var start = JSON.stringify({origin: tracked ? window.location.origin : "", cmi: tracked ? cmi : {}});
      frame.src = frame.dataset.src + "#" + PREFIX + encodeURIComponent(start);
    } else if (frame.dataset.src && !frame.getAttribute("src")) { frame.src = frame.dataset.src; }
  });

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.ruta !== "string") { return; }
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow && event.source === frames[i].contentWindow) {
        frames[i]._ruta.receive(data);
        return;
      }
    }
  });

  function leave() { frames.forEach(function (frame) { frame._ruta.flush(true); }); }
  function linksExpired() {
    var now = Date.now() / 1000;
    return frames.some(function (frame) {
      var expires = parseInt(frame.dataset.linksExpire || "0", 10);
      return expires && now > expires - 120;
    });
  }
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leave(); return; }
    // Back after the package's file links expired (they are short-lived and bound to the learner): everything
    // was saved when the page was hidden, so reload for fresh links; the package resumes from the saved data.
    if (linksExpired()) { setTimeout(function () { window.location.reload(); }, 1500); }
  });
})();
