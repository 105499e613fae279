/* Ruta's evaluator service worker (scope /competencias/evaluacion/).
 *
 * When an evaluator opens an assessment online, the page asks this worker to keep the assessment page,
 * the checklist page of every unit and their static files. HTML is network-first (online data stays fresh
 * and each visit refreshes the copy); when the network fails the last copy is served, so the evaluator can
 * open any unit and reload pages without signal. Answers are never cached here: they wait in the page's
 * localStorage queue (offline-queue.js) with their idempotent submission ids. When the server sends a page
 * to the login form (the session ended) every kept page is deleted: candidates' data stays on a phone only
 * while its evaluator is logged in. */
const CACHE = "ruta-evaluator-v1";
const SCOPE = new URL(self.registration.scope).pathname;
const LOGIN = {{ login_json|safe }};

self.addEventListener("install", (event) => { event.waitUntil(self.skipWaiting()); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

function loggedOut(response) {
  return response.redirected && new URL(response.url).pathname.indexOf(LOGIN) === 0;
}

async function keep(urls) {
  const cache = await caches.open(CACHE);
  let kept = 0;
  await Promise.all(urls.map(async (url) => {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (loggedOut(response)) { await caches.delete(CACHE); return; }
      if (response.ok && !response.redirected) { await cache.put(url, response); kept += 1; }
    } catch (error) { /* offline: keep the previous copy */ }
  }));
  return kept;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((url) => new URL(url, self.location.origin).origin === self.location.origin);
  event.waitUntil(keep(urls).then((kept) => {
    if (event.source) event.source.postMessage({ type: "kept", kept: kept, total: urls.length });
  }));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (loggedOut(response)) {
      await caches.delete(CACHE);
    } else if (response.ok && !response.redirected) {
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request.url, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(networkFirst(request));
  }
});
