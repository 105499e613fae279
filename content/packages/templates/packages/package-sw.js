/* Ruta's package-origin service worker (scope /paquetes/ on the package origin: content/packages/origin.py).
 *
 * It serves the files of the packages a learner downloaded for offline study. Ruta's course page frames a hidden
 * helper page of this origin (packages/origin-helper.js) that keeps those files in Cache Storage, in caches named
 * like the course's download on Ruta ("ruta-offline-<learner tag>-<course id>"), keyed WITHOUT the expiring token
 * of their address (/paquetes/<uuid>/<token>/archivos/<path> is kept as /paquetes/<uuid>/archivos/<path>), so a
 * kept file is found whatever token the lesson page carries now. A package's files never change under its uuid,
 * and Ruta's static files change only with their version (a new download updates them): a kept file is served
 * from the phone first, with or without signal; anything not downloaded goes to the network as usual.
 */
"use strict";
const STATIC = {{ static_prefix|safe }};
const TOKENED = /^\/paquetes\/([0-9a-fA-F-]{36})\/[^/]+\/(archivos|h5p)\//;

function keyOf(url) {
  return url.origin + url.pathname.replace(TOKENED, "/paquetes/$1/$2/");
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.get("X-Ruta-Download")) { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (!TOKENED.test(url.pathname) && url.pathname.indexOf(STATIC) !== 0) { return; }
  event.respondWith(answer(request, url));
});

async function answer(request, url) {
  const kept = await caches.match(keyOf(url), { ignoreSearch: true, ignoreVary: true });
  if (kept) { return kept; }
  return fetch(request);
}
