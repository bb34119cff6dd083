//! What a finding read back must satisfy before it is used: the budgets on its strings and
//! lists, and the invariants reports rely on.

use super::{Span, WireFinding};
use crate::finding::fingerprint;
use crate::merge::{MAX_LIST_ITEMS, MAX_STRING_BYTES};

impl WireFinding {
    /// Budgets and the invariants reports rely on (hex fingerprints and commit ids, 1-based
    /// positions, a fingerprint that matches a raw secret).
    pub(super) fn check(&self) -> Result<(), String> {
        let mut strings: Vec<&str> = vec![
            &self.rule_id,
            &self.rule_name,
            &self.path,
            &self.secret,
            &self.fingerprint,
            &self.excerpt,
        ];
        strings.extend(
            [
                &self.member,
                &self.detail,
                &self.original_source,
                &self.original_file,
                &self.commit,
                &self.author,
                &self.label,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str),
        );
        let links = self.verified_by.iter().chain(&self.signs);
        for l in links.clone() {
            strings.extend([l.location.as_str(), &l.rule_id]);
            strings.extend(l.label.as_deref());
        }
        if let Some(j) = &self.jwt {
            strings.push(&j.alg);
            strings.extend(
                [&j.typ, &j.iss, &j.sub, &j.aud]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
            strings.extend(
                j.personal
                    .iter()
                    .flat_map(|(k, v)| [k.as_str(), v.as_str()]),
            );
        }
        for p in &self.also_in {
            strings.push(&p.path);
            strings.extend(
                [&p.label, &p.member, &p.detail, &p.commit, &p.author]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        if let Some(s) = strings.iter().find(|s| s.len() > MAX_STRING_BYTES) {
            return Err(format!(
                "a string of {} bytes (at most {MAX_STRING_BYTES})",
                s.len()
            ));
        }
        let lists = [
            self.signs.len(),
            self.notes.len(),
            self.also_in.len(),
            self.jwt
                .as_ref()
                .map_or(0, |j| j.personal.len() + j.flags.len()),
        ];
        if let Some(n) = lists.iter().find(|&&n| n > MAX_LIST_ITEMS) {
            return Err(format!("a list of {n} items (at most {MAX_LIST_ITEMS})"));
        }
        if !is_fingerprint(&self.fingerprint) {
            return Err("fingerprint is not 64 hex digits".into());
        }
        if links
            .clone()
            .any(|l| !l.fingerprint.is_empty() && !is_fingerprint(&l.fingerprint))
        {
            return Err("a linked fingerprint is not 64 hex digits".into());
        }
        let commits = self
            .commit
            .iter()
            .chain(self.also_in.iter().filter_map(|p| p.commit.as_ref()));
        if commits.clone().any(|c| !is_commit(c)) {
            return Err("a commit id is not 4 to 64 hex digits".into());
        }
        let spans = [span_of!(self)].into_iter().chain(self.region).chain(
            self.also_in
                .iter()
                .flat_map(|p| [Some(span_of!(p)), p.region])
                .flatten(),
        );
        if spans.clone().any(|s| !s.valid()) {
            return Err("a line or column is 0 or past 2^32".into());
        }
        if !self.redacted && fingerprint(&self.rule_id, &self.secret) != self.fingerprint {
            return Err("fingerprint does not match the secret (redacted: false)".into());
        }
        Ok(())
    }
}
impl Span {
    /// 1-based and within what any real file reaches (SARIF needs 1-based regions).
    fn valid(&self) -> bool {
        let ok = |n: usize| (1..=u32::MAX as usize).contains(&n);
        ok(self.line) && ok(self.column) && ok(self.end_line) && ok(self.end_column)
    }
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_commit(s: &str) -> bool {
    (4..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}
