//! The site as an attacker positioned there reaches it: the interfaces a co-tenant on
//! the provisioner's shared server, or an operator at the line's console, really has.
//! What each interface yields follows from the site's custody configuration, through
//! the vault's own state and policy; nothing here decides whether an attack succeeds.
//!
//! A `SiteAccess` always wraps a copy of the site (see `Line::site_during`), so an
//! attack path changes nothing of the run or of any other path.

use crate::pki::authority::CertificateAuthority;
use crate::pki::certificate::IssuedCertificate;
use crate::pki::error::PkiError;
use crate::site::Site;
use crate::vault::custody::Custody;
use crate::vault::hsm::CertSubject;
use provsim_devices::DeviceId;
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, PublicKey};

/// An attack path's own copy of the site, at the moment one device was on the station.
#[derive(Clone)]
pub struct SiteAccess {
    site: Site,
    device: DeviceId,
}

impl SiteAccess {
    pub(crate) fn new(site: Site, device: DeviceId) -> Self {
        SiteAccess { site, device }
    }

    /// The site's custody configuration: public (the customer chose it).
    pub fn custody(&self) -> Custody {
        self.site.hsm.custody()
    }

    /// The device that was on the station at this moment.
    pub fn device_on_station(&self) -> DeviceId {
        self.device
    }

    /// The customer's name, as device certificates carry it.
    pub fn customer(&self) -> &str {
        &self.site.names.customer
    }

    /// The customer CA: its certificate and public key are public (every device
    /// presents the chain), its private key is not reachable through this.
    pub fn customer_ca(&self) -> &CertificateAuthority {
        self.site.pki.customer()
    }

    /// Reads the memory of the VM that runs the line's controller from a co-resident
    /// tenant through a hypervisor flaw: the bytes, in whatever form the vault keeps them.
    pub fn controller_memory(&self) -> Vec<u8> {
        self.site.hsm.controller_memory()
    }

    /// The operator console: asks the vault to certify `public_key` as device `device`
    /// under the customer CA, with the credentials the site's staff hold. The vault's
    /// policy decides; the copy's counters record the signature if it is made.
    pub fn console_certify(
        &mut self,
        crypto: &Crypto,
        device: DeviceId,
        public_key: &PublicKey,
        serial: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let customer = &self.site.names.customer;
        self.site
            .pki
            .issue_device_certificate(
                &mut self.site.hsm,
                crypto,
                customer,
                device,
                CertSubject::Presented(public_key),
                serial,
            )
            .map(|(certificate, _)| certificate)
    }

    /// The operator console again, passing on a PKCS#10 request as the station passes
    /// on a chip's: the PKI checks the request and the vault's policy decides, neither
    /// asking who made it.
    pub fn console_certify_request(
        &mut self,
        crypto: &Crypto,
        device: DeviceId,
        request: &[u8],
        serial: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let customer = &self.site.names.customer;
        self.site
            .pki
            .issue_certificate_for_request(
                &mut self.site.hsm,
                crypto,
                customer,
                device,
                request,
                serial,
            )
            .map(|(certificate, _)| certificate)
    }
}
