//! Every CLI test, in one binary with shared helpers.

// The Action's bash steps and the stand-in `cargo` they call are Unix scripts; Windows
// runners run the Action in Git Bash, which these offline runs do not model.
#[cfg(unix)]
mod action;
#[cfg(unix)]
mod action_release;
mod apps;
mod artifacts;
mod binaries;
mod caf;
mod delta_scan;
mod formats;
mod generic;
mod git;
mod helpers;
mod hooks;
mod hostile_cli;
mod hostile_extract;
mod hostile_text;
mod html;
mod html_blocks;
mod inputs;
mod merge;
mod merge_inputs;
#[cfg(unix)]
mod org_audit;
mod packaging;
mod progress;
mod proof;
mod proof_keys;
mod regions;
mod rules;
mod scan;
mod snapshots;
mod suppress;
mod workflows;
