//! A file and everything inside it: extraction hands each piece of text (the file, an archive
//! member, text decoded from a binary format) to a visitor that scans it, then the encoded
//! runs inside it (base64, percent, JS escapes) down to [`decode::MAX_DEPTH`].

use super::Scanner;
use crate::finding::lines;
use crate::finding::{Finding, Region};
use crate::matcher::{Found, Scratch};
use crate::source::blob::Blob;
use crate::source::decode;
use crate::source::extract::{self, AppFact, Limits, Piece, Placement, Spot, Visitor};
use crate::source::member;

impl Scanner {
    /// Scans a file's bytes and everything inside them (archive members, decoded binary
    /// formats): the entry point for every source.
    pub fn scan_expanded(
        &self,
        path: &str,
        bytes: &[u8],
        limits: &Limits,
        scratch: &mut Scratch,
    ) -> Expanded {
        self.scan_expanded_with(path, bytes, limits, scratch, self.options.prefilter)
    }

    /// [`Scanner::scan_expanded`] for bytes whose rule matches are already known: the file
    /// itself, when read as text, is not searched for keywords again.
    pub fn scan_expanded_found(
        &self,
        path: &str,
        bytes: &[u8],
        limits: &Limits,
        scratch: &mut Scratch,
        found: &Found,
    ) -> Expanded {
        if !self.options.prefilter || bytes.len() >= extract::PARALLEL_ZIP_BYTES {
            return self.scan_expanded(path, bytes, limits, scratch);
        }
        self.expand_here(path, bytes, limits, scratch, true, Some(found))
    }

    /// Expands and scans on the calling thread with the caller's scratch space.
    fn expand_here(
        &self,
        path: &str,
        bytes: &[u8],
        limits: &Limits,
        scratch: &mut Scratch,
        prefilter: bool,
        found: Option<&Found>,
    ) -> Expanded {
        let mut v = ExpandVisitor {
            scanner: self,
            prefilter,
            preset: found.map(|f| (bytes, f)),
            scratch: ScratchRef::Borrowed(scratch),
            path,
            out: Expanded::default(),
            budget: decode::Budget::default(),
        };
        extract::expand(path, bytes, limits, &mut v);
        v.out
    }

    /// [`Scanner::scan_expanded`] with the keyword prefilter on or off; both must give the
    /// same findings.
    pub fn scan_expanded_with(
        &self,
        path: &str,
        bytes: &[u8],
        limits: &Limits,
        scratch: &mut Scratch,
        prefilter: bool,
    ) -> Expanded {
        if bytes.len() < extract::PARALLEL_ZIP_BYTES {
            return self.expand_here(path, bytes, limits, scratch, prefilter, None);
        }
        let make = || ExpandVisitor {
            scanner: self,
            prefilter,
            preset: None,
            scratch: ScratchRef::Owned(Scratch::default()),
            path,
            out: Expanded::default(),
            budget: decode::Budget::default(),
        };
        let mut merged = Expanded::default();
        for v in extract::expand_parallel(path, bytes, limits, make) {
            merged.findings.extend(v.out.findings);
            merged.warnings.extend(v.out.warnings);
            merged.bytes += v.out.bytes;
            merged.binary_skipped += v.out.binary_skipped;
            merged.apps.extend(v.out.apps);
        }
        merged
    }
}

/// What scanning a file and its contents gave.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Findings, with `member` and `detail` set for extracted content.
    pub findings: Vec<Finding>,
    /// Limits hit and malformed members, one line each.
    pub warnings: Vec<String>,
    /// Bytes of text scanned (after extraction).
    pub bytes: u64,
    /// Binaries, the file itself or members of it, that held no text at all.
    pub binary_skipped: u64,
    /// What an app among the members said about itself.
    pub apps: Vec<AppFact>,
}

/// The caller's scratch space, or (for parallel archive workers) one of our own.
enum ScratchRef<'s> {
    Borrowed(&'s mut Scratch),
    Owned(Scratch),
}

/// Scans every piece extraction hands it, and the encoded runs inside each.
struct ExpandVisitor<'a, 's> {
    scanner: &'a Scanner,
    prefilter: bool,
    /// Bytes whose rule matches are known, and the matches.
    preset: Option<(&'a [u8], &'a Found)>,
    scratch: ScratchRef<'s>,
    path: &'a str,
    out: Expanded,
    /// What the current piece may still decode, at every depth.
    budget: decode::Budget,
}

