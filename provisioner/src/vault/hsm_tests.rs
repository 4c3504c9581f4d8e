use super::*;
use provsim_sim::{Seed, SimTime, Trace};

#[test]
fn policy_keeps_each_key_to_its_use() {
    let crypto = Crypto::new();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut stream = Seed::new(1).stream("test/hsm");
    let mut hsm = Hsm::new(Custody::ProvisionerHsm, IdentityOrigin::Vault);
    let (ca, _) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
    let (device, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
    let recipient = crypto.generate_key(&mut stream);

    let err = hsm
        .wrap_for_device(&mut ctx, ca, recipient.public_key(), b"", &mut stream)
        .unwrap_err();
    assert!(matches!(err, HsmError::PolicyForbids { .. }), "{err}");
    assert!(
        hsm.sign_firmware_digest(&mut ctx, device, &[0; 32])
            .is_err()
    );
    assert!(hsm.sign_record(&mut ctx, ca, b"record").is_err());
    assert!(matches!(
        hsm.crl_signer(&crypto, device),
        Err(HsmError::PolicyForbids {
            operation: "CRL signing",
            ..
        })
    ));
    hsm.wrap_for_device(&mut ctx, device, recipient.public_key(), b"", &mut stream)
        .unwrap();
    let again = hsm.wrap_for_device(&mut ctx, device, recipient.public_key(), b"", &mut stream);
    assert!(again.is_err(), "a device key must leave only once");

    hsm.destroy(&mut ctx, device).unwrap();
    assert_eq!(hsm.destroy(&mut ctx, device), Err(HsmError::NoSuchKey(1)));
    assert_eq!(
        hsm.stats(),
        HsmStats {
            generated: 2,
            restored: 0,
            identity_generated: 1,
            wrapped: 1,
            destroyed: 1,
            certificates_signed: 0,
            crls_signed: 0,
            secrets_generated: 0,
            secrets_wrapped: 0,
            secrets_destroyed: 0,
        }
    );
    assert_eq!(hsm.live_keys(), 1);
}

#[test]
fn the_controller_vm_holds_keys_only_under_shared_vm_custody() {
    let crypto = Crypto::new();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    for custody in Custody::ALL {
        let mut stream = Seed::new(3).stream("test/hsm");
        let mut hsm = Hsm::new(custody, IdentityOrigin::Vault);
        let (handle, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
        let secret = crypto
            .generate_key(&mut Seed::new(3).stream("test/hsm"))
            .expose_secret_bytes();
        let memory = hsm.controller_memory();
        let holds = memory.windows(32).any(|w| w == secret);
        assert_eq!(holds, custody == Custody::SharedVm, "{custody}");
        hsm.destroy(&mut ctx, handle).unwrap();
        assert!(!hsm.controller_memory().windows(32).any(|w| w == secret));
    }
}

#[test]
fn only_the_customers_hsm_refuses_to_certify_a_presented_key() {
    let crypto = Crypto::new();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let outsider = crypto.generate_key(&mut Seed::new(4).stream("test/outsider"));
    for custody in Custody::ALL {
        let mut stream = Seed::new(4).stream("test/hsm");
        let mut hsm = Hsm::new(custody, IdentityOrigin::Vault);
        let (ca, _) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
        let (device, device_key) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
        let (certified, _) = hsm
            .device_certificate_signer(&crypto, ca, CertSubject::Generated(device))
            .unwrap();
        assert_eq!(certified, device_key);
        let presented = hsm.device_certificate_signer(
            &crypto,
            ca,
            CertSubject::Presented(outsider.public_key()),
        );
        assert_eq!(
            presented.is_ok(),
            custody != Custody::CustomerHsm,
            "{custody}"
        );
        // A CA key is not a device identity, whoever asks.
        assert!(
            hsm.device_certificate_signer(&crypto, ca, CertSubject::Generated(ca))
                .is_err()
        );
    }
}

#[test]
fn a_split_key_comes_back_only_from_a_quorum_of_its_own_shares() {
    let crypto = Crypto::new();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut stream = Seed::new(2).stream("test/hsm");
    let mut hsm = Hsm::new(Custody::ProvisionerHsm, IdentityOrigin::Vault);
    let quorum = Quorum {
        custodians: 5,
        threshold: 3,
    };
    let (root, root_key) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
    let (other, _) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
    let shares = hsm.split_key(&mut ctx, root, quorum, &mut stream).unwrap();
    let foreign = hsm.split_key(&mut ctx, other, quorum, &mut stream).unwrap();
    hsm.destroy(&mut ctx, root).unwrap();

    let two: Vec<&KeyShare> = shares.iter().take(2).collect();
    assert_eq!(
        hsm.restore_key(&mut ctx, &two, quorum, &root_key),
        Err(HsmError::QuorumNotMet {
            presented: 2,
            threshold: 3
        })
    );
    let mixed = vec![&shares[0], &shares[1], &foreign[2]];
    assert!(
        hsm.restore_key(&mut ctx, &mixed, quorum, &root_key)
            .is_err()
    );
    let three = vec![&shares[4], &shares[0], &shares[2]];
    let restored = hsm
        .restore_key(&mut ctx, &three, quorum, &root_key)
        .unwrap();
    assert_eq!(hsm.public_key(restored).unwrap(), &root_key);
    assert_eq!(hsm.stats().restored, 1);
    // Device keys cannot be split: only CA keys have custodians.
    let (device, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
    assert!(
        hsm.split_key(&mut ctx, device, quorum, &mut stream)
            .is_err()
    );
}
