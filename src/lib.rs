//! leakhound: finds leaked JWT signing keys, bearer tokens, identity-platform secrets and
//! private keys.
//!
//! Data flows one way, and no stage imports a later one:
//!
//! ```text
//! rules, config (data every stage reads)
//! source   → walk, git history, archive and binary extraction, decoders: blobs + provenance
//! matcher  → keyword prefilter and rule regexes: candidate matches
//! detect   → structural checks, placeholders, entropy, overlap: detections
//! finding  → located, fingerprinted findings with typed facts (no prose)
//! merge    → reports read back as findings, one per secret with all its places (`merge`)
//! proof    → tokens verified against keys; rule relations applied
//! filter   → inline markers, allowlists, severity overrides, baseline
//! report   → text, JSON, JSONL, SARIF, GitLab: all human text is written here
//! ```
//!
//! [`pipeline`] wires the stages together; the binary only parses arguments and prints.

#![deny(missing_docs)]

pub mod config;
pub mod detect;
pub mod filter;
pub mod finding;
pub mod matcher;
pub mod merge;
pub mod pipeline;
pub mod proof;
pub mod report;
pub mod rules;
pub mod source;
