//! The proof graph: which key signs which tokens, and which client id ties a client secret
//! (and the tokens it signs) to a platform, from the links proof left on the findings
//! (`signs`, `verified_by`, and the `PairedWith` / `IssuerSeen` notes). Rendered as nested
//! lists whose items link to the findings table and back.

use super::escape::Esc;
use super::{LAZY_CLOSE, LAZY_OPEN};
use crate::finding::{Finding, Link, Note};
use std::collections::HashMap;
use std::io::{self, Write};

/// What a link points at: a reported finding, or evidence that was not reported (a public
/// key, a client id, a publicly known secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The finding at this index.
    Finding(usize),
    /// Evidence only: where it is.
    Evidence(Link),
}

impl Target {
    /// Identifies the target among groups.
    fn key(&self) -> String {
        match self {
            Target::Finding(i) => format!("f{i}"),
            Target::Evidence(l) => format!(
                "{}\0{}\0{}\0{}\0{}",
                l.rule_id, l.location, l.line, l.column, l.fingerprint
            ),
        }
    }
}

/// How a token is tied to the key it sits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    SignedBy,
    GenuineUnder,
    Forged,
}

/// A key and the tokens it verifies.
struct KeyGroup {
    key: Target,
    tokens: Vec<(Edge, usize)>,
}

/// A client id, the client secrets paired with it, and the tokens whose issuer it is.
struct IdGroup {
    id_rule: String,
    at: Target,
    secrets: Vec<usize>,
    tokens: Vec<usize>,
}

/// The graph of one report.
pub struct Graph {
    ids: Vec<IdGroup>,
    keys: Vec<KeyGroup>,
    /// The key group of a finding that is a key.
    key_group: HashMap<usize, usize>,
    /// Groups by [`Target::key`], so building stays linear in the links.
    key_index: HashMap<String, usize>,
    id_index: HashMap<String, usize>,
    /// Findings that appear in the graph (the table links those to it).
    pub member: Vec<bool>,
}

/// Finds the finding a link points at: same place, preferring the same fingerprint.
struct Resolver(HashMap<(String, usize, usize), Vec<usize>>);

impl Resolver {
    fn new(findings: &[Finding]) -> Self {
        let mut at: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            at.entry((f.location(), f.start.line, f.start.column))
                .or_default()
                .push(i);
        }
        Resolver(at)
    }

    fn target(&self, findings: &[Finding], l: &Link) -> Target {
        let key = (l.location.clone(), l.line, l.column);
        let hits = self.0.get(&key).map_or(&[][..], Vec::as_slice);
        let same = hits
            .iter()
            .find(|&&i| findings[i].fingerprint == l.fingerprint)
            .or(hits.first());
        match same {
            Some(&i) => Target::Finding(i),
            None => Target::Evidence(l.clone()),
        }
    }
}

impl Graph {
    /// Builds the graph from the links on `findings`.
    pub fn build(findings: &[Finding]) -> Graph {
        let res = Resolver::new(findings);
        let mut g = Graph {
            ids: Vec::new(),
            keys: Vec::new(),
            key_group: HashMap::new(),
            key_index: HashMap::new(),
            id_index: HashMap::new(),
            member: vec![false; findings.len()],
        };
        for (k, f) in findings.iter().enumerate() {
            for l in &f.signs {
                if let Target::Finding(t) = res.target(findings, l) {
                    g.add_token(Target::Finding(k), Edge::SignedBy, t);
                }
            }
        }
        for (t, f) in findings.iter().enumerate() {
            for n in &f.notes {
                g.add_note(findings, &res, t, n);
            }
        }
        g
    }

    fn add_note(&mut self, findings: &[Finding], res: &Resolver, i: usize, n: &Note) {
        let (edge, link) = match n {
            Note::IssuerSeen { id_rule, at } | Note::PairedWith { id_rule, at } => {
                let at = res.target(findings, at);
                let g = self.id_group(id_rule, at);
                if matches!(n, Note::PairedWith { .. }) {
                    self.ids[g].secrets.push(i);
                } else {
                    self.ids[g].tokens.push(i);
                }
                self.member[i] = true;
                return;
            }
            Note::SignedBy(at) => (Edge::SignedBy, at.clone()),
            Note::GenuineUnder(at) => (Edge::GenuineUnder, at.clone()),
            Note::Forged(at) => (Edge::Forged, at.clone()),
            Note::PublicSecret(what) => (Edge::SignedBy, Link::public(what)),
            Note::Detected(_) | Note::SignsFamilyToken(_) => return,
        };
        let key = res.target(findings, &link);
        self.add_token(key, edge, i);
    }

    fn id_group(&mut self, id_rule: &str, at: Target) -> usize {
        let next = self.ids.len();
        let g = *self.id_index.entry(at.key()).or_insert(next);
        if g < next {
            return g;
        }
        self.ids.push(IdGroup {
            id_rule: id_rule.to_string(),
            at,
            secrets: Vec::new(),
            tokens: Vec::new(),
        });
        self.ids.len() - 1
    }

    fn add_token(&mut self, key: Target, edge: Edge, token: usize) {
        let next = self.keys.len();
        let g = *self.key_index.entry(key.key()).or_insert(next);
        if g == next {
            if let Target::Finding(k) = key {
                self.member[k] = true;
                self.key_group.insert(k, g);
            }
            self.keys.push(KeyGroup {
                key,
                tokens: Vec::new(),
            });
        }
        // A key's `signs` and its token's `SignedBy` note are the same edge.
        if !self.keys[g].tokens.iter().any(|&(_, t)| t == token) {
            self.keys[g].tokens.push((edge, token));
        }
        self.member[token] = true;
    }
}

