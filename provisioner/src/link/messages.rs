//! What crosses the link: the handshake's messages (a type byte, then length-prefixed
//! fields), the record's type byte, and the request/answer framing the session carries
//! inside records.

use crate::link::error::LinkError;

pub const HELLO: u8 = 1;
pub const WELCOME: u8 = 2;
pub const FINISH: u8 = 3;
pub const DATA: u8 = 4;

/// A station's request, inside a record: the request number, then its payload.
pub const REQUEST: u8 = b'Q';
/// The vault's answer to a request number, inside a record.
pub const ANSWER: u8 = b'R';

pub(super) fn put(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(&(field.len() as u16).to_be_bytes());
    out.extend_from_slice(field);
}

/// Reads length-prefixed fields after the tag.
pub(super) fn fields(bytes: &[u8], count: usize) -> Result<Vec<&[u8]>, LinkError> {
    let mut at = 1;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let len = bytes.get(at..at + 2).ok_or(LinkError::Malformed)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        out.push(
            bytes
                .get(at + 2..at + 2 + len)
                .ok_or(LinkError::Malformed)?,
        );
        at += 2 + len;
    }
    if at != bytes.len() {
        return Err(LinkError::Malformed);
    }
    Ok(out)
}

/// A request or an answer: its type, its request number and its payload.
pub fn message(kind: u8, id: u64, payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(9 + payload.len());
    message.push(kind);
    message.extend_from_slice(&id.to_be_bytes());
    message.extend_from_slice(payload);
    message
}

/// A request's or an answer's type, request number and payload.
pub fn parse(message: &[u8]) -> Option<(u8, u64, &[u8])> {
    let kind = *message.first()?;
    let id = u64::from_be_bytes(message.get(1..9)?.try_into().ok()?);
    Some((kind, id, &message[9..]))
}
