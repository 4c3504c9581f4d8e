//! Command and response APDUs in ISO/IEC 7816-4 structure (short form): a command is
//! CLA INS P1 P2, then Lc and data when there is data, then Le when an answer is
//! expected; a response is its data followed by the status word SW1 SW2.

/// A command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Bytes of answer expected: `None` for no Le; `Some(0)` stands for 256.
    pub le: Option<u8>,
}

/// Why bytes are not a command APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("an APDU needs at least its 4 header bytes")]
    TooShort,
    #[error("Lc says {lc} bytes of data, {actual} follow")]
    WrongLength { lc: usize, actual: usize },
    #[error("Lc of 0 is not a short APDU (extended length is not supported)")]
    ZeroLc,
}

impl Command {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8, data: Vec<u8>, le: Option<u8>) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
        }
    }

    /// The four header bytes.
    pub fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// Encodes the command; data longer than 255 bytes cannot be a short APDU and is cut
    /// at 255 (a caller's bug: the card then sees another command).
    pub fn encode(&self) -> Vec<u8> {
        let data = &self.data[..self.data.len().min(255)];
        let mut out = self.header().to_vec();
        if !data.is_empty() {
            out.push(data.len() as u8);
            out.extend_from_slice(data);
        }
        if let Some(le) = self.le {
            out.push(le);
        }
        out
    }

    /// Parses the four cases of ISO 7816-4: header only; header and Le; header, Lc and
    /// data; header, Lc, data and Le.
    pub fn parse(bytes: &[u8]) -> Result<Command, ApduError> {
        let (header, body) = bytes.split_at_checked(4).ok_or(ApduError::TooShort)?;
        let (data, le) = match body {
            [] => (Vec::new(), None),
            [le] => (Vec::new(), Some(*le)),
            [0, ..] => return Err(ApduError::ZeroLc),
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                match rest.len() {
                    n if n == lc => (rest.to_vec(), None),
                    n if n == lc + 1 => (rest[..lc].to_vec(), Some(rest[lc])),
                    actual => return Err(ApduError::WrongLength { lc, actual }),
                }
            }
        };
        Ok(Command {
            cla: header[0],
            ins: header[1],
            p1: header[2],
            p2: header[3],
            data,
            le,
        })
    }
}

/// A status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sw(pub u16);

impl Sw {
    pub const OK: Sw = Sw(0x9000);
    /// Wrong length (Lc or data).
    pub const WRONG_LENGTH: Sw = Sw(0x6700);
    /// Security status not satisfied (PIN or secure channel missing, MAC wrong).
    pub const SECURITY_STATUS: Sw = Sw(0x6982);
    /// Authentication method blocked (the PIN's tries are spent).
    pub const BLOCKED: Sw = Sw(0x6983);
    /// Conditions of use not satisfied (the object's or card's life cycle).
    pub const CONDITIONS: Sw = Sw(0x6985);
    /// Command not allowed (no current selection).
    pub const NOT_ALLOWED: Sw = Sw(0x6986);
    /// Incorrect data.
    pub const WRONG_DATA: Sw = Sw(0x6a80);
    /// Referenced object not found.
    pub const NOT_FOUND: Sw = Sw(0x6a82);
    /// Not enough memory (no free object).
    pub const NO_MEMORY: Sw = Sw(0x6a84);
    /// Incorrect P1 or P2.
    pub const WRONG_P1P2: Sw = Sw(0x6a86);
    /// The object exists already.
    pub const EXISTS: Sw = Sw(0x6a89);
    pub const INS_NOT_SUPPORTED: Sw = Sw(0x6d00);
    pub const CLA_NOT_SUPPORTED: Sw = Sw(0x6e00);

    /// Wrong PIN, `tries` left.
    pub fn tries_left(tries: u8) -> Sw {
        Sw(0x63c0 | u16::from(tries.min(15)))
    }

    pub fn is_ok(self) -> bool {
        self == Sw::OK
    }
}

impl std::fmt::Display for Sw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A response APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: Sw,
}

impl Response {
    pub fn ok(data: Vec<u8>) -> Self {
        Response { data, sw: Sw::OK }
    }

    pub fn status(sw: Sw) -> Self {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }

    /// `None` when fewer than the two status bytes arrive.
    pub fn parse(bytes: &[u8]) -> Option<Response> {
        let (data, sw) = bytes.split_at_checked(bytes.len().checked_sub(2)?)?;
        Some(Response {
            data: data.to_vec(),
            sw: Sw(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cases_read_back() {
        for command in [
            Command::new(0x00, 0xa4, 0x04, 0x00, vec![], None),
            Command::new(0x00, 0xca, 0x00, 0x46, vec![], Some(0)),
            Command::new(0x00, 0x20, 0x00, 0x80, vec![1, 2, 3, 4], None),
            Command::new(0x84, 0x88, 0x00, 0x01, vec![7; 40], Some(0)),
        ] {
            assert_eq!(Command::parse(&command.encode()), Ok(command));
        }
        assert_eq!(Command::parse(&[0, 1, 2]), Err(ApduError::TooShort));
        assert_eq!(
            Command::parse(&[0, 1, 2, 3, 5, 1, 2]),
            Err(ApduError::WrongLength { lc: 5, actual: 2 })
        );
        assert_eq!(Command::parse(&[0, 1, 2, 3, 0, 1]), Err(ApduError::ZeroLc));
        let response = Response::ok(vec![1, 2]);
        assert_eq!(response.encode(), [1, 2, 0x90, 0x00]);
        assert_eq!(Response::parse(&response.encode()), Some(response));
        assert_eq!(Response::parse(&[0x90]), None);
        assert_eq!(Sw::tries_left(2), Sw(0x63c2));
    }
}
