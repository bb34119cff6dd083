//! Where bytes come from. Each source hands `(path, bytes)` pairs to a per-worker visitor.

pub mod blob;
pub mod decode;
pub mod extract;
pub mod git;
pub mod member;
pub mod path;
pub mod walk;
