//! Hostile inputs: see issue 10.
