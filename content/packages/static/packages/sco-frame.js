/* Package side of Ruta's SCORM player, loaded into every HTML file of a SCORM package (packages:package_file injects it
   before the package's own scripts). It runs inside the sandboxed frame, never on Ruta's origin.

   Every document of a sandboxed frame gets its own opaque origin, so the package's frames cannot read each other
   (nor Ruta's lesson page). This script puts the pieces back together:

   - The package's root frame (the one the lesson page opened: its window.name starts with "ruta-package:") runs the
     real SCORM API (scorm-again, loaded just before this file) *synchronously*, initialised with the learner's
     saved data (location, suspend data, entry="resume" ...) that the lesson page put in window.name. Every
     SetValue, Commit and Terminate sends the whole CMI tree to the lesson page by postMessage (targeted at the
     lesson's origin); the lesson page stores it in Ruta. Because the API is synchronous, GetValue answers at once
     (a cross-frame proxy would answer "" until a reply arrived, which breaks bookmarks and interaction counts).
   - Inner frames of the package (a frameset, or the golf examples' content iframe) get a readable stand-in for
     window.parent: calling a function of the real parent (parent.RecordTest(93), parent.RecordQuestion(...)) is
     forwarded to it by postMessage and run there; window.API / API_1484_11 forward to the root frame's API, with
     GetValue answered from a copy of the CMI data the root frame keeps sending down.

   Limits (documented in content/packages/README.md): only *function calls* reach the real parent (fire and forget,
   no return value); reading a variable of another frame or of window.top is not possible inside the sandbox. */
