/* Ruta activities: submit answers with fetch; without a connection keep them in localStorage and resend
   with the same submission id (the server records each id once). Without JavaScript the forms post normally.
   No third-party code. Messages come from data-* attributes rendered (and translated) by Django.
   A family phone may be shared: each kept answer carries its learner's tag (<body data-learner>, an HMAC of the
   user id, not personal data) and is only sent, and counted, on pages of that same learner; the others stay on
   the phone until their learner signs in again. Answers kept before they carried a tag count as the current
   learner's (they are claimed by the first learner who opens a page with activities). */
(function () {
  "use strict";
  if (window.rutaActivities) { return; }
  window.rutaActivities = true;
  var KEY = "ruta:actividades-pendientes";
  var SKIP = { csrfmiddlewaretoken: 1, submission_id: 1, next: 1 };
  var LEARNER = (document.body && document.body.getAttribute("data-learner")) || "";
  // The same learner's tags before the site's secret key was changed: answers kept under them are this learner's.
  var PREVIOUS = ((document.body && document.body.getAttribute("data-learner-previous")) || "").split(" ").filter(Boolean);

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function save(all) {
    try { window.localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* private mode: retry in memory */ }
  }
  // This page's learner's answers (claiming the untagged ones kept before answers carried a tag).
  function mine() {
    var all = load(), own = {}, claimed = false;
    if (!LEARNER) { return own; }
    Object.keys(all).forEach(function (sid) {
      if (!all[sid].owner || PREVIOUS.indexOf(all[sid].owner) !== -1) { all[sid].owner = LEARNER; claimed = true; }
      if (all[sid].owner === LEARNER) { own[sid] = all[sid]; }
    });
    if (claimed) { save(all); }
    return own;
  }
  function remember(item) { var all = load(); all[item.sid] = item; save(all); showPending(); }
  function forget(sid) { var all = load(); delete all[sid]; save(all); showPending(); }

  // "N respuestas por enviar" where the page has room for it ([data-pending-answers], rendered by the lesson).
  function showPending() {
    var node = document.querySelector("[data-pending-answers]");
    if (!node) { return; }
    var count = Object.keys(mine()).length;
    var before = parseInt(node.getAttribute("data-count") || "0", 10);
    node.setAttribute("data-count", String(count));
    if (count) {
      node.textContent = count === 1 ? node.getAttribute("data-msg-one")
        : node.getAttribute("data-msg-many").replace("{n}", String(count));
      node.hidden = false;
    } else if (before) {
      node.textContent = node.getAttribute("data-msg-none");
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  // A fresh submission id (a UUID 4). randomUUID exists only on HTTPS pages; getRandomValues everywhere.
  function newId(fallback) {
    var c = window.crypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    if (!c || !c.getRandomValues) { return fallback; }
    var b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // Answers on their way to the server (sent, no reply yet): a new answer to the same activity gets its own id,
  // or the reply to the first would forget the second.
  var inflight = {};
  // Answers that waited (no signal, server busy, or kept from an earlier visit): when their verdict comes back the
  // learner may be anywhere on the page, so it is also said in the page's live region ([data-answer-results]).
  var queued = {};
  var results = {};  // activity id -> its verdict, since the learner last sent an answer
  function say(section, name) {
    var status = section && section.querySelector("[data-activity-status]");
    if (status) { status.textContent = status.getAttribute("data-msg-" + name) || ""; }
  }

  // The activity as the server graded it. Focus moves to its result only if the learner is still there (focus on
  // its button, or nowhere): an answer sent in the background when the signal returns must not pull the learner
  // out of the activity they are typing in now (the page's pending-answers line tells them it was sent).
  function replace(section, html) {
    var holder = section.closest(".xblock-v1") || section;
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh) { return; }
    var active = document.activeElement;
    var here = !active || active === document.body || holder.contains(active);
    holder.replaceWith(fresh);
    var feedback = document.getElementById(section.id + "-resultado");
    if (feedback && here) { feedback.focus(); }
  }

  // "Actividad 2: ¡Aprobaste! Tu nota: 100 %…": the first line of the activity's result, said in the page's polite
  // live region without moving focus. Each verdict keeps the language it is written in (Ruta's, or the course's
  // for an author's message).
  function announce(id) {
    var region = document.querySelector("[data-answer-results]");
    var section = document.getElementById(id);
    var line = section && section.querySelector("[data-activity-feedback] p");
    if (!region || !line) { return; }
    var text = line.textContent.replace(/\s+/g, " ").trim();
    var speaker = line.closest("[lang]");
    if (text) { results[id] = { text: text, lang: speaker ? speaker.getAttribute("lang") : "" }; }
    var template = region.getAttribute("data-msg-result") || "{n}: {result}";
    region.textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll("[data-activity]"), function (activity, index) {
      var result = results[activity.id];
      if (!result) { return; }
      var p = document.createElement("p");
      var parts = template.replace("{n}", String(index + 1)).split("{result}");
      p.appendChild(document.createTextNode(parts[0]));
      var span = document.createElement("span");
      span.textContent = result.text;
      if (result.lang) { span.setAttribute("lang", result.lang); }
      p.appendChild(span);
      p.appendChild(document.createTextNode(parts.slice(1).join("")));
      region.appendChild(p);
    });
    region.className = region.firstChild ? "notice small" : "";
  }

  // The page's progress marks (lesson badge, course %, outline) as the server recomputed them after the answer.
  function showProgress(parts) {
    Object.keys(parts).forEach(function (key) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-lesson-progress='" + key.replace(/'/g, "") + "']"),
        function (node) { node.innerHTML = parts[key]; });
    });
  }

  // Send one kept answer. Resolves to "sent" (recorded, or kept for an activity removed meanwhile: forget it),
  // "skip" (another learner's: keep it, go on), "stop" (session ended or refused before the activity: keep
  // everything until the page is reloaded after signing in) or rejects (offline or server busy: retry later).
  function sendOne(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) { if (pair[0] !== "csrfmiddlewaretoken") { body.append(pair[0], pair[1]); } });
    body.set("submission_id", item.sid);
    var field = document.querySelector("[data-activity-form] [name=csrfmiddlewaretoken]");
    var stored = item.fields.filter(function (pair) { return pair[0] === "csrfmiddlewaretoken"; })[0];
    var token = csrfToken() || (field && field.value) || (stored && stored[1]) || "";
    if (token) { body.append("csrfmiddlewaretoken", token); }
    var headers = { "Accept": "application/json", "X-CSRFToken": token };
    if (item.owner) { headers["X-Ruta-Learner"] = item.owner; }
    var marks = document.querySelector("[data-lesson-marks]");
    if (marks) { headers["X-Ruta-Marks"] = marks.getAttribute("data-lesson-marks") || ""; }  // the marks shown now
    inflight[item.sid] = true;
    var landed = function (value) { delete inflight[item.sid]; return value; };
    return fetch(item.action, {
      method: "POST", body: body, credentials: "same-origin", headers: headers
    }).then(landed, function (failure) { landed(); throw failure; }).then(function (response) {
      if (response.status === 409) { return "skip"; }  // another learner's answer (signed in in another tab)
      if (response.status >= 500) {
        // The server could not record it (e.g. its database is down: 503 + Retry-After). Keep the answer
        // and resend it, no sooner than the server asked.
        var failure = new Error("server " + response.status);
        failure.retryAfter = parseInt(response.headers.get("Retry-After") || "", 10) || 0;
        failure.busy = response.status === 503;
        throw failure;
      }
      var section = document.getElementById(item.section);
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 401) { return "session"; }
      if (type.indexOf("application/json") === -1) {
        say(section, "error");
        return "stop";
      }
      return response.json().then(function (data) {
        forget(item.sid);
        if (data.kept) { tell(section, data.message); return "sent"; }
        var waited = queued[item.sid];
        delete queued[item.sid];
        if (section && data.html) { replace(section, data.html); }
        if (data.progress) { showProgress(data.progress); }
        else if (section) { say(section, data.ok ? "sent" : "error"); }
        if (waited && section && data.html) {
          say(document.getElementById(item.section), data.ok ? "sent" : "error");  // the fresh activity's line
          announce(item.section);
        }
        if (marks && data.marks) { marks.setAttribute("data-lesson-marks", data.marks); }
        return "sent";
      });
    });
  }

  // An answer to an activity removed from the course meanwhile: the server kept it for the trainer; say so where
  // the activity was, or else where the page counts the answers waiting to be sent.
  function tell(section, message) {
    var node = (section && section.querySelector("[data-activity-status]")) || document.querySelector("[data-pending-answers]");
    if (node && message) { node.textContent = message; node.hidden = false; }
  }

  // The kept answers go one at a time, in the order they were given, each once: a later answer never overtakes
  // an earlier one (attempt numbers and "best score" follow the learner's order).
  var flushing = false, again = false, attempt = 0, timer = null;
  function flush() {
    if (flushing) { again = true; return; }
    if (navigator.onLine === false) { return; }  // wait for the "online" event
    flushing = true;
    again = false;
    var all = mine();
    var order = Object.keys(all).sort(function (a, b) { return (all[a].at || 0) - (all[b].at || 0); });
    var skipped = {};
    function next() {
      var sid = order.shift();
      if (!sid) { return Promise.resolve("done"); }
      if (!mine()[sid]) { return next(); }  // sent meanwhile (another tab)
      return sendOne(all[sid]).then(function (outcome) {
        if (outcome === "skip") { skipped[sid] = true; }
        if (outcome === "session") {
          // Signed out: every answer still waiting says so (not «no signal»), and waits for the next sign-in.
          var waiting = mine();
          Object.keys(waiting).forEach(function (key) { say(document.getElementById(waiting[key].section), "session"); });
          return "stop";
        }
        return outcome === "stop" ? "stop" : next();
      });
    }
    next().then(function () {
      flushing = false;
      attempt = 0;
      if (again) { flush(); }
    }, function (failure) {
      flushing = false;
      var left = mine();
      Object.keys(left).forEach(function (sid) {
        queued[sid] = true;
        if (skipped[sid]) { return; }
        var section = document.getElementById(left[sid].section);
        say(section, failure && failure.busy ? "busy" : "offline");
        var form = section && section.querySelector("[data-offline-key]");
        if (form && !section.querySelector("[data-practice-feedback]")) { practiceFeedback(form, left[sid].fields); }
      });
      var delay = Math.min(60000, 2000 * Math.pow(2, attempt));
      if (failure && failure.retryAfter) { delay = Math.min(300000, Math.max(delay, failure.retryAfter * 1000)); }
      attempt += 1;
      window.clearTimeout(timer);
      timer = window.setTimeout(flush, delay);
    });
  }

  // A practice activity whose author lets it correct itself offline (its form carries data-offline-key; graded
  // activities never do): without signal, say right away whether the answer is right, with the authored feedback.
  function practiceFeedback(form, fields) {
    var raw = form && form.getAttribute("data-offline-key");
    var box = form && document.getElementById(form.closest("[data-activity]").id + "-resultado");
    if (!raw || !box) { return; }
    var key;
    try { key = JSON.parse(raw); } catch (e) { return; }
    var chosen = fields.filter(function (pair) { return pair[0] === key.field; }).map(function (pair) { return String(pair[1]); });
    var right = chosen.length === key.right.length && chosen.every(function (value) { return key.right.indexOf(value) !== -1; });
    var notice = document.createElement("div");
    notice.className = "notice " + (right ? "notice-success" : "notice-warning");
    notice.setAttribute("data-practice-feedback", right ? "right" : "wrong");
    // Ruta's words in the interface's language (as its status line); the author's feedback in the course's.
    var status = form.querySelector("[data-activity-status]");
    var ui = (status && status.getAttribute("lang")) || document.documentElement.getAttribute("lang") || "";
    var lines = [{ text: form.getAttribute(right ? "data-msg-practice-right" : "data-msg-practice-wrong"), ui: true }];
    chosen.forEach(function (value) { if (key.feedback[value]) { lines.push({ text: key.feedback[value] }); } });
    lines.push({ text: form.getAttribute("data-msg-practice-note"), ui: true });
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line.text;
      if (line.ui && ui) { p.setAttribute("lang", ui); }
      notice.appendChild(p);
    });
    box.textContent = "";
    box.appendChild(notice);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-activity-form]") || !window.fetch || !window.FormData) { return; }
    event.preventDefault();
    var section = form.closest("[data-activity]");
    var idInput = form.querySelector("[data-submission-id]");
    if (!form.getAttribute("data-sid") || inflight[form.getAttribute("data-sid")]) {
      form.setAttribute("data-sid", newId(idInput.value));
    }
    var item = {
      sid: form.getAttribute("data-sid"), owner: LEARNER, action: form.action, section: section.id,
      path: window.location.pathname, fields: Array.from(new FormData(form).entries()), at: Date.now()
    };
    idInput.value = item.sid;
    if (navigator.onLine === false) { queued[item.sid] = true; }
    results = {};  // what was said before is about earlier answers
    remember(item);
    // The verdict shown is the last answer's: clear it until this one's comes back (offline, a practice
    // activity's own correction takes its place).
    var verdict = document.getElementById(section.id + "-resultado");
    if (verdict) { verdict.textContent = ""; }
    say(section, navigator.onLine === false ? "offline" : "sending");
    if (navigator.onLine === false) { practiceFeedback(form, item.fields); }
    flush();
  });

  function restore(form, fields) {
    var seen = {};
    fields.forEach(function (pair) {
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + pair[0].replace(/'/g, "") + "']"), function (input) {
        if (input.type === "radio" || input.type === "checkbox") { input.checked = false; }
      });
    });
    fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      if (SKIP[name]) { return; }
      var inputs = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.type === "radio" || input.type === "checkbox") { if (input.value === value) { input.checked = true; } }
      });
      var index = seen[name] || 0;
      var field = inputs[index];
      if (field && field.type !== "radio" && field.type !== "checkbox") { field.value = value; }
      seen[name] = index + 1;
    });
  }

  function resendPending() {
    showPending();
    var all = mine();
    Object.keys(all).forEach(function (sid) {
      queued[sid] = true;  // kept from an earlier visit
      var item = all[sid];
      var section = document.getElementById(item.section);
      var form = section && section.querySelector("[data-activity-form]");
      if (form && item.path === window.location.pathname) {
        form.setAttribute("data-sid", sid);
        restore(form, item.fields);
        say(section, "restored");
      }
    });
    // A moment after the page is up: its own files come first on a slow connection, and the phone has said
    // whether it has signal (navigator.onLine) before anything waiting is sent (a page the course's worker served
    // from the phone may learn it is offline a little after it loads). The "online" event sends at once.
    window.setTimeout(flush, 3000);
  }

  window.addEventListener("online", function () { attempt = 0; flush(); });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", resendPending); }
  else { resendPending(); }
})();
