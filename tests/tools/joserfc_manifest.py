"""Verifies every entry of a manifest in Microchip's layout with joserfc, a strict JOSE
library: it refuses any header parameter it does not know unless it is registered, so
`uniqueId` (the unprotected header member of Microchip's format) is registered, as a
string, and nothing else.

Usage: joserfc_manifest.py MANIFEST.json SIGNER-CERT.pem

The signer's key is given to joserfc in a key set under its kid (the base64url of the
certificate's subject key identifier), so joserfc picks the key by the entry's `kid`.
Prints each entry's uniqueId, one a line; exits 1 at the first entry that fails. With
`--unregistered` it verifies without registering `uniqueId`, which joserfc must refuse
(exit 1), as a check that the registration is what lets the entries through.
"""
import base64
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import ECKey, KeySet
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter


def main() -> int:
    unregistered = "--unregistered" in sys.argv
    manifest_path, cert_path = [a for a in sys.argv[1:] if a != "--unregistered"]
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    kid = base64.urlsafe_b64encode(ski).rstrip(b"=").decode("ascii")
    public_pem = cert.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    keys = KeySet([ECKey.import_key(public_pem, {"kid": kid, "use": "sig"})])
    extra = {} if unregistered else {"uniqueId": HeaderParameter("Secure element unique id", "str")}
    registry = JWSRegistry(header_registry=extra, algorithms=["ES256"])

    with open(manifest_path, "rb") as f:
        manifest = json.load(f)
    for index, entry in enumerate(manifest):
        try:
            verified = jws.deserialize_json(entry, keys, algorithms=["ES256"], registry=registry)
        except Exception as error:  # joserfc's errors all derive from JoseError
            print(f"entry {index}: {error!r}", file=sys.stderr)
            return 1
        payload = json.loads(verified.payload)
        headers = verified.headers()
        if headers.get("uniqueId") != payload["uniqueId"] or headers.get("kid") != kid:
            print(f"entry {index}: headers {headers}", file=sys.stderr)
            return 1
        print(payload["uniqueId"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
