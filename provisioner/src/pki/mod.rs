//! The certificate hierarchy: a root CA, the customer's device CA under it, and one
//! certificate per device under that.
//!
//! The profile follows RFC 5280 and passes `openssl verify -x509_strict` and pkilint:
//! positive serials of at most 20 octets drawn from the seed, fixed validity dates
//! (virtual time never enters a certificate), critical basic constraints and key usage,
//! subject and authority key identifiers set explicitly (RFC 7093 method 1: the first
//! 160 bits of SHA-256 over the subject public key), and the device serial number in the
//! subject as a PrintableString. The customer CA's CRL follows RFC 5280 too (and
//! pkilint's CRL linter); it is dated by virtual time, from 2025-01-01 as the
//! certificates' notBefore.
//!
//! The room holds the hierarchy ([`hierarchy`]) and its CAs ([`authority`]), the profile
//! they issue under ([`profile`]), the certificate as issued and the signature check
//! relying parties make ([`certificate`]), the customer CA's revocation list ([`crl`]),
//! the check of a chip's own certificate request ([`csr`]), and a PKI on its own for
//! tests ([`testing`]).

pub(crate) mod authority;
pub(crate) mod certificate;
pub(crate) mod crl;
pub(crate) mod csr;
pub(crate) mod error;
pub(crate) mod hierarchy;
pub(crate) mod profile;
pub mod testing;
