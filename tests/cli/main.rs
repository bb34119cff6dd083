//! Every CLI test, in one binary with shared helpers.

mod artifacts;
mod formats;
mod git;
mod helpers;
mod inputs;
mod proof;
mod rules;
mod scan;
