#!/usr/bin/env python3
"""The provisioning script a team would write by hand, to compare provsim against.

Per device, exactly eight P-256 operations and nothing else worth timing:
  1. the device key, derived from a seeded integer;
  2. a CSR signed with a deterministic (RFC 6979) nonce, 3. and its signature checked;
  4. the device certificate signed by a CA key, deterministically, 5. and checked;
  6. ECDH between the device key and a fixed server key;
  7. a challenge signed by the device key, deterministically, 8. and verified.

Set-up outside the loop (the CA key and its self-signed certificate, the server key)
is three operations for the whole run. Deterministic like provsim: every key and nonce
follows from the seed, so two runs print the same digest. Compare whole-process CPU
(user + sys), the two commands alternated:

    python3 benches/py_provision.py --devices 5000
    provsim bench scenarios/mcu-board-provisioner-hsm.toml --devices 5000 --jobs 1

Needs the `cryptography` package (>= 42, on OpenSSL >= 3.2, for deterministic ECDSA);
`.ci/test` installs it into `.ci/venv` with pkilint.
"""

import argparse
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CURVE = ec.SECP256R1()
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
NOT_BEFORE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2049, 12, 31, tzinfo=datetime.timezone.utc)


def scalar(seed: int, label: str, index: int) -> int:
    """A private scalar in [1, n-1], from the seed: SHA-256 of seed, label and index."""
    data = f"{seed}/{label}/{index}".encode()
    return int.from_bytes(hashlib.sha256(data).digest(), "big") % (ORDER - 1) + 1


def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    # Set-up, once: the CA key and its certificate, the server's public key.
    ca_key = ec.derive_private_key(scalar(args.seed, "ca", 0), CURVE)
    ca_name = name("Acme Sensors Device CA")
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .sign(ca_key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    server_public = ec.derive_private_key(scalar(args.seed, "server", 0), CURVE).public_key()

    run = hashlib.sha256()
    for index in range(args.devices):
        device_key = ec.derive_private_key(scalar(args.seed, "device", index), CURVE)  # 1
        device_public = device_key.public_key()
        subject = name(f"device-{index:08x}")

        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(subject)
            .sign(device_key, hashes.SHA256(), ecdsa_deterministic=True)  # 2
        )
        if not csr.is_signature_valid:  # 3
            raise SystemExit(f"device {index}: CSR signature does not verify")

        certificate = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(ca_name)
            .public_key(csr.public_key())
            .serial_number(index + 2)
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(NOT_AFTER)
            .sign(ca_key, hashes.SHA256(), ecdsa_deterministic=True)  # 4
        )
        certificate.verify_directly_issued_by(ca_certificate)  # 5

        shared = device_key.exchange(ec.ECDH(), server_public)  # 6

        challenge = hashlib.sha256(b"challenge" + index.to_bytes(8, "big")).digest()
        answer = device_key.sign(challenge, DETERMINISTIC)  # 7
        device_public.verify(answer, challenge, ec.ECDSA(hashes.SHA256()))  # 8

        run.update(certificate.public_bytes(serialization.Encoding.DER))
        run.update(shared)
        run.update(answer)

    print(f"py_provision: {args.devices} devices, digest {run.hexdigest()}")


if __name__ == "__main__":
    main()
