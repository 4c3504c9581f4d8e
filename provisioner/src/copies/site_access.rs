//! The site as an attacker positioned there reaches it: the interfaces a co-tenant on
//! the provisioner's shared server, or an operator at the line's console, really has.
//! What each interface yields follows from the site's custody configuration, through
//! the vault's own state and policy; nothing here decides whether an attack succeeds.
//!
//! A `SiteAccess` always wraps a copy of the site (see `Line::site_during` and
//! `Line::site_after_order`), so an attack path changes nothing of the run or of any
//! other path. The copy keeps its own books over the run's ([`OverlayBooks`]): what
//! the console and the station write as the attacker uses them, which
//! [`SiteAccess::reconcile`] then reconciles as the site's auditor would.

use crate::books::audit::record::detail_hex;
use crate::books::overlay::{BooksFinding, OverlayBooks};
use crate::copies::extra_dies::{ExtraDie, ExtraDies};
use crate::pki::authority::CertificateAuthority;
use crate::pki::certificate::IssuedCertificate;
use crate::pki::error::PkiError;
use crate::site::Site;
use crate::vault::custody::Custody;
use crate::vault::error::HsmError;
use crate::vault::hsm::CertSubject;
use provsim_devices::{DeviceId, Target};
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey, Signature};
use provsim_sim::{Ctx, SimTime, Stream};

/// An attack path's own copy of the site: at the moment one device was on the station,
/// or once the order is done, with the station's floor.
pub struct SiteAccess {
    site: Site,
    device: DeviceId,
    books: OverlayBooks,
    /// The floor, for a copy made once the order is done.
    floor: Option<ExtraDies>,
    /// Dies that came off the station in the attacker's hands, each with the
    /// certificate the station wrote into it.
    taken: Vec<(Box<dyn Target>, Vec<u8>)>,
}

impl SiteAccess {
    pub(crate) fn new(site: Site, device: DeviceId) -> Self {
        let books = OverlayBooks::new(site.hsm.stats());
        SiteAccess {
            site,
            device,
            books,
            floor: None,
            taken: Vec::new(),
        }
    }

    /// The site once the order is done, with the station's floor to run dies beyond it.
    pub(crate) fn after_order(site: Site, last: DeviceId, floor: ExtraDies) -> Self {
        SiteAccess {
            floor: Some(floor),
            ..SiteAccess::new(site, last)
        }
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

    /// The vault's backup file, as it sits in the off-site store (the provisioner's IT
    /// staff reach it): ciphertext without its wrapping key.
    pub fn backup_file(&self) -> Vec<u8> {
        self.site.backup.file().to_vec()
    }

    /// What custodian `custodian`'s safe holds of the backup's wrapping key, as a
    /// custodian who hands it over (or whose safe is opened) gives it.
    pub fn custodian_safe(&self, custodian: u8) -> Option<Vec<u8>> {
        self.site.backup.safe(custodian)
    }

    /// How many custodians there are and how many a restore takes: public, the
    /// ceremony's audit records state it.
    pub fn custodians(&self) -> (u8, u8) {
        let quorum = self.site.backup.quorum();
        (quorum.custodians, quorum.threshold)
    }

    /// Reads the memory of the VM that runs the line's controller from a co-resident
    /// tenant through a hypervisor flaw: the bytes, in whatever form the vault keeps them.
    pub fn controller_memory(&self) -> Vec<u8> {
        self.site.hsm.controller_memory()
    }

    /// The operator console: asks the vault to certify `public_key` as device `device`
    /// under the customer CA, with the credentials the site's staff hold. The vault's
    /// policy decides; the copy's counters record the signature if it is made, and the
    /// console's issuance log (the copy's audit log) the certificate and its key.
    pub fn console_certify(
        &mut self,
        crypto: &Crypto,
        device: DeviceId,
        public_key: &PublicKey,
        serial: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let customer = &self.site.names.customer;
        let (certificate, key) = self.site.pki.issue_device_certificate(
            &mut self.site.hsm,
            crypto,
            customer,
            device,
            CertSubject::Presented(public_key),
            serial,
        )?;
        self.log_console_issue(crypto, device, &certificate, &key);
        Ok(certificate)
    }

    /// The console's record of a certificate it had the vault issue: its hash, the key
    /// it certifies and, under a count licence, the units taken.
    fn log_console_issue(
        &mut self,
        crypto: &Crypto,
        device: DeviceId,
        certificate: &IssuedCertificate,
        key: &PublicKey,
    ) {
        let mut detail = format!(
            "{} {}",
            detail_hex("sha256", &crypto.sha256(&certificate.der)),
            detail_hex("key", &key.fingerprint().0)
        );
        if let Some(licence) = self.site.hsm.licence() {
            detail.push_str(&format!(" licence={}/{}", licence.used, licence.units));
        }
        let record = self.site.audit.append(
            crypto,
            SimTime::ZERO,
            "console",
            "certificate-issued",
            Some(device),
            detail,
        );
        self.books.records_mut().push(record);
    }

    /// Runs one blank die beyond the order through the station, with the operator's
    /// credentials, and takes it off the line: its certificate (DER) if the station
    /// provisioned it, or why not (the vault's policy, the count licence). Only a copy
    /// made once the order is done has the floor.
    pub fn run_extra_die(&mut self, crypto: &Crypto) -> Result<Vec<u8>, ExtraDie> {
        let Some(floor) = &mut self.floor else {
            return Err(ExtraDie::Refused(
                "the station is busy with the order: no die beyond it can be run now".to_owned(),
            ));
        };
        let (die, certificate) = floor.run_one(&mut self.site, &mut self.books, crypto)?;
        self.taken.push((die, certificate.clone()));
        Ok(certificate)
    }

    /// The line's firmware-verification key: public, every device holds it.
    pub fn firmware_key(&self) -> &PublicKey {
        &self.site.firmware_key
    }

    /// The operator console again, asking the vault to sign `digest` (an image's
    /// MCUboot hash) with the firmware-signing key. The vault's policy decides; the
    /// console's log (the copy's audit log) records a signature it makes.
    pub fn console_sign_firmware(
        &mut self,
        ctx: &mut Ctx<'_>,
        digest: &[u8; 32],
    ) -> Result<Signature, HsmError> {
        let signature =
            self.site
                .hsm
                .sign_firmware_digest(ctx, self.site.firmware_handle, digest)?;
        let record = self.site.audit.append(
            ctx.crypto,
            SimTime::ZERO,
            "console",
            "firmware-signed",
            None,
            detail_hex("image-hash", digest),
        );
        self.books.records_mut().push(record);
        Ok(signature)
    }

    /// The dies that came off the station in the attacker's hands, each with its
    /// certificate, as the world holds them (not as the attack says): what the oracles
    /// challenge once the attack is over. It takes the copy, so an attack (which only
    /// borrows it) never reaches them.
    pub fn into_taken_dies(self) -> Vec<(Box<dyn Target>, Vec<u8>)> {
        self.taken
    }

    /// The copy's books reconciled: every identity or certificate they cannot account
    /// for against the run's shipped identities (`shipped`), each named.
    pub fn reconcile(
        &self,
        shipped: &dyn Fn(&Fingerprint) -> Option<DeviceId>,
    ) -> Vec<BooksFinding> {
        self.books.reconcile(self.site.hsm.stats(), shipped)
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
        let (certificate, key) = self.site.pki.issue_certificate_for_request(
            &mut self.site.hsm,
            crypto,
            customer,
            device,
            request,
            serial,
        )?;
        self.log_console_issue(crypto, device, &certificate, &key);
        Ok(certificate)
    }
}
