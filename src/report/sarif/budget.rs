//! How many results of each run fit GitHub's limits, found with each result built and
//! serialised once: every run's candidates (most severe first) are written, as the log nests
//! them, into a gzip stream of the run's own, in parallel, and the compressed size after each
//! result decides how deep into every run's ranking the log can go.

use super::runs::Group;
use super::{sarif_result, MAX_GZIP_BYTES, MAX_RESULTS};
use crate::report::ReportOptions;
use crate::rules::{Rule, RuleSet};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::{self, Write};

/// The share of the compressed limit results may take: the rest is for the runs' rules, and
/// for the log's order (the report's) compressing a little differently from the ranking's.
const RESULTS_SHARE: f64 = 0.95;

/// A run's candidates, most severe first: `(finding index, the result as the log holds
/// it)`, the compressed size of the run's results after each, and the rules they fired.
pub(super) struct Measured<'r> {
    pub results: Vec<(usize, Vec<u8>)>,
    pub compressed: Vec<usize>,
    pub fired: Vec<&'r Rule>,
}

impl Measured<'_> {
    /// The serialised size of the first `k` results.
    pub fn bytes_of(&self, k: usize) -> usize {
        self.results[..k].iter().map(|r| r.1.len() + 2).sum()
    }
}

/// Builds and measures every run's candidates (`ranked[r]` lists run `r`'s findings most
/// severe first). Past [`MAX_RESULTS`] in all, the gzip limit is out of reach anyway: each
/// run's candidates are its share of them.
pub(super) fn measure<'r>(
    groups: &[Group],
    ranked: &[Vec<usize>],
    rules: &'r RuleSet,
    opts: &ReportOptions,
) -> io::Result<Vec<Measured<'r>>> {
    let total: usize = ranked.iter().map(Vec::len).sum();
    let share = |n: usize| {
        n.min(MAX_RESULTS)
            .min((n * MAX_RESULTS).div_ceil(total.max(1)))
    };
    groups
        .par_iter()
        .zip(ranked)
        .map(|(g, rank)| {
            let candidates = &rank[..share(rank.len())];
            let ids: HashSet<&str> = candidates
                .iter()
                .map(|&i| g.findings[i].finding.rule_id.as_str())
                .collect();
            let fired: Vec<&Rule> = rules
                .rules
                .iter()
                .filter(|r| ids.contains(r.spec.id.as_str()))
                .collect();
            let mut gz = flate2::write::GzEncoder::new(Counter(0), flate2::Compression::fast());
            let mut m = Measured {
                results: Vec::with_capacity(candidates.len()),
                compressed: Vec::with_capacity(candidates.len()),
                fired,
            };
            let mut buf = Vec::new();
            for &i in candidates {
                let p = &g.findings[i];
                let mut one = sarif_result(&p.finding, p.places, opts);
                one.rule_index = m
                    .fired
                    .iter()
                    .position(|r| r.spec.id == p.finding.rule_id)
                    .map(|i| i as i64);
                buf.clear();
                serde_json::to_writer_pretty(&mut buf, &one)?;
                // As the log nests it (`runs[i].results[j]`): the indentation is as many
                // bytes as the rest on a large log, and compresses worse than the text at
                // the fast gzip level.
                let mut indented = Vec::with_capacity(buf.len() * 3 / 2);
                crate::report::nest::indented(&buf, 8, &mut indented);
                gz.write_all(&indented)?;
                m.compressed.push(gz.get_ref().0);
                m.results.push((i, indented));
                // One run alone past the limit: nothing further of it can be kept.
                if gz.get_ref().0 > MAX_GZIP_BYTES {
                    break;
                }
            }
            Ok(m)
        })
        .collect()
}

/// Per run, how many of its most severe results to keep so that all runs' compressed
/// results stay within `limit`: the same depth into every run's ranking, so each
/// repository keeps its most severe findings.
pub(super) fn keep(measured: &[Measured], limit: usize) -> Vec<usize> {
    let curves: Vec<&[usize]> = measured.iter().map(|m| m.compressed.as_slice()).collect();
    within(&curves, limit)
}

fn within(curves: &[&[usize]], limit: usize) -> Vec<usize> {
    let cost = |d: usize| -> usize {
        curves
            .iter()
            .map(|c| match d.min(c.len()) {
                0 => 0,
                k => c[k - 1],
            })
            .sum()
    };
    let deepest = curves.iter().map(|c| c.len()).max().unwrap_or(0);
    // The cost grows with the depth: the deepest affordable depth, by bisection.
    let (mut lo, mut hi) = (0, deepest);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if cost(mid) <= limit {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    curves.iter().map(|c| lo.min(c.len())).collect()
}

/// The compressed size results may take at first.
pub(super) fn first_limit() -> usize {
    (MAX_GZIP_BYTES as f64 * RESULTS_SHARE) as usize
}

/// The size of `bytes` once gzip-compressed.
pub(super) fn gzip_len(bytes: &[u8]) -> io::Result<usize> {
    let mut gz = flate2::write::GzEncoder::new(Counter(0), flate2::Compression::fast());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.0)
}

/// Counts what is written to it: only the compressed size is needed, not the bytes.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