/// Writes the graph as nested lists; the first place each finding appears carries the anchor
/// `n{index}` the table links to.
pub fn write(out: &mut dyn Write, g: &Graph, findings: &[Finding]) -> io::Result<()> {
    writeln!(out, "<section id=\"proof\"><h2>Proof graph</h2>")?;
    if g.ids.is_empty() && g.keys.is_empty() {
        writeln!(
            out,
            "<p>No key in this report was proven to sign a token, and no client secret was tied to a client id.</p></section>"
        )?;
        return Ok(());
    }
    writeln!(out, "<p>Keys with the tokens proven (offline) to be signed by them, and client ids with the client secrets paired with them. Every entry links to its row in the findings table.</p>")?;
    let mut w = Writer {
        out,
        findings,
        anchored: vec![false; findings.len()],
        nested: vec![false; g.keys.len()],
        entries: 0,
    };
    writeln!(w.out, "{LAZY_OPEN}<ul class=\"graph\">")?;
    for (n, id) in g.ids.iter().enumerate() {
        w.id_group(g, n, id)?;
        w.split_part()?;
    }
    for (n, k) in g.keys.iter().enumerate() {
        if !w.nested[n] {
            w.key_group(k, "")?;
            w.split_part()?;
        }
    }
    writeln!(w.out, "</ul>{LAZY_CLOSE}</section>")
}

/// Entries (list items) per part of the graph. Like the findings tables, the graph is
/// written in parts, each inside `<noscript>` for the script to build near the view: a
/// graph of thousands of entries laid out up front took a third of a large report's opening.
/// A part ends after the top-level item that reaches this many.
const PART_ENTRIES: usize = 400;

struct Writer<'a> {
    out: &'a mut dyn Write,
    findings: &'a [Finding],
    anchored: Vec<bool>,
    nested: Vec<bool>,
    /// List items written to the current part.
    entries: usize,
}

impl Writer<'_> {
    fn split_part(&mut self) -> io::Result<()> {
        if self.entries >= PART_ENTRIES {
            self.entries = 0;
            writeln!(
                self.out,
                "</ul>{LAZY_CLOSE}\n{LAZY_OPEN}<ul class=\"graph\">"
            )?;
        }
        Ok(())
    }

    fn id_group(&mut self, g: &Graph, n: usize, id: &IdGroup) -> io::Result<()> {
        write!(
            self.out,
            "<li id=\"c{n}\"><span class=\"node id\">{}</span> ",
            Esc(&id.id_rule)
        )?;
        self.entries += 1 + id.secrets.len() + id.tokens.len();
        self.target(&id.at)?;
        writeln!(self.out, "<ul>")?;
        for &s in &id.secrets {
            match g.key_group.get(&s) {
                Some(&k) => {
                    self.nested[k] = true;
                    self.key_group(&g.keys[k], "paired client secret: ")?;
                }
                None => {
                    write!(self.out, "<li>paired client secret: ")?;
                    self.finding(s)?;
                    writeln!(self.out, "</li>")?;
                }
            }
        }
        for &t in &id.tokens {
            write!(self.out, "<li>token whose <code>iss</code> is this id: ")?;
            self.finding(t)?;
            writeln!(self.out, "</li>")?;
        }
        writeln!(self.out, "</ul></li>")
    }

    fn key_group(&mut self, k: &KeyGroup, label: &str) -> io::Result<()> {
        write!(self.out, "<li>{label}")?;
        self.entries += 1 + k.tokens.len();
        self.target(&k.key)?;
        writeln!(self.out, "<ul>")?;
        for &(edge, t) in &k.tokens {
            let verb = match edge {
                Edge::SignedBy => "signs",
                Edge::GenuineUnder => "verifies the genuine signature of",
                Edge::Forged => "is the HMAC key (key confusion) of the forged",
            };
            write!(self.out, "<li>{verb} ")?;
            self.finding(t)?;
            writeln!(self.out, "</li>")?;
        }
        writeln!(self.out, "</ul></li>")
    }

    fn target(&mut self, t: &Target) -> io::Result<()> {
        match t {
            Target::Finding(i) => self.finding(*i),
            Target::Evidence(l) if l.rule_id == "public-secret" => write!(
                self.out,
                "<span class=\"node ev\">publicly known secret: {}</span>",
                Esc(&l.location)
            ),
            Target::Evidence(l) => write!(
                self.out,
                "<span class=\"node ev\">{} at {}:{}:{} (evidence, not reported)</span>",
                Esc(&l.rule_id),
                Esc(&l.location),
                l.line,
                l.column
            ),
        }
    }

    /// A finding as a graph node: rule and place, linking to its table row.
    fn finding(&mut self, i: usize) -> io::Result<()> {
        let f = &self.findings[i];
        let anchor = if self.anchored[i] {
            String::new()
        } else {
            self.anchored[i] = true;
            format!(" id=\"n{i}\"")
        };
        write!(
            self.out,
            "<a class=\"node {}\"{anchor} href=\"#f{i}\">{} {}:{}:{}</a>",
            f.severity.as_str(),
            Esc(&f.rule_id),
            Esc(&f.location()),
            f.start.line,
            f.start.column
        )
    }
}
