//! leakhound: finds leaked JWT signing keys, bearer tokens, identity-platform secrets and
//! private keys.
//!
//! Data flows one way: [`source`] yields blobs, [`matcher`] finds candidate matches for the
//! [`rules`], [`detect`] validates them into [`finding::Finding`]s, and [`report`] writes them.
//! [`scan`] wires those stages together.

pub mod baseline;
pub mod blob;
pub mod config;
pub mod detect;
pub mod finding;
pub mod history;
pub mod lines;
pub mod matcher;
pub mod proof;
pub mod report;
pub mod rules;
pub mod run;
pub mod scan;

pub mod source;
pub mod suppress;
