use super::*;
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, SecretKey};

fn identity(crypto: &Crypto, anchor: &SecretKey, role: Role) -> LinkIdentity {
    let label = format!("{role:?}");
    let key = crypto.generate_key(&mut Seed::new(1).stream(&label));
    LinkIdentity {
        certificate: link_certificate(
            crypto,
            anchor,
            key.public_key(),
            role,
            &mut Seed::new(1).stream("serial"),
        )
        .unwrap(),
        key,
    }
}

/// A completed handshake: (station, vault).
fn pair(crypto: &Crypto, anchor: &SecretKey) -> (Endpoint, Endpoint) {
    let trust = anchor.public_key().clone();
    let (mut station, hello) = Endpoint::client(
        crypto,
        identity(crypto, anchor, Role::Station),
        trust.clone(),
        Seed::new(2).stream("s"),
        1,
    );
    let mut vault = Endpoint::server(
        identity(crypto, anchor, Role::Vault),
        trust,
        Seed::new(2).stream("v"),
        0,
    );
    let Event::Send(welcome) = vault.receive(crypto, &hello).unwrap().remove(0) else {
        panic!("no welcome");
    };
    let Event::Send(finish) = station.receive(crypto, &welcome).unwrap().remove(0) else {
        panic!("no finish");
    };
    assert_eq!(
        vault.receive(crypto, &finish).unwrap(),
        [Event::Established]
    );
    assert!(station.is_established() && vault.is_established());
    (station, vault)
}

#[test]
fn records_flow_once_each_way_and_the_window_refuses_old_ones() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let (mut station, mut vault) = pair(&crypto, &anchor);
    let records: Vec<Vec<u8>> = (0..80u8)
        .map(|i| vault.seal(&crypto, &[i]).unwrap())
        .collect();
    // Out of order within the window is fine; each only once.
    assert_eq!(
        station.receive(&crypto, &records[5]).unwrap(),
        [Event::Data(vec![5])]
    );
    assert_eq!(
        station.receive(&crypto, &records[3]).unwrap(),
        [Event::Data(vec![3])]
    );
    assert_eq!(
        station.receive(&crypto, &records[3]),
        Err(LinkError::Replayed(3))
    );
    assert_eq!(
        station.receive(&crypto, &records[79]).unwrap(),
        [Event::Data(vec![79])]
    );
    // 4 is now more than 64 below the highest: too old, even though never seen.
    assert_eq!(
        station.receive(&crypto, &records[4]),
        Err(LinkError::Replayed(4))
    );
    assert!(station.receive(&crypto, &records[20]).is_ok());
    // An altered record is refused and does not burn its number.
    let mut altered = records[21].clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    assert_eq!(station.receive(&crypto, &altered), Err(LinkError::Record));
    assert!(station.receive(&crypto, &records[21]).is_ok());
    // A record for the other direction does not open.
    let down = vault.seal(&crypto, b"mine").unwrap();
    assert_eq!(vault.receive(&crypto, &down), Err(LinkError::Record));
    let up = station.seal(&crypto, b"ack").unwrap();
    assert_eq!(
        vault.receive(&crypto, &up).unwrap(),
        [Event::Data(b"ack".to_vec())]
    );
}

/// The window holds exactly 64 numbers: 63 below the highest is still taken, 64
/// below is too old, and a jump of 64 or more starts it afresh.
#[test]
fn the_replay_window_edges() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let (mut station, mut vault) = pair(&crypto, &anchor);
    let records: Vec<Vec<u8>> = (0..200u8)
        .map(|i| vault.seal(&crypto, &[i]).unwrap())
        .collect();
    assert!(station.receive(&crypto, &records[100]).is_ok());
    assert!(station.receive(&crypto, &records[37]).is_ok(), "100 - 63");
    assert_eq!(
        station.receive(&crypto, &records[36]),
        Err(LinkError::Replayed(36))
    );
    assert!(
        station.receive(&crypto, &records[164]).is_ok(),
        "a jump of 64"
    );
    assert_eq!(
        station.receive(&crypto, &records[100]),
        Err(LinkError::Replayed(100))
    );
    assert!(station.receive(&crypto, &records[101]).is_ok(), "164 - 63");
    assert!(
        station.receive(&crypto, &records[199]).is_ok(),
        "a jump of 35"
    );
    assert!(
        station.receive(&crypto, &records[136]).is_ok(),
        "199 - 63, never seen"
    );
    assert_eq!(
        station.receive(&crypto, &records[164]),
        Err(LinkError::Replayed(164))
    );
}

