//! Keyword search throughput: every file under the given directories read into memory,
//! then `Matcher::hits` (the prefilter that decides where rule regexes run, hits sorted as
//! the scan sorts them) over all of them on one thread, best of `ITERS` rounds (default 5).
//!
//!     cargo run --release --example prefilter -- bench/work/js bench/work/src
use leakhound::matcher::Matcher;
use leakhound::rules::RuleSet;
use leakhound::source::decode::BASE64_STARTS;
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::var("ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let rules = match RuleSet::builtin() {
        Ok(rules) => rules,
        Err(e) => {
            eprintln!("built-in rules: {e}");
            std::process::exit(2);
        }
    };
    let matcher = Matcher::with_ride_along(&rules, BASE64_STARTS);
    for dir in std::env::args().skip(1) {
        let files = read_all(&dir);
        let bytes: usize = files.iter().map(Vec::len).sum();
        let mut best = f64::MAX;
        let mut hits = 0;
        for _ in 0..rounds {
            let start = Instant::now();
            hits = files.iter().map(|f| matcher.hits(f).len()).sum();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{dir}: {} files, {:.0} MB, {hits} keyword hits, best {:.3} s = {:.2} GB/s",
            files.len(),
            bytes as f64 / 1e6,
            best,
            bytes as f64 / 1e9 / best
        );
    }
}

fn read_all(dir: &str) -> Vec<Vec<u8>> {
    ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}