impl ExpandVisitor<'_, '_> {
    /// Scans text, then the encoded runs inside it (base64, percent, JS escapes) down to
    /// [`decode::MAX_DEPTH`]; what a decoded run holds is reported at the run.
    fn scan_text(&mut self, member: Option<&str>, bytes: &[u8], depth: usize) -> Vec<Finding> {
        let blob = Blob {
            bytes,
            origin: crate::source::blob::Origin {
                path: self.path.to_string(),
                member: member.map(str::to_string),
            },
        };
        let scratch = match &mut self.scratch {
            ScratchRef::Borrowed(s) => &mut **s,
            ScratchRef::Owned(s) => s,
        };
        // Extraction hands plain text over as it is: the same bytes, whose matches are known.
        let known = self
            .preset
            .filter(|(whole, _)| depth == 0 && member.is_none() && std::ptr::eq(*whole, bytes));
        let mut found = match known {
            Some((_, found)) => self.scanner.scan_found(&blob, scratch, found),
            None => self.scanner.scan_with(&blob, scratch, self.prefilter),
        };
        for &rule in scratch.capped() {
            self.out.warnings.push(format!(
                "{}: more than {} matches of {}; the rest were not checked",
                member::display(&blob.origin.path, blob.origin.member.as_deref()),
                crate::matcher::MAX_MATCHES_PER_RULE,
                self.scanner.rules.rules[rule].spec.id
            ));
        }
        if depth >= decode::MAX_DEPTH {
            return found;
        }
        let runs = match scratch.base64_starts() {
            Some(starts) => decode::runs_at(bytes, starts, &mut self.budget),
            None => decode::runs(bytes, &mut self.budget),
        };
        if runs.is_empty() {
            return found;
        }
        let mut decoded: Vec<(usize, Finding)> = Vec::new();
        for (i, run) in runs.iter().enumerate() {
            if memchr::memmem::find(&run.text, b"\"sourcesContent\"").is_some() {
                let mut inner = self.inline_source_map(member, &run.text);
                // The map's sources are not in this text; the encoded run holding them is.
                let pos = lines::positions(bytes, &[run.range.start, run.range.end]);
                for f in &mut inner {
                    f.region = Some(Region {
                        start: pos[0],
                        end: pos[1],
                    });
                }
                found.extend(inner);
                continue;
            }
            // Decoded text is data, not source code, whatever file it sat in.
            let data_member = match member {
                Some(m) => format!("{m}!(decoded)"),
                None => "(decoded)".to_string(),
            };
            let inner = self.scan_text(Some(&data_member), &run.text, depth + 1);
            decoded.extend(inner.into_iter().map(|f| (i, f)));
        }
        if decoded.is_empty() {
            return found;
        }
        // Positions are computed only for runs that held something. Percent and JS escapes
        // map each decoded byte back to its source, so those findings point at the secret
        // itself; base64 findings point at the run.
        let spans: Vec<(usize, usize)> = decoded
            .iter()
            .map(|(i, f)| {
                let run = &runs[*i];
                let start = run.source_offset(f.offset);
                let end = run.source_offset(f.offset + f.secret.len()).max(start);
                (start, end)
            })
            .collect();
        let offsets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        let pos = lines::positions(bytes, &offsets);
        for (k, (i, mut f)) in decoded.into_iter().enumerate() {
            let run = &runs[i];
            f.member = member.map(str::to_string);
            f.offset = spans[k].0;
            f.start = pos[2 * k];
            f.end = pos[2 * k + 1];
            f.region = Some(Region {
                start: f.start,
                end: f.end,
            });
            f.detail = Some(match f.detail.take() {
                Some(d) => format!("{}, {d}", run.encoding.label()),
                None => run.encoding.label().to_string(),
            });
            found.push(f);
        }
        found
    }

