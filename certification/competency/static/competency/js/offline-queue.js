/* Offline-tolerant submission for evaluators' forms (progressive enhancement; forms work without it).
 *
 * A form marked data-offline-form keeps a draft in localStorage while it is filled in. On submit the
 * form is put in a localStorage queue with a client-generated submission id and sent with fetch; if
 * the network is down it stays queued and is retried when the browser comes back online, on every page
 * load, and every 15 s. The server is idempotent on the submission id, so a retry never counts twice.
 *
 * A form also marked data-offline-once records something that is filled in once (a unit's checklist):
 * while its record waits in the queue the form shows it read-only as pending, and once it is sent it shows
 * it as recorded, so the same blank form never invites a second record (a correction is a separate page).
 *
 * On evaluator pages (#offline-ready) a service worker keeps the assessment and every unit's checklist page
 * on the phone, so they open and reload without signal (see evaluator-sw.js).
 */
(function () {
  "use strict";
  var QUEUE = "ruta:competency:queue";
  var REJECTED = "ruta:competency:rejected";
  var store = window.localStorage;
  var flushing = false;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function read(key, fallback) {
    try { return JSON.parse(store.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function queue() { return read(QUEUE, []); }
  function save(items) { store.setItem(QUEUE, JSON.stringify(items)); }
  function statusBox() { return document.getElementById("offline-queue-status"); }
  function say(kind, vars) {
    var box = statusBox();
    if (!box) { return; }
    var text = box.getAttribute("data-msg-" + kind) || "";
    Object.keys(vars || {}).forEach(function (k) { text = text.replace("%(" + k + ")s", vars[k]); });
    box.textContent = text;
    box.className = "notice" + (kind === "sent" ? " notice-success" : kind === "error" ? " notice-error" : " notice-warning");
    box.hidden = false;
  }
  function showPending() {
    var n = queue().length;
    if (n) { say(navigator.onLine === false ? "saved" : "pending", { n: n }); }
  }

  function pathOf(url) { return new URL(url, location.href).pathname; }
  function queuedFor(form) {
    var path = pathOf(form.action || location.href);
    return queue().filter(function (item) { return pathOf(item.url) === path; })[0] || null;
  }
  function fill(form, body) {
    var params = new URLSearchParams(body);
    params.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (field) {
        if (field.type === "radio" || field.type === "checkbox") { field.checked = field.value === value; }
        else { field.value = value; }
      });
    });
  }
  function rejected(id) { return read(REJECTED, []).some(function (item) { return item.id === id; }); }
  function unlock(form) {
    // Refused by the server (e.g. the unit was recorded meanwhile): the form is editable again, nothing lost.
    Array.prototype.forEach.call(form.querySelectorAll("input, textarea, select"), function (field) {
      field.disabled = false;
    });
    var button = form.querySelector("button[type=submit]");
    if (button) { button.hidden = false; button.disabled = false; }
    form.removeAttribute("data-offline-state");
    var pending = document.getElementById("observation-pending");
    if (pending) { pending.hidden = true; }
  }
  function lock(form, state, id) {
    if (id) { form.setAttribute("data-offline-id", id); }
    // Read-only: the record is shown as it was filled in, and cannot be sent a second time from here.
    Array.prototype.forEach.call(form.querySelectorAll("input, textarea, select"), function (field) {
      if (field.type !== "hidden") { field.disabled = true; }
    });
    var button = form.querySelector("button[type=submit]");
    if (button) { button.hidden = true; button.disabled = true; }
    form.setAttribute("data-offline-state", state);
    var pending = document.getElementById("observation-pending");
    var sent = document.getElementById("observation-sent");
    if (pending) { pending.hidden = state !== "pending"; }
    if (sent) { sent.hidden = state !== "sent"; }
  }
  function refreshOnceForms() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-once]"), function (form) {
      var item = queuedFor(form);
      if (item) {
        fill(form, item.body);
        lock(form, "pending", item.id);
      } else if (form.getAttribute("data-offline-state") === "pending") {
        if (rejected(form.getAttribute("data-offline-id"))) { unlock(form); } else { lock(form, "sent"); }
      }
    });
  }

  function refreshRecorded(item) {
    // A correction delivered while its page is open: the "Lista de cotejo registrada" block above the form
    // still shows the record it replaced, so it is swapped for the page's fresh one (the record that now counts).
    var block = document.getElementById("observation-recorded");
    if (!block || !window.DOMParser || pathOf(item.url) !== location.pathname) { return; }
    fetch(location.pathname, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { return; }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("observation-recorded");
          var current = document.getElementById("observation-recorded");
          if (fresh && current) {
            current.parentNode.replaceChild(document.importNode(fresh, true), current);
            document.documentElement.setAttribute("data-record-refreshed", item.id);
          }
        });
      })
      .catch(function () { /* signal lost again: the block updates on the next visit */ });
  }

  var keeper = null;
  function keepForOffline() {
    // Ask the evaluator's service worker to keep (or refresh) this assessment's pages on the phone.
    if (!keeper || !("serviceWorker" in navigator) || navigator.onLine === false) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({ type: "keep", urls: keeper.getAttribute("data-keep").split(" ") });
      }
    });
  }
  function startOffline() {
    keeper = document.getElementById("offline-ready");
    if (!keeper || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "kept" && data.kept && data.kept === data.total) {
        keeper.textContent = keeper.getAttribute("data-msg-ready");
        keeper.hidden = false;
        document.documentElement.setAttribute("data-offline-ready", "1");
      }
    });
    navigator.serviceWorker.startMessages();
    navigator.serviceWorker.register(keeper.getAttribute("data-sw-url"), {
      scope: keeper.getAttribute("data-sw-scope")
    }).then(keepForOffline, function () {});
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(item) {
    // The CSRF token may have changed since the form was filled (a new login): use the current one.
    var params = new URLSearchParams(item.body);
    var token = cookie("csrftoken") || params.get("csrfmiddlewaretoken") || "";
    params.set("csrfmiddlewaretoken", token);
    return fetch(item.url, {
      method: "POST",
      body: params.toString(),
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "X-CSRFToken": token
      }
    });
  }

  function keepRejected(item, error) {
    var rejected = read(REJECTED, []);
    item.error = String(error);
    rejected.push(item);
    store.setItem(REJECTED, JSON.stringify(rejected));
  }

  function flush() {
    if (flushing) { return Promise.resolve(); }
    var items = queue();
    if (!items.length) { return Promise.resolve(); }
    if (navigator.onLine === false) {
      // The phone says it has no network: keep everything and wait for the "online" event (no doomed request;
      // a request the service worker passes on could otherwise still leave through another network path).
      showPending();
      return Promise.resolve();
    }
    flushing = true;
    var item = items[0];
    return send(item).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!isJson || response.redirected) {
        // A login page, a CSRF refusal or a proxy error: nothing was recorded. Keep it and try later.
        throw new Error("not delivered: " + response.status);
      }
      return response.json().then(function (data) {
        var rest = queue().filter(function (other) { return other.id !== item.id; });
        if (response.ok && data.ok) {
          save(rest);
          say("sent", { label: item.label || "" });
          refreshOnceForms();
          refreshRecorded(item);
          keepForOffline();  // the kept pages now show the record, not a blank form
        } else if (response.status === 400) {
          // Refused by the rules: keep a copy aside (never silently lost) and tell the evaluator.
          keepRejected(item, data.error || response.status);
          save(rest);
          say("error", { error: data.error || response.status });
          refreshOnceForms();
        } else {
          throw new Error("server " + response.status);
        }
      });
    }).then(function () {
      flushing = false;
      if (queue().length) { return flush(); }
    }, function () {
      flushing = false;  // offline, logged out or server down: keep everything, try again later
      showPending();
    });
  }

  function draftKey(form) { return "ruta:competency:draft:" + form.getAttribute("action") + location.pathname; }

  function restoreDraft(form) {
    var draft = read(draftKey(form), null);
    var idField = form.querySelector("input[name=submission_id]");
    if (draft && draft.submission_id) {
      Object.keys(draft).forEach(function (name) {
        var fields = form.querySelectorAll("[name='" + name + "']");
        Array.prototype.forEach.call(fields, function (field) {
          if (field.type === "radio" || field.type === "checkbox") { field.checked = field.value === draft[name]; }
          else if (name !== "csrfmiddlewaretoken" && name !== "corrects") { field.value = draft[name]; }
        });
      });
    } else if (idField) {
      idField.value = uuid();  // one id per filled-in form, generated on the phone
    }
  }
  function saveDraft(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") { data[name] = value; } });
    store.setItem(draftKey(form), JSON.stringify(data));
  }

  function enhance(form) {
    restoreDraft(form);
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      if (!form.checkValidity()) { return; }
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form)).toString();
      var idField = form.querySelector("input[name=submission_id]");
      var id = idField ? idField.value : uuid();
      var items = queue().filter(function (other) { return other.id !== id; });
      items.push({ id: id, url: form.action || location.href, body: body, label: form.getAttribute("data-offline-label") || "" });
      save(items);
      store.removeItem(draftKey(form));
      var once = form.hasAttribute("data-offline-once");
      if (once) { lock(form, "pending", id); }
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      if (!navigator.onLine) { say("saved", { n: queue().length }); }
      flush().then(function () {
        if (once) {
          if (queue().some(function (other) { return other.id === id; })) { say("saved", { n: queue().length }); }
          else if (rejected(id)) { unlock(form); }
          else { lock(form, "sent"); }
        } else if (!queue().some(function (other) { return other.id === id; })) {
          if (idField) { form.reset(); idField.value = uuid(); }
          if (button) { button.disabled = false; }
        } else {
          say("saved", { n: queue().length });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-form]"), enhance);
    refreshOnceForms();
    startOffline();
    showPending();
    // A moment after the page is up: a page the worker served from the phone may learn it is offline a little
    // after it loads (the "online" event and the 15 s check send at once).
    window.setTimeout(flush, 3000);
  });
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", showPending);
  window.setInterval(function () { if (queue().length && navigator.onLine !== false) { flush(); } }, 15000);
})();
