//! Git's delta encoding: a target object written as copies from its base and inserted bytes.
//! Applying one also yields where each part of the target came from, so a caller can reuse
//! what it learned about the base for the copied parts.

use std::ops::Range;

/// One instruction of a delta, in target order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Where the bytes go in the target.
    pub to: usize,
    /// How many bytes.
    pub len: usize,
    /// Where they come from in the base; `None` for bytes the delta inserts.
    pub from: Option<usize>,
}

impl Op {
    /// The target bytes this instruction writes.
    pub fn target(&self) -> Range<usize> {
        self.to..self.to + self.len
    }
}

/// Why a delta cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// The delta ends inside a header or an instruction.
    #[error("delta is truncated")]
    Truncated,
    /// The delta was made against an object of another size.
    #[error("delta expects a {expected}-byte base, the base has {actual}")]
    BaseSize {
        /// What the delta says.
        expected: u64,
        /// What the base is.
        actual: usize,
    },
    /// The result would exceed the size the caller allows.
    #[error("delta result of {0} bytes is over the limit")]
    TooLarge(u64),
    /// A copy reaches outside the base, an instruction is the reserved zero, or the
    /// instructions do not write exactly the declared size.
    #[error("delta is malformed")]
    Malformed,
}

/// Applies `delta` to `base`, refusing results over `max` bytes. Linear in the delta and
/// the result; the result is never larger than the delta's declared size.
pub fn apply(base: &[u8], delta: &[u8], max: u64) -> Result<(Vec<u8>, Vec<Op>), DeltaError> {
    let mut pos = 0;
    let expected = varint(delta, &mut pos)?;
    if expected != base.len() as u64 {
        return Err(DeltaError::BaseSize {
            expected,
            actual: base.len(),
        });
    }
    let size = varint(delta, &mut pos)?;
    if size > max {
        return Err(DeltaError::TooLarge(size));
    }
    let size = size as usize;
    let mut out = Vec::with_capacity(size);
    let mut ops = Vec::new();
    while pos < delta.len() {
        let cmd = delta[pos];
        pos += 1;
        let op = if cmd & 0x80 != 0 {
            let (from, len) = copy_args(delta, &mut pos, cmd)?;
            let src = base.get(from..from + len).ok_or(DeltaError::Malformed)?;
            if out.len() + len > size {
                return Err(DeltaError::Malformed);
            }
            let op = Op {
                to: out.len(),
                len,
                from: Some(from),
            };
            out.extend_from_slice(src);
            op
        } else if cmd != 0 {
            let len = usize::from(cmd);
            let src = delta.get(pos..pos + len).ok_or(DeltaError::Truncated)?;
            pos += len;
            if out.len() + len > size {
                return Err(DeltaError::Malformed);
            }
            let op = Op {
                to: out.len(),
                len,
                from: None,
            };
            out.extend_from_slice(src);
            op
        } else {
            return Err(DeltaError::Malformed);
        };
        // Consecutive inserts (runs over 127 bytes) are one stretch of new text.
        match ops.last_mut() {
            Some(Op {
                from: None, len, ..
            }) if op.from.is_none() => *len += op.len,
            _ => ops.push(op),
        }
    }
    if out.len() != size {
        return Err(DeltaError::Malformed);
    }
    Ok((out, ops))
}

/// A copy instruction's offset and length: bits 0-3 of `cmd` say which offset bytes
/// follow, bits 4-6 which length bytes; a length of zero means 64 KiB.
fn copy_args(delta: &[u8], pos: &mut usize, cmd: u8) -> Result<(usize, usize), DeltaError> {
    let mut field = |bits: Range<u8>| -> Result<usize, DeltaError> {
        let mut value = 0usize;
        for (i, bit) in bits.enumerate() {
            if cmd & (1 << bit) != 0 {
                let b = *delta.get(*pos).ok_or(DeltaError::Truncated)?;
                *pos += 1;
                value |= usize::from(b) << (8 * i);
            }
        }
        Ok(value)
    };
    let from = field(0..4)?;
    let len = match field(4..7)? {
        0 => 0x10000,
        n => n,
    };
    Ok((from, len))
}

/// A size in a delta header: little-endian groups of seven bits.
fn varint(delta: &[u8], pos: &mut usize) -> Result<u64, DeltaError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *delta.get(*pos).ok_or(DeltaError::Truncated)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(DeltaError::Malformed)
}
