"""Verifies a provsim manifest with jwcrypto, independently of provsim's own code.

Usage: verify_manifest.py MANIFEST.jsonl SIGNER.pem

Each line must be a flattened JWS whose ES256 signature verifies under the signer
certificate's key and whose protected header names that certificate by x5t#S256. Prints
each entry's uniqueId, one a line; exits 1 at the first entry that fails.
"""
import base64
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from jwcrypto import jwk, jws


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    manifest, signer_pem = sys.argv[1], sys.argv[2]
    with open(signer_pem, "rb") as f:
        pem = f.read()
    cert = x509.load_pem_x509_certificate(pem)
    thumbprint = b64url(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest())
    key = jwk.JWK.from_pem(pem)
    with open(manifest, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            token = jws.JWS()
            try:
                token.deserialize(line.strip())
                token.verify(key, alg="ES256")
            except Exception as error:  # jwcrypto raises several types
                print(f"line {number}: {error!r}", file=sys.stderr)
                return 1
            # jwcrypto keeps the protected header decoded, as its JSON text.
            protected = json.loads(token.objects["protected"])
            if protected.get("alg") != "ES256" or protected.get("x5t#S256") != thumbprint:
                print(f"line {number}: header {protected}", file=sys.stderr)
                return 1
            payload = json.loads(token.payload)
            if token.objects.get("header", {}).get("uniqueId") != payload["uniqueId"]:
                print(f"line {number}: uniqueId differs", file=sys.stderr)
                return 1
            print(payload["uniqueId"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
