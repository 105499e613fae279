/* Lesson-page side of Ruta's package players. The package runs in a sandboxed iframe (opaque origin, no cookies);
   for SCORM its own frame runs the SCORM API (packages/sco-frame.js) and sends the CMI tree here by postMessage.
   This page stores it in Ruta: debounced while the learner pages, at once on Commit/Terminate, and with
   navigator.sendBeacon when the learner leaves. Messages are accepted only from this page's own package frames
   (event.source), never by origin: a sandboxed frame's origin is "null", which any other sandboxed page shares.

   Without signal nothing is lost: what could not be sent (a SCO's whole CMI tree, an H5P result) waits on the
   phone (localStorage, one entry per learner, package and activity: a newer tree replaces an older one, which it
   contains), the block says so («se enviará al conectarte»), and it is sent in the order it was given, once, when
   the signal returns (or on the next page that loads online). A sandboxed (opaque-origin) frame is never served by
   the offline worker, so a lesson opened offline waits for the signal to start its package instead of showing a
   broken frame; unless packages live on their own origin (RUTA_PACKAGE_ORIGIN) and this one was downloaded: then
   the package origin's worker serves it and it plays offline (messages are still accepted by event.source only).

   H5P resumes too: its frame sends the content's user state (H5P core's contentUserData: the slide, the answers) when
   H5P saves it; this page stores it like a result (debounced, a beacon on leaving, waiting on the phone without
   signal under its own key, so it never replaces a waiting result), and starts the frame with the newest state:
   the one waiting on the phone, else the one Ruta kept (asked with the same signed address). */
