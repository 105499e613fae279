/* Lesson-page side of a SCORM package: the real SCORM API (scorm-again) lives here, on Ruta's origin; the SCO
   runs in a sandboxed iframe (opaque origin) and reaches it only through postMessage (CrossFrameLMS).
   Commits go to Ruta as JSON with the CSRF token; the saved CMI tree is loaded first so the learner resumes. */
(function () {
  "use strict";
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  // H5P: the sandboxed frame relays xAPI statements; those with a result are saved like a SCORM commit.
  var h5pFrames = document.querySelectorAll("iframe.package-activity__frame[data-engine='h5p'][data-tracked='1']");
  if (h5pFrames.length) {
    window.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.ruta !== "h5p-xapi" || !data.statement || !data.statement.result) { return; }
      h5pFrames.forEach(function (frame) {
        if (event.source !== frame.contentWindow) { return; }
        fetch(frame.dataset.commitUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
          body: JSON.stringify({xapi: data.statement})
        });
      });
    });
  }
  document.querySelectorAll("iframe.package-activity__frame[data-tracked='1']").forEach(function (frame) {
    var engine = frame.dataset.engine;
    if (engine === "h5p") { return; }
    var lib = window.scormAgain || window;
    var Api = engine === "scorm2004" ? lib.Scorm2004API : lib.Scorm12API;
    if (!Api || !window.CrossFrameLMS) { return; }
    var settings = {
      lmsCommitUrl: frame.dataset.commitUrl,
      dataCommitFormat: "json",
      autocommit: true,
      autocommitSeconds: 30,
      xhrHeaders: {"X-CSRFToken": csrf()},
      logLevel: 4
    };
    var api = new Api(settings);
    var saved = document.getElementById("scorm-resume-" + frame.dataset.usage);
    try {
      var cmi = saved ? JSON.parse(saved.textContent || "{}") : {};
      if (cmi && Object.keys(cmi).length) { api.loadFromJSON(cmi.cmi || cmi, ""); }
    } catch (e) { /* a first launch has nothing to resume */ }
    window.API = api;
    window.API_1484_11 = api;
    new window.CrossFrameLMS(api, "*");
  });
})();
