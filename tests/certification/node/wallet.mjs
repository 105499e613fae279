// A wallet taking a credential from Ruta, as Learner Credential Wallet does: from the request link (or a VC-API
// presentation request) it makes a did:key, signs a DID-authentication presentation carrying the challenge with
// Digital Bazaar's libraries (the ones LCW's own forks come from), and hands it back for the test to POST.
// No network: contexts come from their npm packages.
//
// stdin:  {"deepLink": "https://lcw.app/request.html?...", "suite": "Ed25519Signature2020" | "eddsa-rdfc-2022"}
//      or {"request": {verifiablePresentationRequest}, "suite": ...}
// stdout: {"did": "did:key:...", "postTo": "<vc_request_url or serviceEndpoint>", "presentation": {...}}
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import ed25519Context from 'ed25519-signature-2020-context';

const input = JSON.parse(readFileSync(0, 'utf8'));
const contexts = new Map([
  ...credentialsContext.contexts,
  ...dataIntegrityContext.contexts,
  ...ed25519Context.contexts,
]);

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  throw new Error(`not available offline: ${url}`);
}

let challenge;
let domain;
let postTo;
if(input.deepLink) {
  const link = new URL(input.deepLink);
  challenge = link.searchParams.get('challenge');
  postTo = link.searchParams.get('vc_request_url');
} else {
  const request = input.request.verifiablePresentationRequest;
  challenge = request.challenge;
  domain = request.domain;
  postTo = request.interact.service[0].serviceEndpoint;
}

let suite;
let did;
let version;
if(input.suite === 'eddsa-rdfc-2022') {
  const key = await Ed25519Multikey.generate();
  did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
  version = 2.0;
} else {
  const key = await Ed25519VerificationKey2020.generate();
  did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  suite = new Ed25519Signature2020({key});
  version = 1.0;
}
const holder = input.holder || did;
const presentation = vc.createPresentation({holder, version});
const signed = await vc.signPresentation({presentation, suite, challenge, domain, documentLoader});
process.stdout.write(JSON.stringify({did, postTo, presentation: signed}));
