//! The field as a cloner reaches it: one genuine device, bought and in the attacker's
//! hands (its ports, and the certificate it presents at every connection), in service
//! at the customer's registrar from its own endpoint; and the registrar, which anything
//! else that answers for that identity meets from an endpoint of its own. Whether a
//! second endpoint is admitted is the registrar's decision (its duplicate check); this
//! copy only keeps, as the world's record for the oracles, which endpoints hold a
//! session for which identity.
//!
//! The registrar is a clone of the run's, which shares its enrolments: nothing per
//! device is copied.

use crate::cloud::registrar::{Challenge, Refusal, Registrar};
use crate::station::provision::StationCycle;
use provsim_devices::Target;
use provsim_devices::first_connection::DeviceAuth;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey};
use provsim_sim::{Ctx, SimTime, Stream, Trace};
use std::collections::{BTreeMap, BTreeSet};

/// Where the endpoints of parts other than the genuine one are numbered from: far
/// above any run's device indices, which number the genuine parts' endpoints.
const OTHER_ENDPOINTS: u64 = 1 << 48;

/// An attack path's own copy of the field around one shipped device.
pub struct FieldAccess {
    device: Box<dyn Target>,
    certificate: Vec<u8>,
    identity: PublicKey,
    registrar: Registrar,
    challenges: Stream,
    /// The challenge put to the last part that asked, until it answers.
    pending: Option<Challenge>,
    next_endpoint: u64,
    /// Every endpoint holding a session, by identity.
    sessions: BTreeMap<Fingerprint, BTreeSet<u64>>,
    /// Identities admitted although the customer's records bar them, and why they do.
    admitted_barred: Vec<(Fingerprint, String)>,
}

impl FieldAccess {
    /// The genuine `device` (as the station `shipped` it) put in service: it meets the
    /// registrar from endpoint `index` and holds its session. If the registrar refuses
    /// it (the customer's records retired it: a returned part), it stays off the
    /// network and the registrar judges whatever else answers for it on its own.
    pub(crate) fn in_service(
        device: Box<dyn Target>,
        shipped: StationCycle,
        registrar: Registrar,
        challenges: Stream,
        index: u64,
        crypto: &Crypto,
    ) -> Result<FieldAccess, String> {
        let mut field = FieldAccess::off_the_network(device, shipped, registrar, challenges);
        let (nonce, server) = field.challenge(crypto);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let (answer, _) = field
            .device
            .authenticate(&mut ctx, &nonce, &server)
            .map_err(|e| e.to_string())?;
        let certificate = field.certificate.clone();
        let _ = field.admit(crypto, index, &certificate, &answer);
        Ok(field)
    }

    /// The genuine `device` (as the station `shipped` it), not connected: a part as it
    /// reaches the RMA desk, before the desk processes it.
    pub(crate) fn off_the_network(
        device: Box<dyn Target>,
        shipped: StationCycle,
        registrar: Registrar,
        challenges: Stream,
    ) -> FieldAccess {
        FieldAccess {
            device,
            certificate: shipped.certificate.der,
            identity: shipped.identity,
            registrar,
            challenges,
            pending: None,
            next_endpoint: OTHER_ENDPOINTS,
            sessions: BTreeMap::new(),
            admitted_barred: Vec::new(),
        }
    }

    /// The genuine part itself meets the registrar from a new endpoint (wherever it was
    /// put back into the channel): it answers a fresh challenge with its own key.
    pub fn connect_part(&mut self, crypto: &Crypto) -> Result<(), String> {
        let (nonce, server) = self.challenge(crypto);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let (answer, _) = self
            .device
            .authenticate(&mut ctx, &nonce, &server)
            .map_err(|e| format!("the part did not answer: {e}"))?;
        let certificate = self.certificate.clone();
        let endpoint = self.next_endpoint;
        self.next_endpoint += 1;
        self.admit(crypto, endpoint, &certificate, &answer)
            .map_err(|refused| format!("the registrar refused the part: {refused}"))
    }
    /// The genuine part, in the attacker's hands: its ports, as on any device path.
    pub fn device(&mut self) -> &mut dyn Target {
        self.device.as_mut()
    }

    /// The certificate the genuine part presents at every connection (DER): public.
    pub fn presented_certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The identity key its certificate names: public.
    pub fn presented_identity(&self) -> &PublicKey {
        &self.identity
    }

    /// A part connecting from a new endpoint asks for a challenge: the nonce and the
    /// registrar's ephemeral key its answer must sign over.
    pub fn challenge(&mut self, crypto: &Crypto) -> ([u8; 32], PublicKey) {
        let challenge = self.registrar.challenge(crypto, &mut self.challenges);
        let asked = (challenge.nonce, challenge.server.clone());
        self.pending = Some(challenge);
        asked
    }

    /// That part's answer, with the certificate it presents, from a new endpoint of its
    /// own: the registrar admits it or says why not.
    pub fn connect(
        &mut self,
        crypto: &Crypto,
        certificate: &[u8],
        answer: &DeviceAuth,
    ) -> Result<(), Refusal> {
        let endpoint = self.next_endpoint;
        self.next_endpoint += 1;
        self.admit(crypto, endpoint, certificate, answer)
    }

    fn admit(
        &mut self,
        crypto: &Crypto,
        endpoint: u64,
        certificate: &[u8],
        answer: &DeviceAuth,
    ) -> Result<(), Refusal> {
        let challenge = self.pending.take().ok_or(Refusal::BadAnswer)?;
        let session = self
            .registrar
            .connect(crypto, endpoint, certificate, challenge, answer)?;
        if let Some(why) = self.registrar.barred_as(&session.identity) {
            self.admitted_barred.push((session.identity, why));
        }
        self.sessions
            .entry(session.identity)
            .or_default()
            .insert(endpoint);
        Ok(())
    }

    /// Every identity the registrar admitted although the customer's records bar it,
    /// with why they do: the world's record, for the oracles.
    pub fn admitted_barred(&self) -> &[(Fingerprint, String)] {
        &self.admitted_barred
    }

    /// Every identity the registrar let hold sessions from more than one endpoint at
    /// once, with the endpoints: the world's record, for the oracles.
    pub fn shared_identities(&self) -> Vec<(Fingerprint, Vec<u64>)> {
        self.sessions
            .iter()
            .filter(|(_, endpoints)| endpoints.len() > 1)
            .map(|(identity, endpoints)| (*identity, endpoints.iter().copied().collect()))
            .collect()
    }
}
