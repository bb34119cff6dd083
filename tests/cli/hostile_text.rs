//! Hostile inputs: see issue 10. Text that made the scan slow or large: every case is
//! generated here, scanned beside a file with a real secret under [`run_hostile`]'s memory and
//! time caps, and must end as documented with that secret still reported.

use crate::helpers::*;

/// Wall time a case may take; the floor is 10 s on 2 cores for a release build.
const FAST_SECS: f64 = 10.0;

/// Asserts a case that needs no particular warning (it is simply linear now; some also hit
/// the per-rule match cap, which warns): exit 0, 1 or 2, within [`FAST_SECS`], and the
/// sibling secret still reported.
fn assert_fast(run: &Limited) {
    let code = run.out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit {code:?} after {:.1}s\nstderr: {}",
        run.secs,
        stderr(&run.out)
    );
    assert!(
        run.secs < FAST_SECS,
        "took {:.1}s (limit {FAST_SECS}s)",
        run.secs
    );
    assert_sibling(run);
}

fn assert_sibling(run: &Limited) {
    let doc: serde_json::Value = serde_json::from_slice(&run.out.stdout)
        .unwrap_or_else(|e| panic!("json output: {e}\nstderr: {}", stderr(&run.out)));
    let hit = doc["findings"].as_array().is_some_and(|a| {
        a.iter()
            .any(|f| f["rule_id"] == SIBLING.2 && f["path"].as_str() == Some(SIBLING.0))
    });
    assert!(hit, "{} in {} not reported", SIBLING.2, SIBLING.0);
}

fn findings_of(run: &Limited, rule_prefix: &str) -> usize {
    let doc: serde_json::Value = serde_json::from_slice(&run.out.stdout).expect("json output");
    doc["findings"].as_array().map_or(0, |a| {
        a.iter()
            .filter(|f| {
                f["rule_id"]
                    .as_str()
                    .is_some_and(|r| r.starts_with(rule_prefix))
            })
            .count()
    })
}

/// Deterministic pseudo-random token characters (xorshift), so each line's token differs.
fn tokens(n: usize, len: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
                })
                .collect()
        })
        .collect()
}

#[test]
fn jwt_sign_lines_outside_client_code_1mb() {
    // Each call once ran the client-code regex, and the key resolver a regex of its own,
    // over the whole file.
    let body = "jwt.sign(p, q);\n".repeat(1_000_000 / 16);
    let dir = hostile_tree("server.js", body.as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn jwt_sign_lines_in_client_code_1mb() {
    // In client code the client-only rule goes on to its context check for every call.
    let body = format!(
        "window.x = 1;\n{}",
        "jwt.sign(p, q);\n".repeat(1_000_000 / 16)
    );
    let dir = hostile_tree("app.js", body.as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn jwt_sign_with_distinct_key_names_1mb() {
    // 60k different names to resolve: one index of assignments serves them all.
    let body: String = (0..60_000)
        .map(|i| format!("jwt.sign(p, key{i});\n"))
        .collect();
    let dir = hostile_tree("names.js", body.as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn twenty_thousand_distinct_bearer_headers_1mb() {
    // Overlap collapse and excerpt masking were quadratic in the number of hits.
    let body: String = tokens(20_000, 24)
        .iter()
        .map(|t| format!("Authorization: Bearer {t}\n"))
        .collect();
    let dir = hostile_tree("headers.txt", body.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_fast(&run);
    assert!(
        findings_of(&run, "") > 10_000,
        "the headers are still reported"
    );
}

#[test]
fn twenty_thousand_bearer_tokens_on_one_line() {
    // One 1 MB line: finding each secret's line (allow markers, excerpts) must not reread it.
    let body: String = tokens(20_000, 24)
        .iter()
        .map(|t| format!("Authorization: Bearer {t} "))
        .collect();
    let dir = hostile_tree("min.txt", body.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_fast(&run);
    assert!(
        findings_of(&run, "") > 10_000,
        "the tokens are still reported"
    );
}

#[test]
fn js_hex_escapes_without_a_quote_8mb() {
    // The JS-escape decoder looked back 4 KB for a quote from every backslash.
    let dir = hostile_tree("esc.js", "\\x41".repeat(2_000_000).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn js_hex_escapes_in_an_unclosed_literal_8mb() {
    // A quote every 4000 bytes that never closes: each literal is read to its end once.
    let chunk = format!("'{}", "\\x41".repeat(1000));
    let dir = hostile_tree("open.js", chunk.repeat(2_000).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn percent_escapes_8mb() {
    let dir = hostile_tree("p.txt", "a%41".repeat(2_000_000).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn eyj_repeated_50mb() {
    // Every `eyJ` was a kept base64 start: 17M offsets.
    let dir = hostile_tree("eyj.txt", "eyJ".repeat(50_000_000 / 3).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn eyj_after_dots_40mb() {
    // Starts that do begin a run, 10M of them: past the kept-starts cap the decoder searches
    // for runs itself.
    let dir = hostile_tree("d.txt", ".eyJ".repeat(10_000_000).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn five_million_short_bearer_lines() {
    // Every keyword hit was a kept window (16 bytes per rule woken): 1 GB for 40 MB.
    let dir = hostile_tree("b.txt", "Bearer \n".repeat(5_000_000).as_bytes());
    assert_fast(&scan_hostile(dir.path(), &[]));
}

#[test]
fn many_escaped_literals_spend_the_decoding_budget() {
    // 150k short escaped literals: decoding stops at the run budget, with a warning.
    let body = "s = \"\\x41bc\";\n".repeat(150_000);
    let dir = hostile_tree("strings.js", body.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "decoding budget", SIBLING.2, SIBLING.0);
    assert!(run.secs < FAST_SECS, "took {:.1}s", run.secs);
}

#[test]
fn matches_of_one_rule_are_capped_per_file() {
    // 60k findings of one rule in one file: the first 50k are kept, and a warning says the
    // rest were not checked, instead of holding them all in memory.
    let body: String = tokens(60_000, 24)
        .iter()
        .map(|t| format!("Authorization: Bearer {t}\n"))
        .collect();
    let dir = hostile_tree("many.txt", body.as_bytes());
    let run = scan_hostile(dir.path(), &[]);
    assert_survives(&run, "the rest were not checked", SIBLING.2, SIBLING.0);
    assert!(run.secs < 30.0, "took {:.1}s", run.secs);
}

#[test]
fn a_credential_name_cut_off_at_the_end_of_a_file_does_not_abort_the_scan() {
    // Ends inside `name="…`: the named-credential reader once sliced past the buffer here,
    // which aborted the whole scan.
    let dir = hostile_tree("res/cut.xml", b"<string name=\"api_key");
    let run = scan_hostile(dir.path(), &[]);
    assert_eq!(
        run.out.status.code(),
        Some(1),
        "stderr: {}",
        stderr(&run.out)
    );
    assert_survives(&run, "", SIBLING.2, SIBLING.0);
}
