// Entry point of the vendored bundle ballot/static/vendor/noble-secp256k1.js.
// Rebuild with scripts/build-vendor.sh; never edit the bundle by hand.
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';

export { secp256k1, schnorr };
export { normalizeZ } from '@noble/curves/abstract/curve.js';
export { sha256, sha512 } from '@noble/hashes/sha2.js';
export { scrypt, scryptAsync } from '@noble/hashes/scrypt.js';
export { bytesToHex, hexToBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** The secp256k1 point class (projective coordinates). */
export const Point = secp256k1.Point;
