"""Reads a manifest in Microchip's layout the way Microchip's published decoding
procedure does (the "Decode Python Example" of the Trust Platform Manifest File Format
user guide), re-told here step by step in our own code, with jwcrypto standing in for
the JOSE library that procedure uses.

Usage: microchip_decode.py MANIFEST.json VERIFICATION-CERT.pem

The procedure, in order:
 1. Allow only the public-key JWS algorithms (RS256/384/512, ES256/384/512).
 2. Load the verification certificate (PEM) and take its public key.
 3. Compute the two values a signed secure element names its signer by: the base64url
    of the certificate's subject key identifier (`kid`) and the base64url of its
    SHA-256 thumbprint (`x5t#S256`).
 4. Load the manifest: a JSON array of signed secure elements.
 5. For each element: take its uniqueId from the unprotected header; decode the
    protected header and refuse the element unless its kid and x5t#S256 are the
    certificate's; put protected, payload and signature together in compact form and
    verify it with the JOSE library (an exception means it does not verify); parse the
    verified payload as the secure element.
 6. For each public JWK of the element's publicKeySet: decode x and y into integers and
    build the P-256 public key from them; decode each certificate of x5c (standard
    base64 of DER) and load it.

Beyond the published steps, this checks what a customer importing the manifest relies
on: the payload's uniqueId is the header's, and the first x5c certificate is for the
JWK's key. Prints each element's uniqueId and its device certificate's subject common
name, one element a line; exits 1 at the first element that fails.
"""
import base64
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jws

PUBLIC_KEY_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> int:
    manifest_path, cert_path = sys.argv[1], sys.argv[2]

    # Steps 1-3: the verification certificate and what an element must name it by.
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    public_pem = cert.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    verification_key = jwk.JWK.from_pem(public_pem)
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    expected_kid = b64url_encode(ski)
    expected_x5t = b64url_encode(cert.fingerprint(hashes.SHA256()))

    # Step 4: the manifest, a JSON array.
    with open(manifest_path, "rb") as f:
        manifest = json.load(f)
    if not isinstance(manifest, list):
        print("the manifest is not a JSON array", file=sys.stderr)
        return 1

    # Steps 5 and 6, element by element.
    for index, element in enumerate(manifest):
        unique_id = element["header"]["uniqueId"]
        protected = json.loads(b64url_decode(element["protected"]))
        if protected.get("kid") != expected_kid:
            return refuse(index, unique_id, f"kid {protected.get('kid')!r} is not {expected_kid!r}")
        if protected.get("x5t#S256") != expected_x5t:
            return refuse(index, unique_id, "x5t#S256 is not the certificate's")
        compact = ".".join([element["protected"], element["payload"], element["signature"]])
        token = jws.JWS()
        token.allowed_algs = PUBLIC_KEY_ALGORITHMS
        try:
            token.deserialize(compact)
            token.verify(verification_key)
        except Exception as error:  # the JOSE library's way of saying "no"
            return refuse(index, unique_id, f"does not verify: {error!r}")
        secure_element = json.loads(token.payload)
        if secure_element.get("uniqueId") != unique_id:
            return refuse(index, unique_id, "the signed uniqueId is another")

        subject = None
        for key in secure_element.get("publicKeySet", {}).get("keys", []):
            x = int.from_bytes(b64url_decode(key["x"]), "big")
            y = int.from_bytes(b64url_decode(key["y"]), "big")
            public_key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
            chain = [
                x509.load_der_x509_certificate(base64.b64decode(c)) for c in key.get("x5c", [])
            ]
            if chain:
                if chain[0].public_key().public_numbers() != public_key.public_numbers():
                    return refuse(index, unique_id, "x5c[0] is for another key")
                subject = chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        if subject is None:
            return refuse(index, unique_id, "no certificate in its publicKeySet")
        print(unique_id, subject)
    return 0


def refuse(index: int, unique_id: str, why: str) -> int:
    print(f"element {index} ({unique_id}): {why}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
