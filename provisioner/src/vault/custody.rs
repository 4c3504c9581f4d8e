//! Who holds the customer's secrets: the three set-ups a provisioner offers, cheapest
//! first. Each draws the trust boundaries differently, and the site's attack surface
//! (what an attack copy's `SiteAccess` reaches) follows from them rather than from a
//! table:
//!
//! | custody | where keys live | who can make the CA certify |
//! |---|---|---|
//! | `shared-vm` | in the memory of the customer's VM on the provisioner's shared server | anyone with root in that VM |
//! | `provisioner-hsm` | in the provisioner's HSM, a partition per customer | the provisioner's operators (they hold the partition credential) |
//! | `customer-hsm` | in the customer's own HSM | nobody at the site: the customer's policy lets the CA certify only keys the HSM made for the order |

/// The custody configuration of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Custody {
    /// A VM per customer on the provisioner's shared server; a software key store keeps
    /// every key in the VM's memory, and only the hypervisor separates tenants.
    SharedVm,
    /// The provisioner's HSM, a partition per customer; keys are non-extractable, but the
    /// provisioner's staff hold the partition's user credential.
    ProvisionerHsm,
    /// The customer's own HSM: the provisioner's systems never hold a secret outside it,
    /// and what it releases to the line is wrapped for one device.
    CustomerHsm,
}

/// Where a vault's keys are while it holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyResidence {
    /// In the memory of the VM that runs the line's controller, as PKCS#8.
    VmMemory,
    /// Inside an HSM; the controller holds handles only.
    Hardware,
}

impl Custody {
    pub const ALL: [Custody; 3] = [
        Custody::SharedVm,
        Custody::ProvisionerHsm,
        Custody::CustomerHsm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Custody::SharedVm => "shared-vm",
            Custody::ProvisionerHsm => "provisioner-hsm",
            Custody::CustomerHsm => "customer-hsm",
        }
    }

    pub fn parse(name: &str) -> Option<Custody> {
        Custody::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn residence(self) -> KeyResidence {
        match self {
            Custody::SharedVm => KeyResidence::VmMemory,
            Custody::ProvisionerHsm | Custody::CustomerHsm => KeyResidence::Hardware,
        }
    }

    /// Whether the vault's CA signs a certificate for a public key it is handed, rather
    /// than only for an identity key it generated itself. On the provisioner's own
    /// systems the provisioner's staff hold the credentials, so whatever the console
    /// asks is signed; the customer's HSM runs the customer's policy, which binds
    /// certification to the keys it makes for the order.
    pub fn certifies_presented_keys(self) -> bool {
        !matches!(self, Custody::CustomerHsm)
    }

    /// One line for reports: where the keys live.
    pub fn key_residence(self) -> &'static str {
        match self {
            Custody::SharedVm => {
                "in clear in the customer VM's memory, on a server shared with other tenants"
            }
            Custody::ProvisionerHsm => {
                "non-extractable in the provisioner's HSM, in a partition for this customer"
            }
            Custody::CustomerHsm => "non-extractable in the customer's own HSM",
        }
    }

    /// One line for reports: who can make the customer CA sign.
    pub fn certification_authorised_by(self) -> &'static str {
        match self {
            Custody::SharedVm => "anyone with root in the customer's VM (the provisioner's staff)",
            Custody::ProvisionerHsm => {
                "the provisioner's operators, who hold the partition credential"
            }
            Custody::CustomerHsm => {
                "the customer's policy in its HSM: only keys the HSM made for the order"
            }
        }
    }
}

impl std::fmt::Display for Custody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_boundaries_differ() {
        for custody in Custody::ALL {
            assert_eq!(Custody::parse(custody.name()), Some(custody));
        }
        assert_eq!(Custody::parse("hsm"), None);
        assert_eq!(Custody::SharedVm.residence(), KeyResidence::VmMemory);
        assert_eq!(Custody::ProvisionerHsm.residence(), KeyResidence::Hardware);
        assert!(Custody::ProvisionerHsm.certifies_presented_keys());
        assert!(!Custody::CustomerHsm.certifies_presented_keys());
    }
}