/// A certificate under the right anchor for the wrong end, or a CA's, is refused.
#[test]
fn a_certificate_for_the_other_end_cannot_stand_in() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let trust = anchor.public_key().clone();
    // A "station" that presents the vault's certificate (and holds its key).
    let (_, hello) = Endpoint::client(
        &crypto,
        identity(&crypto, &anchor, Role::Vault),
        trust.clone(),
        Seed::new(4).stream("s"),
        1,
    );
    let mut vault = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        trust.clone(),
        Seed::new(4).stream("v"),
        0,
    );
    assert_eq!(vault.receive(&crypto, &hello), Err(LinkError::Certificate));
    // A "vault" answering with a station certificate.
    let (mut station, hello) = Endpoint::client(
        &crypto,
        identity(&crypto, &anchor, Role::Station),
        trust.clone(),
        Seed::new(5).stream("s"),
        1,
    );
    let mut impostor = Endpoint::server(
        identity(&crypto, &anchor, Role::Station),
        trust.clone(),
        Seed::new(5).stream("v"),
        0,
    );
    // The impostor answers, but the station checks the role of what answers.
    let Event::Send(forged) = impostor.receive(&crypto, &hello).unwrap().remove(0) else {
        panic!("no welcome");
    };
    assert_eq!(
        station.receive(&crypto, &forged),
        Err(LinkError::Certificate)
    );
    let mut genuine = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        trust,
        Seed::new(5).stream("v"),
        0,
    );
    let Event::Send(welcome) = genuine.receive(&crypto, &hello).unwrap().remove(0) else {
        panic!("no welcome");
    };
    assert!(station.receive(&crypto, &welcome).is_ok());
}

/// A hello the network delivers twice gets the same welcome twice, so the station's
/// finish still matches what the vault holds and the handshake completes.
#[test]
fn a_duplicated_hello_does_not_strand_the_handshake() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let trust = anchor.public_key().clone();
    let (mut station, hello) = Endpoint::client(
        &crypto,
        identity(&crypto, &anchor, Role::Station),
        trust.clone(),
        Seed::new(6).stream("s"),
        1,
    );
    let mut vault = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        trust,
        Seed::new(6).stream("v"),
        0,
    );
    let first = vault.receive(&crypto, &hello).unwrap();
    let again = vault.receive(&crypto, &hello).unwrap();
    assert_eq!(first, again);
    let Event::Send(welcome) = &again[0] else {
        panic!("no welcome");
    };
    let Event::Send(finish) = station.receive(&crypto, welcome).unwrap().remove(0) else {
        panic!("no finish");
    };
    assert_eq!(
        vault.receive(&crypto, &finish).unwrap(),
        [Event::Established]
    );
}

/// A hello older than one the vault has answered (a replay from an earlier
/// handshake) is refused, so it cannot displace the handshake in progress; the
/// vault's floor carries over to its next end.
#[test]
fn an_old_hello_cannot_displace_a_newer_handshake() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let trust = anchor.public_key().clone();
    let station = || identity(&crypto, &anchor, Role::Station);
    let (_, old) = Endpoint::client(
        &crypto,
        station(),
        trust.clone(),
        Seed::new(7).stream("s1"),
        4,
    );
    let (mut current, hello) = Endpoint::client(
        &crypto,
        station(),
        trust.clone(),
        Seed::new(7).stream("s2"),
        5,
    );
    let mut vault = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        trust.clone(),
        Seed::new(7).stream("v"),
        0,
    );
    let Event::Send(welcome) = vault.receive(&crypto, &hello).unwrap().remove(0) else {
        panic!("no welcome");
    };
    assert_eq!(vault.receive(&crypto, &old), Err(LinkError::StaleHello(4)));
    let Event::Send(finish) = current.receive(&crypto, &welcome).unwrap().remove(0) else {
        panic!("no finish");
    };
    assert_eq!(
        vault.receive(&crypto, &finish).unwrap(),
        [Event::Established]
    );
    assert_eq!(vault.hello_floor(), 6);
    let mut next = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        trust,
        Seed::new(7).stream("v2"),
        vault.hello_floor(),
    );
    assert_eq!(next.receive(&crypto, &hello), Err(LinkError::StaleHello(5)));
}

#[test]
fn an_end_not_certified_by_the_anchor_is_refused() {
    let crypto = Crypto::new();
    let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
    let rogue = crypto.generate_key(&mut Seed::new(1).stream("rogue"));
    let (_, hello) = Endpoint::client(
        &crypto,
        identity(&crypto, &rogue, Role::Station),
        anchor.public_key().clone(),
        Seed::new(3).stream("s"),
        1,
    );
    let mut vault = Endpoint::server(
        identity(&crypto, &anchor, Role::Vault),
        anchor.public_key().clone(),
        Seed::new(3).stream("v"),
        0,
    );
    assert_eq!(vault.receive(&crypto, &hello), Err(LinkError::Certificate));
    assert_eq!(vault.seal(&crypto, b"x"), Err(LinkError::NotEstablished));
    // Every truncation of a genuine hello is refused without a panic.
    let (_, hello) = Endpoint::client(
        &crypto,
        identity(&crypto, &anchor, Role::Station),
        anchor.public_key().clone(),
        Seed::new(3).stream("s"),
        1,
    );
    for cut in 0..hello.len() {
        assert!(vault.receive(&crypto, &hello[..cut]).is_err());
    }
    assert!(vault.receive(&crypto, &hello).is_ok());
}
