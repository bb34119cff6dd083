//! A DEX file writer for tests: ids added on demand, methods with their code, and the few
//! Dalvik instructions the tests need, encoded.

/// A method with code: id, registers, ins, instructions.
type Method = (usize, u16, u16, Vec<u16>);

/// Builds a DEX file: ids are added on demand, methods carry their code.
#[derive(Default)]
pub(in crate::source::extract) struct DexBuilder {
    strings: Vec<String>,
    types: Vec<usize>,
    protos: Vec<usize>,
    fields: Vec<(usize, usize)>,
    methods: Vec<(usize, usize, usize)>,
    /// Class type → its methods.
    classes: Vec<(usize, Vec<Method>)>,
}

impl DexBuilder {
    pub fn string(&mut self, s: &str) -> u16 {
        let i = match self.strings.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                self.strings.push(s.to_string());
                self.strings.len() - 1
            }
        };
        i as u16
    }

    pub fn ty(&mut self, descriptor: &str) -> usize {
        let s = self.string(descriptor) as usize;
        match self.types.iter().position(|&x| x == s) {
            Some(i) => i,
            None => {
                self.types.push(s);
                self.types.len() - 1
            }
        }
    }

    /// Method `name` of class `class` returning `ret`.
    pub fn method(&mut self, class: &str, name: &str, ret: &str) -> u16 {
        let (c, n) = (self.ty(class), self.string(name) as usize);
        let r = self.ty(ret);
        let p = match self.protos.iter().position(|&x| x == r) {
            Some(i) => i,
            None => {
                self.protos.push(r);
                self.protos.len() - 1
            }
        };
        self.methods.push((c, p, n));
        (self.methods.len() - 1) as u16
    }

    pub fn field(&mut self, class: &str, name: &str) -> u16 {
        let (c, n) = (self.ty(class), self.string(name) as usize);
        self.fields.push((c, n));
        (self.fields.len() - 1) as u16
    }

    /// Gives method `m` (of class `class`) this code.
    pub fn code(&mut self, class: &str, m: u16, regs: u16, ins: u16, code: Vec<u16>) {
        let c = self.ty(class);
        let entry = (m as usize, regs, ins, code);
        match self.classes.iter_mut().find(|(x, _)| *x == c) {
            Some((_, ms)) => ms.push(entry),
            None => self.classes.push((c, vec![entry])),
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let mut b = vec![0u8; 0x70];
        b[..8].copy_from_slice(b"dex\n035\0");
        let table = |b: &mut Vec<u8>, at: usize, count: usize, item: usize| {
            put32(b, at, count);
            let here = b.len();
            put32(b, at + 4, here);
            let end = b.len() + count * item;
            b.resize(end, 0);
            end - count * item
        };
        let strings = table(&mut b, 0x38, self.strings.len(), 4);
        let types = table(&mut b, 0x40, self.types.len(), 4);
        let protos = table(&mut b, 0x48, self.protos.len(), 12);
        let fields = table(&mut b, 0x50, self.fields.len(), 8);
        let methods = table(&mut b, 0x58, self.methods.len(), 8);
        let classes = table(&mut b, 0x60, self.classes.len(), 32);
        for (i, s) in self.strings.iter().enumerate() {
            let here = b.len();
            put32(&mut b, strings + 4 * i, here);
            b.push(s.len() as u8);
            b.extend(s.as_bytes());
            b.push(0);
        }
        for (i, &s) in self.types.iter().enumerate() {
            put32(&mut b, types + 4 * i, s);
        }
        for (i, &r) in self.protos.iter().enumerate() {
            put32(&mut b, protos + 12 * i + 4, r);
        }
        for (i, &(c, n)) in self.fields.iter().enumerate() {
            put16(&mut b, fields + 8 * i, c);
            put32(&mut b, fields + 8 * i + 4, n);
        }
        for (i, &(c, p, n)) in self.methods.iter().enumerate() {
            put16(&mut b, methods + 8 * i, c);
            put16(&mut b, methods + 8 * i + 2, p);
            put32(&mut b, methods + 8 * i + 4, n);
        }
        for (i, (class, ms)) in self.classes.iter().enumerate() {
            put32(&mut b, classes + 32 * i, *class);
            let offs: Vec<usize> = ms.iter().map(|m| code_item(&mut b, m)).collect();
            let here = b.len();
            put32(&mut b, classes + 32 * i + 24, here);
            // No fields, every method direct; ids must ascend, so they are sorted here.
            let mut order: Vec<usize> = (0..ms.len()).collect();
            order.sort_by_key(|&j| ms[j].0);
            uleb(&mut b, &[0, 0, ms.len(), 0]);
            let mut last = 0;
            for j in order {
                uleb(&mut b, &[ms[j].0 - last, 9, offs[j]]);
                last = ms[j].0;
            }
        }
        b
    }
}

fn code_item(b: &mut Vec<u8>, (_, regs, ins, code): &Method) -> usize {
    b.resize(b.len().div_ceil(4) * 4, 0);
    let at = b.len();
    for v in [*regs, *ins, 0, 0] {
        b.extend(v.to_le_bytes());
    }
    b.extend([0u8; 4]);
    b.extend((code.len() as u32).to_le_bytes());
    code.iter().for_each(|u| b.extend(u.to_le_bytes()));
    at
}

fn put16(b: &mut [u8], at: usize, v: usize) {
    b[at..at + 2].copy_from_slice(&(v as u16).to_le_bytes());
}

fn put32(b: &mut [u8], at: usize, v: usize) {
    b[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes());
}

fn uleb(b: &mut Vec<u8>, values: &[usize]) {
    for &v in values {
        let mut v = v;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            b.push(if v == 0 { byte } else { byte | 0x80 });
            if v == 0 {
                break;
            }
        }
    }
}

/// Dalvik instructions, encoded.
pub(in crate::source::extract) mod op {
    pub fn const_string(dst: u16, s: u16) -> Vec<u16> {
        vec![0x1a | dst << 8, s]
    }
    /// `invoke-{kind}` of `m` with up to four argument registers.
    pub fn invoke(kind: u16, m: u16, regs: &[u16]) -> Vec<u16> {
        let nibbles = regs.iter().enumerate().map(|(i, r)| r << (4 * i));
        vec![kind | (regs.len() as u16) << 12, m, nibbles.sum()]
    }
    pub const VIRTUAL: u16 = 0x6e;
    pub const DIRECT: u16 = 0x70;
    pub const STATIC: u16 = 0x71;
    pub fn move_result_object(dst: u16) -> Vec<u16> {
        vec![0x0c | dst << 8]
    }
    pub fn new_instance(dst: u16, ty: u16) -> Vec<u16> {
        vec![0x22 | dst << 8, ty]
    }
    pub fn sput_object(src: u16, f: u16) -> Vec<u16> {
        vec![0x69 | src << 8, f]
    }
    pub fn sget_object(dst: u16, f: u16) -> Vec<u16> {
        vec![0x62 | dst << 8, f]
    }
    pub fn const4(dst: u16, v: u16) -> Vec<u16> {
        vec![0x12 | dst << 8 | v << 12]
    }
    pub fn return_void() -> Vec<u16> {
        vec![0x0e]
    }
}
