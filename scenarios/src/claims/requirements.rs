//! The requirements a scenario's own claim may stand for: Common Criteria SFRs and
//! assurance components, and SESIP's security functional requirements, each with its
//! title. A claim naming one of these says it in the report with its title; a name that
//! is not here is refused unless the scenario says it is free (`free_requirement`), in
//! which case the report marks it as not provsim's.

/// Each requirement provsim knows: (its name as a scenario writes it, its title).
pub static REQUIREMENTS: &[(&str, &str)] = &[
    (
        "ALC_DVS.1",
        "identification of security measures (development security)",
    ),
    (
        "ALC_DVS.2",
        "sufficiency of security measures (development security)",
    ),
    ("FAU_GEN.1", "audit data generation"),
    ("FCS_CKM.4", "cryptographic key destruction"),
    ("FCS_COP.1", "cryptographic operation"),
    ("FDP_ACF.1", "security attribute based access control"),
    (
        "FDP_ITC.1",
        "import of user data without security attributes",
    ),
    ("FDP_RIP.1", "subset residual information protection"),
    ("FDP_SDC.1", "stored data confidentiality"),
    ("FDP_SDI.2", "stored data integrity monitoring and action"),
    ("FIA_API.1", "authentication proof of identity"),
    ("FMT_LIM.1", "limited capabilities"),
    ("FMT_LIM.2", "limited availability"),
    ("FPT_FLS.1", "failure with preservation of secure state"),
    ("FPT_PHP.3", "resistance to physical attack"),
    ("FPT_RPL.1", "replay detection"),
    ("FPT_TST.1", "TSF testing"),
    ("FTP_ITC.1", "inter-TSF trusted channel"),
    ("SESIP.attestation", "attestation of platform genuineness"),
    ("SESIP.decommission", "secure decommissioning"),
    ("SESIP.identity", "verification of platform identity"),
    ("SESIP.initialization", "secure initialization of platform"),
    ("SESIP.keystore", "cryptographic keystore"),
    ("SESIP.physical", "physical attacker resistance"),
    ("SESIP.secure-communication", "secure communication support"),
    ("SESIP.secure-storage", "secure storage"),
    ("SESIP.update", "secure update of platform"),
];

/// `name` with its title, if provsim lists it.
pub fn titled(name: &str) -> Option<String> {
    REQUIREMENTS
        .iter()
        .find(|(listed, _)| *listed == name)
        .map(|(listed, title)| format!("{listed} {title}"))
}

/// The listed names, for messages.
pub fn names() -> Vec<&'static str> {
    REQUIREMENTS.iter().map(|(name, _)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_distinct() {
        let names = names();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert_eq!(
            titled("FDP_SDC.1").as_deref(),
            Some("FDP_SDC.1 stored data confidentiality")
        );
        assert_eq!(titled("FDP_SDC.9"), None);
    }
}