(function () {
  "use strict";
  if (window.rutaPackagePlayer) { return; } // one copy per page, however many package blocks include it
  window.rutaPackagePlayer = true;
  var DEBOUNCE_MS = 2000;
  var PREFIX = "ruta-package:";
  var H5P_PREFIX = "ruta-h5p:";
  var H5P_STATE_MAX_BYTES = 64 * 1024; // content.packages.services.H5P_STATE_MAX_BYTES
  var STATE = "+estado"; // the queue key of an H5P state, next to its activity's results
  var QUEUE = "ruta:paquetes-pendientes";
  var LEARNER = (document.body && document.body.getAttribute("data-learner")) || "";

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- What waits on the phone: {key: {url, body, owner, at}}; key = package address + activity (usage id).
  function keyOf(url) {
    var u = new URL(url, window.location.href);
    return u.pathname + "#" + (u.searchParams.get("usage") || "");
  }
  function stateKey(url) { return keyOf(url) + STATE; }
  function baseKey(key) { return key.slice(-STATE.length) === STATE ? key.slice(0, -STATE.length) : key; }
  function entryKey(url, body) { return body && body.h5p_state !== undefined ? stateKey(url) : keyOf(url); }
  function queueRead() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE) || "{}") || {}; } catch (e) { return {}; }
  }
  function queueWrite(all) {
    try { window.localStorage.setItem(QUEUE, JSON.stringify(all)); } catch (e) { /* full or blocked storage */ }
  }
  var seq = 0;
  function keep(url, body) {
    var all = queueRead(), key = entryKey(url, body);
    seq += 1;
    // A newer entry goes last: it replaces the older one, which it contains (a whole CMI tree, a latest result).
    delete all[key];
    all[key] = {url: url, body: body, owner: LEARNER, at: Date.now(), seq: String(Date.now()) + "-" + seq};
    queueWrite(all);
    return all[key].seq;
  }
  function forget(key, id) {
    var all = queueRead();
    if (all[key] && all[key].seq === id) { delete all[key]; queueWrite(all); }
  }
  function mine(entry) { return !entry.owner || entry.owner === LEARNER; }

  // Resolves "stored" (or refused for good: dropped), "kept" (refused for this address, e.g. another learner's:
  // kept, and a fresh address of the same activity is used when a page renders one) or "wait" (no signal, no
  // session: everything waits, in order). The CSRF header lets Ruta take a signature older than a day from here.
  function send(url, body) {
    var json = JSON.stringify(body);
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: json.length < 60000, redirect: "manual",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: json
    }).then(function (response) {
      // 413: an H5P state larger than Ruta keeps, refused for good (what Ruta stored before stays).
      if (response.ok || [400, 404, 413].indexOf(response.status) >= 0) { return "stored"; }
      return response.status === 403 ? "kept" : "wait";
    }, function () { return "wait"; });
  }

  function post(url, body, beacon) {
    var key = entryKey(url, body), id = keep(url, body);
    if (beacon && navigator.sendBeacon && navigator.onLine !== false && !sending) {
      // No custom headers on a beacon: the commit URL carries a signature bound to learner, package and SCO.
      if (navigator.sendBeacon(url, new Blob([JSON.stringify(body)], {type: "application/json"}))) {
        forget(key, id);
        return;
      }
    }
    showWaiting();
    sendWaiting();
  }

  // Sends what waits, oldest first, one at a time; each entry leaves the phone once Ruta stored it.
  var sending = false;
  function sendWaiting(done) {
    done = done || function () {};
    if (sending || navigator.onLine === false) { done(false); return; }
    var all = queueRead();
    var keys = Object.keys(all).filter(function (key) { return mine(all[key]); });
    if (!keys.length) { done(true); return; }
    sending = true;
    var next = function (index) {
      if (index >= keys.length) { // and what was given meanwhile
        sending = false;
        showWaiting();
        done(true);
        if (Object.keys(queueRead()).some(function (key) { return mine(queueRead()[key]) && keys.indexOf(key) < 0; })) {
          sendWaiting();
        }
        return;
      }
      var entry = queueRead()[keys[index]];
      if (!entry) { next(index + 1); return; }
      // A fresh address of the same activity on this page (its signature is recent) is preferred to the kept one.
      var fresh = frames.filter(function (frame) {
        return keyOf(frame.dataset.commitUrl || "") === baseKey(keys[index]);
      })[0];
      send(fresh ? fresh.dataset.commitUrl : entry.url, entry.body).then(function (result) {
        if (result === "wait") { sending = false; showWaiting(); done(false); return; } // keep the order
        if (result === "stored") { forget(keys[index], entry.seq); }
        next(index + 1);
      });
    };
    next(0);
  }

  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe.package-activity__frame"));

  frames.forEach(function (frame) {
    var tracked = frame.dataset.tracked === "1";
    var engine = frame.dataset.engine;
    var state = {pending: null, timer: null, h5pState: null, starting: false};
    frame._ruta = state;

    function flush(beacon) {
      if (state.timer) { clearTimeout(state.timer); state.timer = null; }
      if (state.h5pState) {
        var saved = state.h5pState;
        state.h5pState = null;
        post(frame.dataset.commitUrl, {h5p_state: saved}, beacon);
      }
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
      } else if (data.ruta === "h5p-state" && engine === "h5p" && data.state && typeof data.state === "object") {
        if (new Blob([JSON.stringify(data.state)]).size > H5P_STATE_MAX_BYTES) {
          // Ruta would refuse it (413): not sent again at every change, on a phone that pays for its data.
          if (window.console) { console.warn("Ruta: H5P state over " + H5P_STATE_MAX_BYTES + " bytes, not saved"); }
          return;
        }
        state.h5pState = data.state; // the newest replaces the older: it is the whole state
        if (state.timer) { clearTimeout(state.timer); }
        state.timer = setTimeout(function () { flush(false); }, DEBOUNCE_MS);
      }
    };
    state.flush = flush;

    state.start = function () {
      if (frame.getAttribute("src") || !frame.dataset.src) { return; }
      if (engine !== "h5p") {
        // The SCO reads its saved data synchronously at start: hand it over in the frame's address (fragment).
        var saved = document.getElementById("scorm-resume-" + frame.dataset.usage);
        var cmi = {};
        try { cmi = saved ? JSON.parse(saved.textContent || "{}") : {}; } catch (e) { cmi = {}; }
        var start = JSON.stringify({origin: tracked ? window.location.origin : "", cmi: tracked ? cmi : {}});
        frame.src = frame.dataset.src + "#" + PREFIX + encodeURIComponent(start);
      } else if (!tracked || !frame.dataset.commitUrl) {
        frame.src = frame.dataset.src;
      } else if (!state.starting) {
        state.starting = true;
        h5pSaved(frame).then(function (saved) {
          var begin = saved ? "#" + H5P_PREFIX + encodeURIComponent(JSON.stringify({state: saved})) : "";
          frame.src = frame.dataset.src + begin;
        });
      }
    };
    var queued = queueRead();
    var entry = queued[keyOf(frame.dataset.commitUrl || "")] || queued[stateKey(frame.dataset.commitUrl || "")];
    if (navigator.onLine !== false && entry && mine(entry)) {
      // Progress given offline is newer than what this page was rendered with: send it first, then reload the
      // page so that the package resumes from it.
      notice(frame, "waiting");
      sendWaiting(function () {
        var left = queueRead();
        if (!left[keyOf(frame.dataset.commitUrl)] && !left[stateKey(frame.dataset.commitUrl)]) {
          window.location.reload();
        } else { state.start(); }
      });
    } else if (navigator.onLine === false) {
      // A lesson opened offline (its downloaded copy). On Ruta's host the package's files reach a sandboxed
      // (opaque-origin) frame only from the network: the block says it waits for the signal and starts the package
      // when the signal returns. On the package origin, a package downloaded with the course (courses/offline.js
      // keeps a mark of its first file under data-offline-key) is served by that origin's worker: it plays now.
      downloaded(frame).then(function (kept) {
        if (kept) { state.start(); } else { notice(frame, "offline"); }
      });
    } else {
      state.start();
    }
  });

  // The H5P state a frame starts with: the one waiting on the phone (newer than Ruta's), else the one Ruta kept for
  // this learner, package and activity (the commit address, signed for them, answers a GET), else none (offline).
  function h5pSaved(frame) {
    var url = frame.dataset.commitUrl;
    var waiting = queueRead()[stateKey(url)];
    if (waiting && mine(waiting) && waiting.body && waiting.body.h5p_state) {
      return Promise.resolve(waiting.body.h5p_state);
    }
    if (navigator.onLine === false || !window.fetch) { return Promise.resolve(null); }
    return fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "manual",
                       headers: {"Accept": "application/json"}}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      return data && data.h5p_state && typeof data.h5p_state === "object" ? data.h5p_state : null;
    }, function () { return null; });
  }

  function downloaded(frame) {
    var key = frame.dataset.offlineKey;
    if (!key || !window.caches) { return Promise.resolve(false); }
    return window.caches.match(key).then(function (kept) {
      return !!kept && !kept.headers.get("X-Ruta-Refused");  // refused: the phone gave the package origin no storage
    }, function () { return false; });
  }

  function notice(frame, name) {
    var node = frame.parentNode.querySelector("[data-package-notice]");
    if (!node) { return; }
    var text = name ? node.getAttribute("data-msg-" + name) : "";
    if (node.getAttribute("data-shown") === (name || "")) { return; }
    node.setAttribute("data-shown", name || "");
    node.textContent = text || "";
    node.hidden = !text;
  }
  // «Tu avance se enviará al conectarte» under each block with something waiting; «Tu avance ya se envió» after.
  function showWaiting() {
    var all = queueRead();
    frames.forEach(function (frame) {
      if (!frame.getAttribute("src")) { return; }
      var entry = all[keyOf(frame.dataset.commitUrl || "")] || all[stateKey(frame.dataset.commitUrl || "")];
      var node = frame.parentNode.querySelector("[data-package-notice]");
      var was = node && node.getAttribute("data-shown");
      // Never «ya se envió» while a newer commit still waits out its debounce on this page (it is sent next).
      if (entry && mine(entry)) { notice(frame, "waiting"); }
      else if (was === "waiting" && !frame._ruta.pending && !frame._ruta.h5pState) { notice(frame, "sent"); }
    });
  }

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
  window.addEventListener("online", function () {
    // The newest progress first joins the queue (a commit still in its debounce), then everything goes, in order.
    frames.forEach(function (frame) { frame._ruta.flush(false); });
    sendWaiting();
    if (frames.some(function (frame) { return !frame.getAttribute("src"); })) {
      // Back online on a lesson opened offline: its file links may be too old, then the fresh page is fetched.
      if (linksExpired()) { window.location.reload(); return; }
      frames.forEach(function (frame) { notice(frame, ""); frame._ruta.start(); });
    }
  });
  window.addEventListener("offline", showWaiting);
  window.addEventListener("storage", showWaiting);
  showWaiting();
  sendWaiting();  // what other pages left waiting (a no-op while the loop above is sending)
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leave(); return; }
    // Back after the package's file links expired (they are short-lived and bound to the learner): everything
    // was saved when the page was hidden, so reload for fresh links; the package resumes from the saved data.
    if (linksExpired()) { setTimeout(function () { window.location.reload(); }, 1500); }
  });
})();
