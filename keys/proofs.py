"""Zero-knowledge proofs: the row proof (disjunctive Chaum–Pedersen) and the
decryption proof (Chaum–Pedersen equality of discrete logarithms).

Both are made non-interactive by Fiat–Shamir with :func:`keys.hashing.hash_to_scalar`
over the *whole* statement: domain tag, manifest hash, election key, the context
(card and row, or trustee and row), the ciphertext and every commitment. This avoids
Helios's weak Fiat–Shamir (commitments only) that Belenios 3.3/4.0 had to fix.

Proofs are sent in compact form (challenges and responses); the verifier recomputes
the commitments and checks that the challenges add up to the hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys.elgamal import Ciphertext
from keys.errors import CryptoError
from keys.group import N, Point, base_mul
from keys.hashing import TAG_DECRYPTION, TAG_ROW_PROOF, hash_to_scalar, u32
from keys.nonces import Nonces


@dataclass(frozen=True, slots=True)
class RowProof:
    """Disjunctive proof that a ciphertext encrypts one of ``values``: (c_j, s_j) per value."""

    c: tuple[int, ...]
    s: tuple[int, ...]


def _row_challenge(
    manifest_hash: bytes,
    public_key: Point,
    card: bytes,
    index: int,
    ct: Ciphertext,
    commitments: list[Point],
) -> int:
    parts = [manifest_hash, public_key.to_bytes(), card, u32(index), u32(len(commitments) // 2)]
    parts += [ct.alpha.to_bytes(), ct.beta.to_bytes()]
    parts += [p.to_bytes() for p in commitments]
    return hash_to_scalar(TAG_ROW_PROOF, *parts)


def prove_row(
    manifest_hash: bytes,
    public_key: Point,
    card: bytes,
    index: int,
    values: tuple[int, ...],
    choice: int,
    nonces: Nonces,
) -> tuple[Ciphertext, RowProof]:
    """Encrypt ``values[choice]`` and prove it is one of ``values``.

    Nonces are drawn in this order: r, then u, then (c_j, s_j) for every j ≠ choice in
    increasing j. Simulated branches use r to need only fixed bases (G and Y):
    A_j = (s_j − c_j r)·G and B_j = (s_j − c_j r)·Y − c_j (m − m_j)·G.
    """
    if not 0 <= choice < len(values):
        raise CryptoError("bad_parameters", f"choice {choice} outside 0..{len(values) - 1}")
    m = values[choice]
    r = nonces.scalar()
    u = nonces.scalar()
    ct = Ciphertext(base_mul(r), public_key.mul_add(r, m))
    cs = [0] * len(values)
    ss = [0] * len(values)
    commitments: list[Point] = []
    for j, mj in enumerate(values):
        if j == choice:
            commitments += [base_mul(u), public_key * u]
            continue
        cs[j] = nonces.scalar()
        ss[j] = nonces.scalar()
        t = (ss[j] - cs[j] * r) % N
        commitments += [base_mul(t), public_key.mul_add(t, -cs[j] * (m - mj))]
    c = _row_challenge(manifest_hash, public_key, card, index, ct, commitments)
    cs[choice] = (c - sum(cs)) % N
    ss[choice] = (u + cs[choice] * r) % N
    return ct, RowProof(tuple(cs), tuple(ss))


def verify_row(
    manifest_hash: bytes,
    public_key: Point,
    card: bytes,
    index: int,
    values: tuple[int, ...],
    ct: Ciphertext,
    proof: RowProof,
) -> None:
    """Check the disjunctive proof; raise CryptoError("bad_proof") naming the row.

    For each j: A_j = s_j·G − c_j·α and B_j = s_j·Y − c_j·(β − m_j·G); then
    Σ c_j must equal the challenge hash.
    """
    if len(proof.c) != len(values) or len(proof.s) != len(values):
        raise CryptoError("bad_proof", f"row {index}: expected {len(values)} branches")
    if ct.alpha.is_infinity or ct.beta.is_infinity:
        raise CryptoError("bad_point", f"row {index}: ciphertext contains the point at infinity")
    commitments: list[Point] = []
    for j, mj in enumerate(values):
        cj, sj = proof.c[j], proof.s[j]
        commitments.append(ct.alpha.mul_add_public(-cj, sj))
        commitments.append(ct.beta.mul_add_public(-cj, cj * mj) + public_key * sj)
    c = _row_challenge(manifest_hash, public_key, card, index, ct, commitments)
    if sum(proof.c) % N != c:
        raise CryptoError("bad_proof", f"row {index}: the proof does not verify")


@dataclass(frozen=True, slots=True)
class DecryptionProof:
    """Chaum–Pedersen proof that log_G(X_i) = log_A(D_i): challenge c and response s."""

    c: int
    s: int


def _decryption_challenge(
    manifest_hash: bytes,
    public_key: Point,
    trustee: int,
    verification_key: Point,
    index: int,
    ct: Ciphertext,
    share: Point,
    a: Point,
    b: Point,
) -> int:
    return hash_to_scalar(
        TAG_DECRYPTION,
        manifest_hash,
        public_key.to_bytes(),
        u32(trustee),
        verification_key.to_bytes(),
        u32(index),
        ct.alpha.to_bytes(),
        ct.beta.to_bytes(),
        share.to_bytes(),
        a.to_bytes(),
        b.to_bytes(),
    )


def prove_decryption(
    manifest_hash: bytes,
    public_key: Point,
    trustee: int,
    secret_share: int,
    index: int,
    ct: Ciphertext,
    nonces: Nonces,
) -> tuple[Point, DecryptionProof]:
    """Partial decryption D = x_i·α with its proof (nonce w: a = w·G, b = w·α)."""
    share = ct.alpha * secret_share
    w = nonces.scalar()
    a, b = base_mul(w), ct.alpha * w
    vk = base_mul(secret_share)
    c = _decryption_challenge(manifest_hash, public_key, trustee, vk, index, ct, share, a, b)
    return share, DecryptionProof(c, (w + c * secret_share) % N)


def verify_decryption(
    manifest_hash: bytes,
    public_key: Point,
    trustee: int,
    verification_key: Point,
    index: int,
    ct: Ciphertext,
    share: Point,
    proof: DecryptionProof,
) -> None:
    """Recompute a = s·G − c·X_i and b = s·α − c·D_i and check c against the hash."""
    a = verification_key.mul_add_public(-proof.c, proof.s)
    b = ct.alpha * proof.s - share * proof.c
    c = _decryption_challenge(
        manifest_hash, public_key, trustee, verification_key, index, ct, share, a, b
    )
    if c != proof.c:
        raise CryptoError("bad_decryption", f"trustee {trustee}, row {index}: proof fails")


__all__ = [
    "DecryptionProof",
    "RowProof",
    "prove_decryption",
    "prove_row",
    "verify_decryption",
    "verify_row",
]
