//! The customer's cloud: the registrar that meets each device at its first connection
//! ([`registrar`]), and the line's dealings with it ([`first_connection`]): registering
//! the customer CA once, then each shipped device connecting as it ships.

pub(crate) mod error;
pub(crate) mod first_connection;
pub(crate) mod registrar;
