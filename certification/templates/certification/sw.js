/* Ruta's verifier service worker (scope /certificados/): keeps the offline verifier, its script, the
 * public keys and the last revocation list, and serves the verifier for any /certificados/v/ link when
 * there is no network, so a scanned QR still verifies offline. */
const CACHE = "ruta-verifier-v2";
const PRECACHE = {{ precache_json|safe }};
const DATA = {{ data_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && request.method === "GET") {
      const url = new URL(request.url);
      if (PRECACHE.includes(url.pathname)) cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackUrl || new URL(request.url).pathname);
    if (cached) {
      // Marked, so the verifier knows this key list is its own old copy, not Ruta's answer of now.
      const headers = new Headers(cached.headers);
      headers.set("X-Ruta-Cached", "1");
      return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers: headers });
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== "GET") return;
  if (event.request.mode === "navigate" && url.pathname.startsWith("/certificados/v/")) {
    event.respondWith(networkFirst(event.request, PRECACHE[0]));
  } else if (PRECACHE.includes(url.pathname) || DATA.includes(url.pathname)) {
    event.respondWith(networkFirst(event.request));
  }
});
