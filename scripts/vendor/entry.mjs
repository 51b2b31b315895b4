// Entry point of the vendored bundle ballot/static/vendor/noble-secp256k1.js.
// Rebuild with scripts/build-vendor.sh; never edit the bundle by hand.
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';

export { secp256k1, schnorr };
export { normalizeZ } from '@noble/curves/abstract/curve.js';
export { sha256, sha512 } from '@noble/hashes/sha2.js';
export { scrypt, scryptAsync } from '@noble/hashes/scrypt.js';
// HKDF-SHA-256 (RFC 5869): the dkg sub-share key, same as keys/dkg.py.
export { hkdf } from '@noble/hashes/hkdf.js';
// AES-256-GCM in pure JS: crypto.subtle exists only in secure contexts, and the trustee
// page must also work over plain http:// on a conference LAN.
export { gcm } from '@noble/ciphers/aes.js';
// Ed25519 verification of the server's signed close head.
export { ed25519 } from '@noble/curves/ed25519.js';
export { bytesToHex, hexToBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** The secp256k1 point class (projective coordinates). */
export const Point = secp256k1.Point;
