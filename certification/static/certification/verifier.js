/* Ruta's offline certificate verifier (vanilla JS, WebCrypto Ed25519). AGPL-3.0-or-later.
 *
 * verifyUrl(url, jwks, revocations, today) follows the same rules as certification/offline.py and is tested
 * against the same vectors: rebuild the canonical JSON of the public fields from the QR fragment (a
 * base64url deflate-raw JSON array, see certification/README.md) plus the code in the URL path, check the
 * Ed25519 signature with the cached key named by "k", then the cached revocation list, then the expiry date.
 */
(function (global) {
  "use strict";

  var QR_FIELDS = ["v", "k", "n", "a", "i", "d", "e", "h", "t", "u"];
  var CODE_RE = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}$/;

  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  function displayCode(code) {
    // The printed form: groups of four and the Luhn mod-32 check symbol (see certification/codes.py).
    var total = 0, factor = 2;
    for (var i = code.length - 1; i >= 0; i--) {
      var addend = factor * ALPHABET.indexOf(code[i]);
      total += Math.floor(addend / 32) + (addend % 32);
      factor = factor === 2 ? 1 : 2;
    }
    return code.match(/.{4}/g).join("-") + "-" + ALPHABET[(32 - (total % 32)) % 32];
  }

  function b64urlDecode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var binary = atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  async function inflateRaw(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  function canonicalJson(value) {
    // RFC 8785 (JCS), byte for byte what certification/signing.py canonical_json() gives for the same parsed
    // value: keys sorted by UTF-16 code units (Array#sort), JSON.stringify for strings, and for numbers the
    // ECMAScript form (12.0 -> 12, 1e21 -> 1e+21, -0 -> 0). NaN/Infinity have no JSON form: refused, as in Python.
    if (typeof value === "number" && !isFinite(value)) throw new TypeError("non-finite number");
    if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ":" + canonicalJson(value[key]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  async function parseFragment(code, fragment) {
    try {
      var parts = fragment.split(".");
      if (parts.length !== 2) return null;
      var raw = await inflateRaw(b64urlDecode(parts[0]));
      var values = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw));
      if (!Array.isArray(values) || values.length > QR_FIELDS.length) return null;
      var fields = {};
      values.forEach(function (value, index) {
        if (value !== null) fields[QR_FIELDS[index]] = value;
      });
      fields.c = code;
      return { fields: fields, signature: b64urlDecode(parts[1]) };
    } catch (error) {
      return null;
    }
  }

  // The revocation list names no code: it is keyed by base64url(SHA-256("ruta-revocation\0" + code)[:12])
  // (certification/offline.py revocation_key). A list saved before that still names codes: both are read.
  async function revocationKey(code) {
    var prefix = new TextEncoder().encode("ruta-revocation\u0000");
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", concatBytes([prefix, new TextEncoder().encode(code)])));
    return b64urlEncode(digest.slice(0, 12));
  }

  async function revocationStatus(code, revocations) {
    var key = await revocationKey(code);
    var statuses = ["replaced", "revoked", "suspended"];
    for (var i = 0; i < statuses.length; i++) {
      var entries = revocations[statuses[i]] || {};
      if (Object.prototype.hasOwnProperty.call(entries, key)) return [statuses[i], entries[key]];
      if (Object.prototype.hasOwnProperty.call(entries, code)) return [statuses[i], entries[code]];
    }
    return null;
  }

  // origins (optional): the sites whose links are Ruta's (this page's and the issuer's verification site). A
  // link from any other host is still checked, since its signed data may be genuine, but the outcome carries
  // foreign: <that host>, so the page can warn that someone put Ruta's data behind a link of their own.
  async function verifyUrl(url, jwks, revocations, today, origins) {
    var outcome = await verifySignedUrl(url, jwks, revocations, today);
    if (origins && outcome.fields) {
      var linkOrigin = new URL(url.trim()).origin;
      if (origins.indexOf(linkOrigin) < 0) outcome.foreign = new URL(url.trim()).host;
    }
    return outcome;
  }

  async function verifySignedUrl(url, jwks, revocations, today) {
    var parsedUrl;
    try { parsedUrl = new URL(url.trim()); } catch (error) { return { status: "malformed" }; }
    var segments = parsedUrl.pathname.split("/").filter(Boolean);
    var fragment = parsedUrl.hash.replace(/^#/, "");
    if (segments.length < 2 || segments[segments.length - 2] !== "v" || !fragment) return { status: "malformed" };
    var code = segments[segments.length - 1];
    if (!CODE_RE.test(code)) return { status: "malformed" };
    var parsed = await parseFragment(code, fragment);
    if (!parsed) return { status: "malformed" };
    var fields = parsed.fields;
    var jwk = ((jwks && jwks.keys) || []).filter(function (key) { return key.kid === fields.k; })[0];
    // A key this verifier does not hold: none of the link's fields are shown (they are whatever its author wrote).
    if (!jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") return { status: "unknown_key" };
    var valid = false;
    try {
      var key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]);
      valid = await crypto.subtle.verify({ name: "Ed25519" }, key, parsed.signature, new TextEncoder().encode(canonicalJson(fields)));
    } catch (error) {
      return { status: "malformed" };
    }
    if (!valid) return { status: "invalid" };
    var listed = await revocationStatus(code, revocations || {});
    if (listed) {
      var outcome = { status: listed[0], fields: fields };
      outcome[listed[0] + "_on"] = listed[1];
      return outcome;
    }
    if (fields.e && fields.e < today) return { status: "expired", fields: fields };
    return { status: "valid", fields: fields };
  }

  // --- Short codes offline: the signed, encrypted index of issued certificates (certification/offline.py).

  var LOOKALIKES = { I: "1", L: "1", O: "0" };

  function normalizeCode(text) {
    // Same rules as certification/codes.py code_normalize: case, spaces, hyphens, I/L->1, O->0, check symbol.
    var cleaned = String(text).replace(/\s+/g, "").replace(/-/g, "").toUpperCase().replace(/[ILO]/g, function (c) { return LOOKALIKES[c]; });
    var body = cleaned.slice(0, 16);
    if (!CODE_RE.test(body) || (cleaned.length !== 16 && cleaned.length !== 17)) return null;
    if (cleaned.length === 17 && displayCode(body).slice(-1) !== cleaned[16]) return null;
    return body;
  }

  function concatBytes(parts) {
    var total = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(total), offset = 0;
    parts.forEach(function (p) { out.set(p, offset); offset += p.length; });
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  function b64urlEncode(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function indexSignatureValid(index, jwks) {
    if (!index || !index.sig || !index.records) return false;
    var jwk = ((jwks && jwks.keys) || []).filter(function (key) { return key.kid === index.kid; })[0];
    if (!jwk) return false;
    var unsigned = {};
    Object.keys(index).forEach(function (key) { if (key !== "sig") unsigned[key] = index[key]; });
    try {
      var key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, b64urlDecode(index.sig), new TextEncoder().encode(canonicalJson(unsigned)));
    } catch (error) {
      return false;
    }
  }

  // The index must already be checked with indexSignatureValid(); same answers as offline.py index_lookup().
  async function lookupCode(typed, index, today) {
    var code = normalizeCode(typed);
    if (!code) return { status: "bad_code" };
    if (!index) return { status: "no_index" };
    var salt = b64urlDecode(index.salt), codeBytes = new TextEncoder().encode(code);
    var enc = new TextEncoder();
    var ident = b64urlEncode((await sha256(concatBytes([enc.encode("ruta-index-id\u0000"), salt, codeBytes]))).slice(0, 9));
    var sealed = index.records[ident];
    if (!sealed) return { status: "not_found", code: code };
    var rawKey = (await sha256(concatBytes([enc.encode("ruta-index-key\u0000"), salt, codeBytes]))).slice(0, 16);
    var key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-CTR" }, false, ["decrypt"]);
    var plain = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, key, b64urlDecode(sealed))));
    if (plain[0] === "i") return { status: "invalid" };
    var achievement = index.achievements[plain[2]];
    var fields = { c: code, n: plain[1], a: achievement[0], i: achievement[1], d: plain[3] };
    if (achievement.length > 2) fields.h = achievement[2];
    if (plain[4]) fields.e = plain[4];
    if (plain[0] === "r") return { status: "revoked", fields: fields, revoked_on: plain[5] };
    if (plain[0] === "s") return { status: "suspended", fields: fields, suspended_on: plain[5] };
    if (plain[0] === "x") return { status: "replaced", fields: fields, replaced_by: plain[5] };
    if (fields.e && fields.e < today) return { status: "expired", fields: fields };
    return { status: "valid", fields: fields };
  }

  // --- The online verification page: does the QR that was scanned say what the record says?

  var RECORD_KEYS = ["v", "c", "k", "n", "a", "i", "d", "e", "h", "t", "u"];

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function canonicalOrNull(value) {
    try { return canonicalJson(value === undefined ? null : value); } catch (error) { return null; }
  }

  // The short keys whose values differ between the QR's signed payload and the record ("s": the signature);
  // values compare by canonical JSON, as certification/selectors.py certificate_qr_check() does.
  function qrDiffering(parsed, record) {
    var differing = RECORD_KEYS.filter(function (key) {
      var fromQr = canonicalOrNull(parsed.fields[key]);
      return fromQr === null || fromQr !== canonicalOrNull(record.fields[key]);
    });
    var recorded;
    try { recorded = b64urlDecode(record.signature); } catch (error) { recorded = new Uint8Array(0); }
    if (!sameBytes(parsed.signature, recorded)) differing.push("s");
    return differing;
  }

  async function checkScannedQr(box) {
    var fragment = location.hash.replace(/^#/, "");
    if (!fragment) return;
    var record = JSON.parse(document.getElementById("qr-record").textContent);
    var text = JSON.parse(document.getElementById("qr-text").textContent);
    var parsed = await parseFragment(box.dataset.code, fragment);
    var differing = parsed ? qrDiffering(parsed, record) : null;
    if (differing && !differing.length) return;
    var notice = document.createElement("div");
    notice.className = "notice notice-error";
    notice.setAttribute("role", "alert");
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.dataset.qr = differing ? "mismatch" : "unreadable";
    strong.textContent = "⚠ " + (differing ? text.mismatch : text.unreadable);
    title.appendChild(strong);
    title.appendChild(document.createTextNode(" — " + (differing ? text.mismatch_explain : text.unreadable_explain)));
    notice.appendChild(title);
    if (differing) {
      var list = document.createElement("ul");
      differing.forEach(function (key) {
        var item = document.createElement("li");
        var value = parsed.fields[key];
        if (Array.isArray(value)) value = value.join("; ");
        item.textContent = text.labels[key] + (key !== "s" && value !== undefined && value !== null
          ? " — " + text.in_code.replace("%(value)s", "«" + value + "»") : "");
        list.appendChild(item);
      });
      notice.appendChild(list);
    }
    box.appendChild(notice);
  }

  // --- The page: cached keys and revocation list, paste/type fallback, camera when the browser can read QRs.

  function todayIso() {
    var now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  // Which answers came from Ruta just now (not from this phone's copy, nor the service worker's, which marks
  // what it serves from its cache with X-Ruta-Cached).
  var fresh = {};

  async function loadJson(url, storageKey) {
    try {
      var response = await fetch(url, { cache: "no-cache" });
      if (!response.ok) throw new Error(String(response.status));
      var data = await response.json();
      fresh[storageKey] = !response.headers.get("X-Ruta-Cached");
      try { localStorage.setItem(storageKey, JSON.stringify(data)); } catch (error) { /* private mode */ }
      return data;
    } catch (error) {
      var cached = null;
      try { cached = localStorage.getItem(storageKey); } catch (e) { /* ignore */ }
      fresh[storageKey] = false;
      return cached ? JSON.parse(cached) : null;
    }
  }

  function formatDate(iso) {
    if (!iso) return "";
    var p = iso.split("-");
    return p[2] + "/" + p[1] + "/" + p[0];
  }

  // The camera button and the photo reader exist only where the browser can read QR codes (BarcodeDetector
  // with qr_code); elsewhere the page says how to verify instead of showing a button that does nothing.
  async function qrDetector() {
    if (!("BarcodeDetector" in global)) return null;
    try {
      var formats = await global.BarcodeDetector.getSupportedFormats();
      return formats.indexOf("qr_code") >= 0 ? new global.BarcodeDetector({ formats: ["qr_code"] }) : null;
    } catch (error) {
      return null;
    }
  }

  async function setupScanning(root, text, found) {
    var box = root.querySelector("#verifier-scan");
    var message = root.querySelector("#verifier-scan-message");
    var detector = await qrDetector();
    if (!detector) {
      message.textContent = text.no_qr_reader;
      return;
    }
    function fail(what) { message.textContent = what; }
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      var camera = document.createElement("button");
      camera.type = "button";
      camera.className = "button secondary";
      camera.textContent = text.camera;
      box.appendChild(camera);
      camera.addEventListener("click", async function () {
        var video = root.querySelector("video");
        var stream;
        try {
          stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        } catch (error) {
          fail(text.camera_denied);
          return;
        }
        video.hidden = false;
        video.srcObject = stream;
        await video.play();
        (async function scan() {
          var codes = await detector.detect(video).catch(function () { return []; });
          if (codes.length) {
            stream.getTracks().forEach(function (track) { track.stop(); });
            video.hidden = true;
            found(codes[0].rawValue);
          } else {
            requestAnimationFrame(scan);
          }
        })();
      });
    }
    var label = document.createElement("label");
    label.className = "button secondary";
    label.textContent = text.photo;
    var file = document.createElement("input");
    file.type = "file";
    file.accept = "image/*";
    file.className = "visually-hidden";
    label.appendChild(file);
    box.appendChild(label);
    file.addEventListener("change", async function () {
      if (!file.files.length) return;
      try {
        var codes = await detector.detect(await createImageBitmap(file.files[0]));
        if (codes.length) found(codes[0].rawValue);
        else fail(text.photo_none);
      } catch (error) {
        fail(text.photo_none);
      }
    });
  }

  function setupPage(root) {
    var text = JSON.parse(document.getElementById("verifier-text").textContent);
    var form = root.querySelector("form");
    var input = root.querySelector("#verifier-url");
    var result = root.querySelector("#verifier-result");
    var cacheInfo = root.querySelector("#verifier-cache");
    var state = { jwks: null, revocations: null, index: null };
    // Ruta's links: this page's site and the issuer's verification site (they differ behind another domain).
    var origins = [location.origin];
    if (root.dataset.verifyOrigin) origins.push(root.dataset.verifyOrigin);

    var ready = Promise.all([
      loadJson(root.dataset.jwksUrl, "ruta.jwks"),
      loadJson(root.dataset.revocationsUrl, "ruta.revocations"),
      loadJson(root.dataset.indexUrl, "ruta.index"),
    ]).then(async function (loaded) {
      state.jwks = loaded[0];
      state.revocations = loaded[1];
      state.index = (await indexSignatureValid(loaded[2], state.jwks)) ? loaded[2] : null;
      var keys = state.jwks ? state.jwks.keys.length : 0;
      var listDate = state.revocations && state.revocations.generated_at ? state.revocations.generated_at.slice(0, 10) : "—";
      var info = text.cache.replace("%(keys)s", keys).replace("%(date)s", formatDate(listDate));
      if (state.revocations && state.revocations.generated_at) {
        var listDays = Math.max(0, Math.floor((Date.now() - Date.parse(state.revocations.generated_at)) / 86400000));
        info += " (" + (listDays === 0 ? text.age_today : listDays === 1 ? text.age_yesterday : text.age_days.replace("%(days)s", listDays)) + ")";
        if (listDays > 7) info += " " + text.status_old;
      }
      if (state.index) {
        var days = Math.max(0, Math.floor((Date.now() - Date.parse(state.index.generated_at)) / 86400000));
        var age = days === 0 ? text.age_today : days === 1 ? text.age_yesterday : text.age_days.replace("%(days)s", days);
        info += " · " + text.cache_index.replace("%(count)s", state.index.count)
          .replace("%(date)s", formatDate(state.index.generated_at.slice(0, 10))).replace("%(age)s", age);
        if (days > 30) info += " " + text.index_old;
      } else {
        info += " · " + text.no_index_info;
      }
      cacheInfo.textContent = info;
    });

    function show(outcome) {
      result.innerHTML = "";
      // A link that is not this site's: a genuine signature is never shown as a plain «Válido» there.
      var status = outcome.foreign && outcome.status === "valid" ? "valid_foreign" : outcome.status;
      if (outcome.foreign) {
        var warning = document.createElement("p");
        warning.className = "notice notice-error";
        warning.setAttribute("role", "alert");
        warning.dataset.origin = "foreign";
        var title = document.createElement("strong");
        title.textContent = "⚠ " + text.foreign.replace("%(host)s", outcome.foreign);
        warning.appendChild(title);
        warning.appendChild(document.createTextNode(" — " + text.foreign_explain));
        result.appendChild(warning);
      }
      var banner = document.createElement("p");
      banner.className = "notice " + ({ valid: "notice-success", expired: "notice-warning", replaced: "notice-warning", valid_foreign: "notice-warning" }[status] || "notice-error");
      var strong = document.createElement("strong");
      strong.dataset.status = status;
      strong.textContent = text.status[status];
      banner.appendChild(strong);
      banner.appendChild(document.createTextNode(" — " + text.explain[status]));
      result.appendChild(banner);
      if (outcome.fields && outcome.status !== "invalid" && outcome.status !== "unknown_key") {
        var f = outcome.fields;
        var list = document.createElement("dl");
        [[text.labels.n, f.n], [text.labels.a, f.a], [text.labels.h, f.h], [text.labels.u, (f.u || []).join("; ")],
         [text.labels.t, f.t], [text.labels.i, f.i], [text.labels.d, formatDate(f.d)], [text.labels.e, formatDate(f.e)],
         [text.labels.c, displayCode(f.c)]].forEach(function (row) {
          if (!row[1]) return;
          var dt = document.createElement("dt"); dt.textContent = row[0];
          var dd = document.createElement("dd"); dd.textContent = row[1];
          list.appendChild(dt); list.appendChild(dd);
        });
        result.appendChild(list);
      }
      result.focus();
    }

    async function check(typed) {
      await ready;
      // A link (from a QR) is checked by its signature; a short code by the cached signed index.
      var outcome = /[\/#]/.test(typed)
        ? await verifyUrl(typed, state.jwks, state.revocations, todayIso(), origins)
        : await lookupCode(typed, state.index, todayIso());
      // Ruta's key list holds every key that ever signed: a key missing from the list just fetched is a forger's.
      if (outcome.status === "unknown_key" && fresh["ruta.jwks"]) outcome = { status: "invalid" };
      show(outcome);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      check(input.value);
    });

    setupScanning(root, text, function (value) { input.value = value; check(value); });

    if (/\/certificados\/v\//.test(location.pathname) && location.hash) {
      input.value = location.href;
      check(location.href);
    }
    if ("serviceWorker" in navigator && root.dataset.swUrl) {
      navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(function () {});
    }
  }

  global.RutaVerifier = {
    verifyUrl: verifyUrl, canonicalJson: canonicalJson, parseFragment: parseFragment, displayCode: displayCode,
    normalizeCode: normalizeCode, lookupCode: lookupCode, indexSignatureValid: indexSignatureValid,
  };
  if (typeof document !== "undefined") {
    var start = function () {
      var root = document.getElementById("ruta-verifier");
      if (root) setupPage(root);
      var qrBox = document.getElementById("qr-check");
      if (qrBox) checkScannedQr(qrBox);
      // The online verification page installs the service worker too, so the next scan works offline.
      var sw = document.getElementById("ruta-sw");
      if (sw && "serviceWorker" in navigator) {
        navigator.serviceWorker.register(sw.dataset.swUrl, { scope: sw.dataset.swScope }).catch(function () {});
      }
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(typeof window !== "undefined" ? window : globalThis);
