//! `rules check`: every rule's examples through the production scanning path.

use crate::blob::{Blob, Origin};
use crate::matcher::Scratch;
use crate::scan::Scanner;

/// One failed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// The rule whose example failed.
    pub rule: String,
    /// `example` or `negative_example`, with its index.
    pub which: String,
    /// What went wrong.
    pub problem: String,
}

/// Runs every example of every rule through [`Scanner::scan`], with the prefilter both on and
/// off (the two must agree). Returns the failures and the number of examples run.
pub fn check(scanner: &Scanner) -> (Vec<CheckFailure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut scratch = Scratch::default();
    for rule in &scanner.rules.rules {
        let id = &rule.spec.id;
        let cases = rule
            .spec
            .examples
            .iter()
            .map(|e| (true, e))
            .chain(rule.spec.negative_examples.iter().map(|e| (false, e)));
        for (i, (positive, text)) in cases.enumerate() {
            count += 1;
            let blob = Blob {
                bytes: text.as_bytes(),
                origin: Origin::file(format!("example-{i}")),
            };
            let found = scanner.scan_with(&blob, &mut scratch, true);
            let hit = found.iter().any(|f| &f.rule_id == id);
            let key = |fs: &[crate::finding::Finding]| {
                fs.iter()
                    .map(|f| (f.rule_id.clone(), f.offset))
                    .collect::<Vec<_>>()
            };
            if key(&found) != key(&scanner.scan_with(&blob, &mut scratch, false)) {
                failures.push(CheckFailure {
                    rule: id.clone(),
                    which: format!("case {i}"),
                    problem: "prefilter on and off disagree".into(),
                });
            }
            if hit != positive {
                failures.push(CheckFailure {
                    rule: id.clone(),
                    which: format!(
                        "{} {}",
                        if positive {
                            "example"
                        } else {
                            "negative_example"
                        },
                        i
                    ),
                    problem: if positive {
                        format!("no {id} finding in {text:?}")
                    } else {
                        format!("unexpected {id} finding in {text:?}")
                    },
                });
            }
        }
    }
    (failures, count)
}
