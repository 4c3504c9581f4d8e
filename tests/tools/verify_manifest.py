"""Verifies a provsim manifest with jwcrypto, independently of provsim's own code.

Usage: verify_manifest.py MANIFEST.jsonl SIGNER.pem

Every line must be a flattened JWS whose ES256 signature verifies under the signer
certificate's key and whose protected header names that certificate by x5t#S256. Each
line but the last is an entry: its unprotected uniqueId is the signed one. The last line
is the closing record (protected `typ` "provsim-manifest-closing", no unprotected
header, naming its run in 64 lowercase hex digits), and the count and SHA-256 chain it
signs are recomputed here from the entries' signing inputs; the entries must be numbered 1, 2, 3, ... Prints each entry's uniqueId, one a line; exits 1 at the first line that
fails.

jwcrypto, like most JOSE libraries, accepts an ECDSA signature in its high-S form too:
this script checks what such a library checks, no more.
"""
import base64
import hashlib
import json
import re
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from jwcrypto import jwk, jws

CLOSING_TYP = "provsim-manifest-closing"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fail(number: int, why: str) -> int:
    print(f"line {number}: {why}", file=sys.stderr)
    return 1


def main() -> int:
    manifest, signer_pem = sys.argv[1], sys.argv[2]
    with open(signer_pem, "rb") as f:
        pem = f.read()
    cert = x509.load_pem_x509_certificate(pem)
    thumbprint = b64url(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest())
    key = jwk.JWK.from_pem(pem)
    chain, entries, closing = bytes(32), 0, None
    with open(manifest, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if closing is not None:
                return fail(number, f"a line after the closing record (line {closing})")
            raw = json.loads(line)
            token = jws.JWS()
            try:
                token.deserialize(line.strip())
                token.verify(key, alg="ES256")
            except Exception as error:  # jwcrypto raises several types
                return fail(number, repr(error))
            # jwcrypto keeps the protected header decoded, as its JSON text.
            protected = json.loads(token.objects["protected"])
            if protected.get("alg") != "ES256" or protected.get("x5t#S256") != thumbprint:
                return fail(number, f"header {protected}")
            payload = json.loads(token.payload)
            if protected.get("typ") == CLOSING_TYP:
                if "header" in raw:
                    return fail(number, "a closing record with an unprotected header")
                if payload.get("entries") != entries or payload.get("chain") != b64url(chain):
                    return fail(number, f"closing record {payload} for {entries} entries")
                if not re.fullmatch("[0-9a-f]{64}", str(payload.get("run"))):
                    return fail(number, f"closing record {payload} names no run")
                closing = number
                continue
            if "typ" in protected:
                return fail(number, f"an entry with typ {protected['typ']}")
            if token.objects.get("header", {}).get("uniqueId") != payload["uniqueId"]:
                return fail(number, "uniqueId differs")
            if payload.get("entryNumber") != entries + 1:
                return fail(number, f"entry {payload.get('entryNumber')} where {entries + 1} belongs")
            signing_input = f"{raw['protected']}.{raw['payload']}".encode()
            chain = hashlib.sha256(chain + signing_input).digest()
            entries += 1
            print(payload["uniqueId"])
    if closing is None:
        print("no closing record", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