    /// An inline `sourceMappingURL=data:…;base64,` map: its sources, as separate members.
    fn inline_source_map(&mut self, member: Option<&str>, json: &[u8]) -> Vec<Finding> {
        let name = member::join(member, "(inline source map)");
        let before = std::mem::take(&mut self.out.findings);
        let mut nested = NestedVisitor {
            parent: self,
            base: name.clone(),
        };
        extract::expand(
            &format!("{name}.map"),
            json,
            &Limits::default(),
            &mut nested,
        );
        std::mem::replace(&mut self.out.findings, before)
    }
}

/// Collects what an inline source map's sources hold, under the map's member name.
struct NestedVisitor<'p, 'a, 's> {
    parent: &'p mut ExpandVisitor<'a, 's>,
    base: String,
}

impl Visitor for NestedVisitor<'_, '_, '_> {
    fn piece(&mut self, piece: Piece<'_>) {
        let member = piece
            .member
            .map_or_else(|| self.base.clone(), |m| member::join(Some(&self.base), m));
        let mut found = self
            .parent
            .scan_text(Some(&member), piece.bytes, decode::MAX_DEPTH);
        for f in &mut found {
            f.original_source = piece.original.map(str::to_string);
        }
        self.parent.out.findings.extend(found);
    }

    fn warn(&mut self, message: String) {
        self.parent.out.warnings.push(message);
    }

    fn binary_skipped(&mut self) {
        self.parent.out.binary_skipped += 1;
    }

    fn app(&mut self, fact: AppFact) {
        self.parent.out.apps.push(fact);
    }
}

impl Visitor for ExpandVisitor<'_, '_> {
    fn piece(&mut self, piece: Piece<'_>) {
        self.budget = decode::Budget::default();
        let mut found = self.scan_text(piece.member, piece.bytes, 0);
        if self.budget.exhausted() {
            let at = member::display(self.path, piece.member);
            self.out.warnings.push(format!(
                "{at}: decoding budget spent ({} MiB or {} encoded runs); {} more runs were not decoded",
                decode::MAX_DECODED_BYTES >> 20,
                decode::MAX_DECODED_RUNS,
                self.budget.skipped
            ));
        }
        if let Some(describe) = piece.detail {
            for f in &mut found {
                let inner = describe(f.offset);
                f.detail = Some(match f.detail.take() {
                    Some(d) => format!("{inner}, {d}"),
                    None => inner,
                });
            }
        }
        place(&piece, &mut found);
        self.out.bytes += piece.bytes.len() as u64;
        self.out.findings.extend(found);
    }

    fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }

    fn binary_skipped(&mut self) {
        self.out.binary_skipped += 1;
    }

    fn app(&mut self, fact: AppFact) {
        self.out.apps.push(fact);
    }
}

/// Gives each finding of a piece its region in the top-level input (see [`Placement`]) and
/// the original source it came from. Findings of an inline source map inside the piece
/// already carry the region of the run that holds the map, in the piece's own offsets.
fn place(piece: &Piece<'_>, found: &mut [Finding]) {
    let own: Vec<usize> = (0..found.len())
        .filter(|&i| found[i].member.as_deref() == piece.member)
        .collect();
    for &i in &own {
        found[i].original_source = piece.original.map(str::to_string);
    }
    if matches!(piece.placement, Placement::Input) {
        return;
    }
    let spots: Vec<Spot<'_>> = own
        .iter()
        .map(|&i| {
            let f = &found[i];
            // A decoded secret's length is not its length here; the piece bounds it.
            let end = (f.offset + f.secret.len()).min(piece.bytes.len());
            Spot {
                range: f.offset.min(end)..end,
                bytes: f.secret.as_bytes(),
            }
        })
        .collect();
    let located = piece.placement.locate(&spots);
    for f in found.iter_mut() {
        f.region = None;
    }
    let Some((input, ranges)) = located else {
        return;
    };
    let hits: Vec<(usize, std::ops::Range<usize>)> = own
        .iter()
        .zip(ranges)
        .filter_map(|(&i, r)| Some((i, r?)))
        .collect();
    let offsets: Vec<usize> = hits.iter().flat_map(|(_, r)| [r.start, r.end]).collect();
    let pos = lines::positions(input, &offsets);
    for (k, (i, _)) in hits.iter().enumerate() {
        found[*i].region = Some(Region {
            start: pos[2 * k],
            end: pos[2 * k + 1],
        });
    }
}
