/* Runs static/certification/verifier.js in node on the shared vectors and prints the outcomes as JSON:
 *   node run_js_vectors.js <verifier.js> <canonical.json> <offline.json>
 * tests/certification/test_canonical.py compares them with the expected values (node 20: WebCrypto Ed25519,
 * DecompressionStream, atob and TextDecoder are globals, as in the browser). */
"use strict";
const fs = require("fs");
const [verifierPath, canonicalPath, offlinePath] = process.argv.slice(2);
require(verifierPath);
const V = globalThis.RutaVerifier;

(async () => {
  const canonical = JSON.parse(fs.readFileSync(canonicalPath, "utf8"));
  const out = { canonical: {}, offline: {} };
  for (const vector of canonical.vectors) {
    try {
      const bytes = new TextEncoder().encode(V.canonicalJson(JSON.parse(vector.json)));
      out.canonical[vector.name] = Buffer.from(bytes).toString("utf8");
    } catch (error) {
      out.canonical[vector.name] = null;
    }
  }
  const offline = JSON.parse(fs.readFileSync(offlinePath, "utf8"));
  for (const vector of offline.vectors) {
    out.offline[vector.name] = (await V.verifyUrl(vector.url, offline.jwks, offline.revocations, offline.today)).status;
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
