//! Every CLI test, in one binary with shared helpers.

mod formats;
mod helpers;
mod inputs;
mod rules;
mod scan;
