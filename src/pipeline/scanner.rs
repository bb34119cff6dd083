//! One blob in, findings out: the matcher's candidates go through the detectors, overlapping
//! reports of one secret are collapsed, and survivors are located and fingerprinted.

use crate::detect::{self, Detection};
use crate::filter::inline;
use crate::finding::{self, Finding};
use crate::matcher::{Found, Matcher, RawMatch, Scratch};
use crate::rules::RuleSet;
use crate::source::blob::Blob;
use crate::source::decode;

/// Settings that change what a scan reports.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// "Now" in unix seconds, for token expiry (fixed in tests for reproducible output).
    pub now: i64,
    /// Run the keyword prefilter (off only to check it loses nothing).
    pub prefilter: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            now: unix_now(),
            prefilter: true,
        }
    }
}

/// Current time in unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Rules plus the matcher built from them; shared read-only by every worker.
pub struct Scanner {
    /// The rules in force.
    pub rules: RuleSet,
    matcher: Matcher,
    pub(super) options: ScanOptions,
}

impl Scanner {
    /// Builds the matcher for `rules`.
    pub fn new(rules: RuleSet, options: ScanOptions) -> Self {
        let matcher = Matcher::with_ride_along(&rules, decode::BASE64_STARTS);
        Scanner {
            rules,
            matcher,
            options,
        }
    }

    /// Scans one blob. `scratch` is the calling worker's reusable state.
    pub fn scan(&self, blob: &Blob, scratch: &mut Scratch) -> Vec<Finding> {
        self.scan_with(blob, scratch, self.options.prefilter)
    }

    /// Scans one blob with the keyword prefilter on or off; both must give the same findings.
    pub fn scan_with(&self, blob: &Blob, scratch: &mut Scratch, prefilter: bool) -> Vec<Finding> {
        let raw = self
            .matcher
            .find(&self.rules, blob.bytes, scratch, prefilter);
        self.detect(blob, &raw)
    }

    /// Scans one blob whose rule matches are known (see [`Matcher::find_through`]).
    pub fn scan_found(&self, blob: &Blob, scratch: &mut Scratch, found: &Found) -> Vec<Finding> {
        scratch.load(found);
        self.detect(blob, &found.matches)
    }

    /// The matcher, for callers that carry keyword hits from one blob to another.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    fn detect(&self, blob: &Blob, raw: &[RawMatch]) -> Vec<Finding> {
        let site = detect::Site {
            now: self.options.now,
            code: blob.origin.is_code(),
            client: blob.origin.is_client_side(),
            sample: blob.origin.is_sample(),
        };
        let facts = detect::BlobFacts::default();
        let hits: Vec<(usize, Detection)> = raw
            .iter()
            .filter_map(|m| {
                let rule = &self.rules.rules[m.rule];
                detect::detect(rule, blob.bytes, m, site, &facts).map(|d| (m.rule, d))
            })
            .collect();
        let hits = detect::collapse(&self.rules, hits);
        let spans: Vec<_> = hits.iter().map(|(_, d)| d.secret.clone()).collect();
        let allowed = inline::marked(blob.bytes, &spans);
        finding::build(&self.rules, blob, hits, &allowed)
    }
}
