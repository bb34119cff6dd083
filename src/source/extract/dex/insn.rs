//! Dalvik instructions: how long each one is, and what the few that carry strings, fields,
//! byte arrays and calls do. Everything else is stepped over by its width.

/// Most argument registers of a call that are tracked; the rest read as unknown.
pub(super) const MAX_ARGS: usize = 8;

/// The argument registers of an `invoke-*`.
#[derive(Clone, Copy)]
pub(super) struct Args {
    pub regs: [u16; MAX_ARGS],
    pub len: usize,
}

/// An instruction the tracer acts on.
pub(super) enum Op {
    /// `const-string vA, string@B` (and `/jumbo`).
    ConstString { dst: u16, string: usize },
    /// `move-object vA, vB` and its wider forms.
    Move { dst: u16, src: u16 },
    /// `move-result-object vA`: the value of the last call.
    MoveResult { dst: u16 },
    /// `sget-object` / `iget-object vA, field@B`.
    GetField { dst: u16, field: usize },
    /// `sput-object` / `iput-object vA, field@B`.
    PutField { src: u16, field: usize },
    /// `invoke-*` of method@m.
    Invoke { method: usize, args: Args },
    /// `fill-array-data vA, +off`: the payload's position in code units.
    FillArray { dst: u16, payload: usize },
    /// Writes vA with a value that is not tracked (a number, a new object, a cast keeps
    /// its value and is not listed).
    Write { dst: u16 },
    /// Anything else.
    Other,
}

/// Width in code units of the instruction with opcode `op` (payloads are handled apart).
fn width(op: u8) -> usize {
    match op {
        0x00..=0x01
        | 0x04
        | 0x07
        | 0x0a..=0x12
        | 0x1d
        | 0x1e
        | 0x21
        | 0x27
        | 0x28
        | 0x3e..=0x43
        | 0x73
        | 0x79
        | 0x7a
        | 0x7b..=0x8f
        | 0xb0..=0xcf
        | 0xe3..=0xf9 => 1,
        0x02
        | 0x05
        | 0x08
        | 0x13
        | 0x15
        | 0x16
        | 0x19
        | 0x1a
        | 0x1c
        | 0x1f
        | 0x20
        | 0x22
        | 0x23
        | 0x29
        | 0x2d..=0x3d
        | 0x44..=0x6d
        | 0x90..=0xaf
        | 0xd0..=0xe2
        | 0xfe
        | 0xff => 2,
        0x03
        | 0x06
        | 0x09
        | 0x14
        | 0x17
        | 0x1b
        | 0x24..=0x26
        | 0x2a..=0x2c
        | 0x6e..=0x72
        | 0x74..=0x78
        | 0xfc
        | 0xfd => 3,
        0xfa | 0xfb => 4,
        0x18 => 5,
    }
}

/// Width of the payload starting at `pc`, when the unit there is a payload's identifier.
fn payload_width(code: &Code<'_>, pc: usize) -> Option<usize> {
    let size = code.unit(pc + 1)?;
    match code.unit(pc)? {
        0x0100 => Some(4 + size * 2),
        0x0200 => Some(2 + size * 4),
        0x0300 => {
            let count = code.unit(pc + 2)? | (code.unit(pc + 3)? << 16);
            Some(4 + (count.checked_mul(size)?).div_ceil(2))
        }
        _ => None,
    }
}

/// A method's instructions: little-endian 16-bit code units.
pub(super) struct Code<'a> {
    pub bytes: &'a [u8],
}

impl Code<'_> {
    /// Length in code units.
    pub fn len(&self) -> usize {
        self.bytes.len() / 2
    }

    pub fn unit(&self, pc: usize) -> Option<usize> {
        let o = pc.checked_mul(2)?;
        let x = self.bytes.get(o..o + 2)?;
        Some(u16::from_le_bytes([x[0], x[1]]) as usize)
    }

    /// The instruction at `pc` and the pc of the next one; `None` when it runs past the end.
    pub fn decode(&self, pc: usize) -> Option<(Op, usize)> {
        let first = self.unit(pc)?;
        let op = (first & 0xff) as u8;
        let aa = (first >> 8) as u16;
        let a = aa & 0xf;
        let w = match op {
            0x00 => payload_width(self, pc).unwrap_or(1),
            _ => width(op),
        };
        let next = pc.checked_add(w).filter(|&n| n <= self.len())?;
        let u = |i: usize| self.unit(pc + i).unwrap_or(0);
        let decoded = match op {
            0x1a => Op::ConstString {
                dst: aa,
                string: u(1),
            },
            0x1b => Op::ConstString {
                dst: aa,
                string: u(1) | (u(2) << 16),
            },
            0x07 => Op::Move {
                dst: a,
                src: aa >> 4,
            },
            0x08 => Op::Move {
                dst: aa,
                src: u(1) as u16,
            },
            0x09 => Op::Move {
                dst: u(1) as u16,
                src: u(2) as u16,
            },
            0x0c => Op::MoveResult { dst: aa },
            0x62 => Op::GetField {
                dst: aa,
                field: u(1),
            },
            0x54 => Op::GetField {
                dst: a,
                field: u(1),
            },
            0x69 => Op::PutField {
                src: aa,
                field: u(1),
            },
            0x5b => Op::PutField {
                src: a,
                field: u(1),
            },
            0x6e..=0x72 | 0xfc => Op::Invoke {
                method: u(1),
                args: listed(aa, u(2)),
            },
            0x74..=0x78 | 0xfd => Op::Invoke {
                method: u(1),
                args: ranged(aa, u(2)),
            },
            0x26 => Op::FillArray {
                dst: aa,
                payload: pc.wrapping_add_signed((u(1) | (u(2) << 16)) as u32 as i32 as isize),
            },
            0x03 | 0x06 => Op::Write { dst: u(1) as u16 },
            0x01
            | 0x04
            | 0x12
            | 0x20
            | 0x21
            | 0x23
            | 0x52..=0x58
            | 0x7b..=0x8f
            | 0xb0..=0xcf
            | 0xd0..=0xd7 => Op::Write { dst: a },
            0x02 | 0x05 | 0x0a | 0x0b | 0x0d | 0x13..=0x19 | 0x1c | 0x22 => Op::Write { dst: aa },
            0x2d..=0x31 | 0x44..=0x4a | 0x60..=0x66 | 0x90..=0xaf | 0xd8..=0xe2 | 0xfe | 0xff => {
                Op::Write { dst: aa }
            }
            _ => Op::Other,
        };
        Some((decoded, next))
    }
}

/// `invoke-kind {vC, vD, vE, vF, vG}`: the count and vG in the first unit's high byte, the
/// rest a nibble each in the third unit.
fn listed(aa: u16, regs: usize) -> Args {
    let len = ((aa >> 4) as usize).min(5);
    let mut args = Args {
        regs: [0; MAX_ARGS],
        len,
    };
    for (i, r) in args.regs.iter_mut().take(4).enumerate() {
        *r = ((regs >> (4 * i)) & 0xf) as u16;
    }
    args.regs[4] = aa & 0xf;
    args
}

/// `invoke-kind/range {vCCCC .. vNNNN}`.
fn ranged(count: u16, first: usize) -> Args {
    let mut args = Args {
        regs: [0; MAX_ARGS],
        len: (count as usize).min(MAX_ARGS),
    };
    for (i, r) in args.regs.iter_mut().enumerate() {
        *r = (first + i).min(u16::MAX as usize) as u16;
    }
    args
}
