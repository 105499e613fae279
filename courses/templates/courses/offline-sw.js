/* Ruta's offline study worker. A course page registers it (scope: that course's URL, one worker per course)
 * only when its learner downloads the course for offline study (courses/static/courses/offline.js fills the cache
 * "ruta-offline-<learner tag>-<course id>"), so pages of learners who never download load no worker.
 *
 * Pages are network-first: online, the learner always gets the fresh page (and a downloaded copy is refreshed);
 * when the network fails the downloaded copy is served, so the outline and every downloaded lesson open offline.
 * Images: a downloaded low-data rendition answers for any width of the same image. Downloaded documents and
 * media come from the phone. Answers are never kept here: activities.js queues a POST that fails. */
const COURSE = new URL(self.location.href).searchParams.get("curso") || "";
// The learner who downloaded (an HMAC tag, not personal data). Each learner's download is a cache of its own: on a
// shared phone this worker only serves the cache of the learner it was registered for (sign-out deletes it).
const LEARNER = (new URL(self.location.href).searchParams.get("quien") || "").replace(/[^0-9a-f]/g, "");
const CACHE = "ruta-offline-" + LEARNER + "-" + COURSE;
const MESSAGES = {{ messages_json|safe }};
const RENDITION = /\.width-\d+\.format-webp\.webp$/;

self.addEventListener("install", (event) => { event.waitUntil(self.skipWaiting()); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

function usable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

// A downloaded copy refreshed online keeps the version it was downloaded in (X-Ruta-Version): an update of the
// download compares that version with the course's, so a refreshed copy is at worst fetched once more.
async function refresh(cache, url, response) {
  const kept = await cache.match(url, { ignoreVary: true });
  const version = kept && kept.headers.get("X-Ruta-Version");
  if (!kept) return;
  if (!version) { await cache.put(url, response); return; }
  const headers = new Headers(response.headers);
  headers.delete("Content-Encoding");  // the body kept is decoded
  headers.delete("Content-Length");
  headers.set("X-Ruta-Version", version);
  await cache.put(url, new Response(await response.blob(), { status: response.status, headers }));
}

function offlinePage() {
  const scope = new URL(self.registration.scope).pathname;
  const esc = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const html = '<!DOCTYPE html><html lang="' + esc(MESSAGES.lang) + '"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + esc(MESSAGES.title) + "</title>" +
    "<main><h1>" + esc(MESSAGES.title) + "</h1><p>" + esc(MESSAGES.text) + '</p><p><a href="' + esc(scope) + '">' +
    esc(MESSAGES.back) + "</a></p></main>";
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'" },
  });
}

// Lessons read offline, to be told to the server once the signal returns (a lesson whose rule is "viewed"
// counts then): kept in the course's cache, replayed as plain visits on the next page that loads online.
const VIEWS = new URL("/aprender/sin-conexion/" + COURSE + "/vistas.json", self.location.origin).href;

async function viewsRead(cache) {
  const kept = await cache.match(VIEWS);
  try { return kept ? await kept.json() : []; } catch (error) { return []; }
}

async function viewsWrite(cache, urls) {
  await cache.put(VIEWS, new Response(JSON.stringify(urls), { headers: { "Content-Type": "application/json" } }));
}

async function viewedOffline(cache, url) {
  const urls = await viewsRead(cache);
  if (urls.indexOf(url) === -1) { urls.push(url); await viewsWrite(cache, urls); }
}

async function viewsSend(cache) {
  const urls = await viewsRead(cache);
  const left = [];
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "X-Ruta-Offline": "1" } });
      if (!usable(response)) left.push(url);  // e.g. the session ended: tell it after the next login
      else await refresh(cache, url, response);
    } catch (error) { left.push(url); }
  }
  if (urls.length) await viewsWrite(cache, left);
}

// Never re-made once a sign-out removed it (logout.js).
const keptCache = async () => ((await caches.has(CACHE)) ? caches.open(CACHE) : null);

async function page(event) {
  const request = event.request;
  const cache = await keptCache();
  if (!cache) return fetch(request).catch(offlinePage);
  try {
    const response = await fetch(request);
    if (usable(response)) {
      await refresh(cache, request.url, response.clone());  // a downloaded copy: as fresh as the learner saw it
      event.waitUntil(viewsSend(cache));
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request.url, { ignoreVary: true });
    if (!kept) return offlinePage();
    const scope = new URL(self.registration.scope).pathname;
    if (new URL(request.url).pathname !== scope) await viewedOffline(cache, request.url);
    return kept;
  }
}

async function keptRendition(cache, url) {
  const base = url.pathname.replace(RENDITION, "");
  const keys = await cache.keys();
  const found = keys.find((key) => {
    const path = new URL(key.url).pathname;
    return RENDITION.test(path) && path.replace(RENDITION, "") === base;
  });
  return found ? cache.match(found) : undefined;
}

async function file(request) {
  if (request.headers.has("X-Ruta-Download")) return fetch(request);  // the page downloading: from the network
  const cache = await keptCache();
  if (!cache) return fetch(request);
  const url = new URL(request.url);
  let kept = await cache.match(request.url, { ignoreVary: true });
  if (!kept && RENDITION.test(url.pathname)) kept = await keptRendition(cache, url);
  if (kept && !url.pathname.startsWith("/static/")) return kept;  // images, documents, media: no data spent again
  try {
    const response = await fetch(request);
    if (kept && usable(response)) await refresh(cache, request.url, response.clone());
    return response;
  } catch (error) {
    if (kept) return kept;
    throw error;
  }
}

async function ranged(request) {
  // A downloaded video or audio file asked for in parts (the player seeks): answer the part from the phone.
  const cache = await keptCache();
  const kept = cache && (await cache.match(request.url, { ignoreVary: true }));
  const match = /bytes=(\d*)-(\d*)/.exec(request.headers.get("range") || "");
  if (!kept || !match) return fetch(request);
  const blob = await kept.blob();
  const start = match[1] ? parseInt(match[1], 10) : Math.max(0, blob.size - parseInt(match[2] || "0", 10));
  const end = match[1] && match[2] ? Math.min(parseInt(match[2], 10), blob.size - 1) : blob.size - 1;
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": kept.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": "bytes " + start + "-" + end + "/" + blob.size,
      "Content-Length": String(end - start + 1),
    },
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (request.headers.has("range")) {
    event.respondWith(ranged(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else {
    event.respondWith(file(request));
  }
});