(function () {
  "use strict";
  var script = document.currentScript;
  var engine = (script && script.getAttribute("data-engine")) || "scorm12";
  var PREFIX = "ruta-package:";
  var API_NAMES = ["API", "API_1484_11"];
  var realParent = window.parent;
  var isTop = realParent === window;

  function boot() {
    // The lesson page passes the start data in the fragment of the first address; the frame keeps it in its
    // window.name so that the package's root stays recognisable when it navigates itself later.
    var hash = String(window.location.hash || "");
    if (hash.indexOf("#" + PREFIX) === 0) {
      try {
        window.name = PREFIX + decodeURIComponent(hash.slice(PREFIX.length + 1));
        history.replaceState(null, "", window.location.href.split("#")[0]);
      } catch (e) { /* keep going with what we have */ }
    }
    var name = "";
    try { name = String(window.name || ""); } catch (e) { /* never thrown for our own window */ }
    if (name.indexOf(PREFIX) !== 0) { return null; }
    try { return JSON.parse(name.slice(PREFIX.length)) || {}; } catch (e) { return {}; }
  }

  function defineReadOnly(target, key, value) {
    // Read-only, so the common "var API = null;" at the top of SCORM wrappers cannot hide the API.
    try {
      Object.defineProperty(target, key, {value: value, writable: false, configurable: false, enumerable: true});
    } catch (e) { /* already defined by an earlier injected copy */ }
  }

  function ownFunctionNames() {
    var names = [];
    for (var key in window) {
      try {
        if (typeof window[key] === "function" && /^[A-Za-z_$][\w$]*$/.test(key) && key !== "constructor") {
          names.push(key);
        }
      } catch (e) { /* some host properties throw on access */ }
    }
    return names;
  }

  function isChildFrame(source) {
    for (var i = 0; i < window.frames.length; i += 1) {
      if (window.frames[i] === source) { return true; }
    }
    return false;
  }

  function flatCount(flat, prefix) {
    var max = -1;
    Object.keys(flat).forEach(function (key) {
      if (key.indexOf(prefix) === 0) {
        var n = parseInt(key.slice(prefix.length), 10);
        if (!isNaN(n) && n > max) { max = n; }
      }
    });
    return String(max + 1);
  }

  // Calls from inner frames: run the named function of this window (the parent they cannot read).
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || !isChildFrame(event.source)) { return; }
    if (data.ruta === "pkg-hello") {
      event.source.postMessage({ruta: "pkg-functions", names: ownFunctionNames()}, "*");
    } else if (data.ruta === "pkg-call" && typeof data.name === "string") {
      var fn = window[data.name];
      if (typeof fn === "function" && API_NAMES.indexOf(data.name) < 0) {
        fn.apply(window, Array.isArray(data.args) ? data.args : []);
      }
    }
  });

  var start = boot();
  if (start !== null || isTop) {
    rootFrame(start || {});
  } else {
    innerFrame();
  }

  function rootFrame(start) {
    var Api = engine === "scorm2004" ? window.Scorm2004API : window.Scorm12API;
    if (typeof Api !== "function") { return; }
    var lessonOrigin = start.origin || "";
    var tracked = !isTop && !!lessonOrigin;
    var api = new Api({
      lmsCommitUrl: false, // commits go to the lesson page by postMessage, which stores them in Ruta
      autocommit: false,
      dataCommitFormat: "json",
      sendFullCommit: true,
      logLevel: 5
    });
    if (start.cmi && typeof start.cmi === "object") {
      try { api.loadFromJSON(start.cmi, ""); } catch (e) { /* a damaged saved tree: start afresh */ }
    }
    var timer = null;
    var children = [];

    function snapshot() {
      try { return api.getFlattenedCMI ? api.getFlattenedCMI() : {}; } catch (e) { return {}; }
    }
    function send(final) {
      if (timer) { clearTimeout(timer); timer = null; }
      var cmi;
      try { cmi = api.renderCommitCMI(!!final); } catch (e) { return; }
      if (tracked) {
        realParent.postMessage({ruta: "scorm-commit", cmi: cmi, final: !!final}, lessonOrigin);
      }
      var flat = snapshot();
      children.forEach(function (child) { child.postMessage({ruta: "pkg-cmi", cmi: flat}, "*"); });
    }
    function later() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { send(false); }, 1500);
    }
    var commit = engine === "scorm2004" ? "Commit" : "LMSCommit";
    var finish = engine === "scorm2004" ? "Terminate" : "LMSFinish";
    var set = engine === "scorm2004" ? "SetValue" : "LMSSetValue";
    api.on(commit, function () { send(false); });
    api.on(finish, function () { send(true); });
    api.on(set, later); // bookmarks and answers reach Ruta while the learner pages, even without a Commit
    window.addEventListener("pagehide", function () { if (timer) { send(false); } });

    API_NAMES.forEach(function (name) { defineReadOnly(window, name, api); });
    // The lesson page is cross-origin: API discovery (which reads window.parent first) would throw there.
    // This frame is the package's top, so it is its own parent.
    try { Object.defineProperty(window, "parent", {value: window, configurable: true}); } catch (e) { /* */ }

    // Inner frames' API calls run here, on the real API; they get the CMI data back for their GetValue.
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (!data || data.ruta !== "pkg-api" || typeof data.method !== "string" || !event.source) { return; }
      if (children.indexOf(event.source) < 0) { children.push(event.source); }
      var fn = api[data.method];
      if (typeof fn === "function" && /^(LMS)?[A-Z]\w+$/.test(data.method)) {
        fn.apply(api, Array.isArray(data.args) ? data.args : []);
      }
      event.source.postMessage({ruta: "pkg-cmi", cmi: snapshot()}, "*");
    });
  }

  function innerFrame() {
    var known = {};
    var flat = {};
    var root = null;
    function toRoot(method, args) {
      var target = root;
      if (!target) { // the package's root is the highest ancestor still inside the package
        target = realParent;
        try {
          var w = realParent;
          while (w.parent !== w && w.parent !== window.top) { w = w.parent; }
          target = w;
        } catch (e) { /* keep the direct parent */ }
      }
      target.postMessage({ruta: "pkg-api", method: method, args: args}, "*");
    }
    var bridge = {};
    var calls = engine === "scorm2004"
      ? ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"]
      : ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
        "LMSGetErrorString", "LMSGetDiagnostic"];
    calls.forEach(function (method) {
      bridge[method] = function () {
        var args = Array.prototype.slice.call(arguments).map(function (a) { return a == null ? "" : String(a); });
        if (/GetValue$/.test(method)) {
          var key = args[0] || "";
          if (/\._count$/.test(key) && !(key in flat)) { return flatCount(flat, key.slice(0, -6) + "."); }
          return key in flat ? String(flat[key]) : "";
        }
        if (/GetLastError$/.test(method)) { return "0"; }
        if (/GetErrorString$|GetDiagnostic$/.test(method)) { return ""; }
        if (/SetValue$/.test(method)) { flat[args[0]] = args[1]; }
        toRoot(method, args);
        return "true";
      };
    });
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (!data || typeof data !== "object") { return; }
      if (data.ruta === "pkg-functions" && event.source === realParent && Array.isArray(data.names)) {
        data.names.forEach(function (n) { known[n] = true; });
      } else if (data.ruta === "pkg-cmi" && data.cmi && typeof data.cmi === "object") {
        root = event.source;
        flat = data.cmi;
      }
    });
    var stand_in = typeof Proxy === "function" ? new Proxy({}, {
      get: function (target, prop) {
        if (prop === "API" || prop === "API_1484_11") { return bridge; }
        if (prop === "parent" || prop === "top" || prop === "self" || prop === "window") { return stand_in; }
        if (prop === "postMessage") {
          return function (message, origin, transfer) { realParent.postMessage(message, origin || "*", transfer); };
        }
        if (prop === "location" || prop === "frames" || prop === "length" || prop === "closed") {
          return realParent[prop]; // what a cross-origin window still allows
        }
        if (typeof prop === "string" && known[prop]) {
          return function () {
            try {
              realParent.postMessage({ruta: "pkg-call", name: prop, args: Array.prototype.slice.call(arguments)}, "*");
            } catch (e) { /* arguments that cannot cross frames (functions, DOM nodes) */ }
          };
        }
        return undefined;
      },
      has: function (target, prop) { return prop === "API" || prop === "API_1484_11" || !!known[prop]; }
    }) : {API: bridge, API_1484_11: bridge};
    API_NAMES.forEach(function (name) { defineReadOnly(window, name, bridge); });
    try { Object.defineProperty(window, "parent", {value: stand_in, configurable: true}); } catch (e) { /* */ }
    realParent.postMessage({ruta: "pkg-hello"}, "*");
    toRoot(engine === "scorm2004" ? "GetLastError" : "LMSGetLastError", []); // asks the root for the CMI data
  }
})();
