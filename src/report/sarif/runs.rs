//! One SARIF run per repository or artifact (`--label`, `merge`): a run holds every finding
//! seen in its repository, located at the finding's first place there, so a reader of one
//! run sees all that repository leaks, even secrets it shares with others.

use super::{MAX_RELATED_PLACES, MAX_RESULTS};
use crate::finding::{Finding, ScanResult, Severity};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// GitHub code scanning rejects files with more runs than this.
pub const MAX_RUNS: usize = 20;

/// One run: its label and its findings.
pub(super) struct Group<'a> {
    /// The repository or artifact (`None` for an unlabelled scan).
    pub label: Option<&'a str>,
    /// Its findings, in the report's order.
    pub findings: Vec<Placed<'a>>,
}

/// A finding as one run shows it, and how many places its secret was seen in all (its
/// `also_in` may list only the first [`MAX_RELATED_PLACES`] of the others).
pub(super) struct Placed<'a> {
    pub finding: Cow<'a, Finding>,
    pub places: usize,
}

/// The runs of `result`: one per label in `result.labels` (even one without findings, so a
/// clean repository shows as scanned), or one unlabelled run; warns past [`MAX_RUNS`].
pub(super) fn groups(result: &ScanResult) -> Vec<Group<'_>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<Option<&str>, usize> = HashMap::new();
    for l in &result.labels {
        slot(&mut groups, &mut index, Some(l.as_str()));
    }
    for f in &result.findings {
        let own = f.label.as_deref();
        let places = 1 + f.also_in.len();
        let i = slot(&mut groups, &mut index, own);
        groups[i].findings.push(Placed {
            finding: Cow::Borrowed(f),
            places,
        });
        if f.also_in.is_empty() {
            continue;
        }
        // Cloned once without its places, so each run's view costs a bounded list, not all
        // the places again (a secret in every repository of an org would be quadratic).
        let mut bare = f.clone();
        bare.also_in.clear();
        let mut seen: HashSet<Option<&str>> = HashSet::from([own]);
        for (k, o) in f.also_in.iter().enumerate() {
            let label = o.label.as_deref();
            if seen.insert(label) {
                let i = slot(&mut groups, &mut index, label);
                groups[i].findings.push(Placed {
                    finding: Cow::Owned(seen_at(f, &bare, k)),
                    places,
                });
            }
        }
    }
    if groups.is_empty() {
        slot(&mut groups, &mut index, None);
    }
    if groups.len() > MAX_RUNS {
        eprintln!(
            "leakhound: warning: SARIF: {} runs (one per label); GitHub code scanning accepts at most {MAX_RUNS} per file",
            groups.len(),
        );
    }
    groups
}

/// The index of `label`'s run, made on first use.
fn slot<'a>(
    groups: &mut Vec<Group<'a>>,
    index: &mut HashMap<Option<&'a str>, usize>,
    label: Option<&'a str>,
) -> usize {
    *index.entry(label).or_insert_with(|| {
        groups.push(Group {
            label,
            findings: Vec::new(),
        });
        groups.len() - 1
    })
}

/// `f` as the run of its `k`-th other place shows it: located there, with the first other
/// places (its own first) as the places it is also in; `bare` is `f` without places.
fn seen_at(f: &Finding, bare: &Finding, k: usize) -> Finding {
    let mut view = bare.at(&f.also_in[k]);
    view.also_in = std::iter::once(f.occurrence())
        .chain(
            f.also_in
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(_, o)| o.clone()),
        )
        .take(MAX_RELATED_PLACES)
        .collect();
    view
}

/// Says how many results of each severity were left out to stay within GitHub's limits.
pub(super) fn warn_dropped(dropped: &[&Finding]) {
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|&s| {
            let n = dropped.iter().filter(|f| f.severity == s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    eprintln!(
        "leakhound: warning: SARIF: left out {} lowest-severity result(s) ({}) to stay within GitHub's limits ({MAX_RESULTS} results, 10 MB gzip); use --format json for all",
        dropped.len(),
        by_sev.join(", ")
    );
}
