//! Positions a viewer can open: a secret inside a source map, an inline source map or an XML
//! plist is also placed at its bytes in the file itself, and no SARIF region of any fixture
//! points past the end of its file.

use crate::helpers::*;
use serde_json::Value;
use std::path::Path;

/// The text of `file` between two 1-based (line, UTF-16 column) positions.
fn text_at(file: &Path, start: (u64, u64), end: (u64, u64)) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let offset = |(line, col): (u64, u64)| -> usize {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        let mut units = 0u64;
        for (i, c) in text[line_start..].char_indices() {
            if units + 1 >= col {
                return line_start + i;
            }
            units += c.len_utf16() as u64;
        }
        text.len()
    };
    text[offset(start)..offset(end)].to_string()
}

fn region(f: &Value) -> ((u64, u64), (u64, u64)) {
    let r = &f["region"];
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("region.{k} in {f}"));
    ((n("line"), n("column")), (n("end_line"), n("end_column")))
}

#[test]
fn secrets_in_text_containers_are_placed_in_the_file() {
    let root = fixtures("positions");
    let (doc, _) = scan_json(&root, &["--show-secrets"]);
    let mut got: Vec<(String, String, Option<String>, u64)> = findings(&doc)
        .iter()
        .map(|f| {
            let member = f["member"].as_str().map(str::to_string);
            (
                field(f, "rule_id"),
                field(f, "path"),
                member,
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let p = |s: &str| s.to_string();
    let m = |s: &str| Some(s.to_string());
    assert_eq!(
        got,
        vec![
            (
                "generic.password".into(),
                p("web/dist/app.js.map"),
                m("webpack://shop/./src/gone.ts"),
                3
            ),
            ("generic.secret".into(), p("ios/Info.plist"), None, 2),
            (
                "generic.secret".into(),
                p("web/dist/inline.js"),
                m("(inline source map)!webpack://shop/./src/hooks.ts"),
                2
            ),
            (
                "jwt.hmac-key.indirect".into(),
                p("web/dist/app.js.map"),
                m("webpack://shop/./src/settings.ts"),
                4
            ),
            (
                "jwt.hmac-key.indirect".into(),
                p("web/src/settings.ts"),
                None,
                4
            ),
        ]
    );
    for f in doc["findings"].as_array().unwrap() {
        let secret = f["secret"].as_str().unwrap();
        let path = &root.join(f["path"].as_str().unwrap());
        if f["path"].as_str().unwrap().ends_with("inline.js") {
            // Base64 hides the secret: the region is the encoded run that holds the map.
            let (start, end) = region(f);
            let run = text_at(path, start, end);
            assert!(run.starts_with("eyJ2ZXJzaW9u") && run.len() > 200, "{run}");
            assert!(!run.contains(',') && !run.contains('\n'));
            continue;
        }
        if f.get("region").is_none() {
            assert!(f.get("member").is_none(), "a member needs a region: {f}");
            continue;
        }
        let (start, end) = region(f);
        assert_eq!(text_at(path, start, end), secret, "{f}");
    }
    // The map's copy of a source that exists in the tree points at it; a gone one does not.
    let by_member = |m: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["member"] == m)
            .unwrap()
            .clone()
    };
    let kept = by_member("webpack://shop/./src/settings.ts");
    assert_eq!(kept["original_file"], "web/src/settings.ts");
    assert_eq!(kept["original_source"], "webpack://shop/./src/settings.ts");
    assert!(by_member("webpack://shop/./src/gone.ts")
        .get("original_file")
        .is_none());
}

#[test]
fn sarif_places_map_findings_in_the_map_and_relates_the_original() {
    let out = run_in(
        &fixtures("positions"),
        &["scan", ".", "--format", "sarif", "--now", NOW],
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let kept = results
        .iter()
        .find(|r| r["properties"]["member"] == "webpack://shop/./src/settings.ts")
        .unwrap();
    let loc = &kept["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "web/dist/app.js.map");
    assert_eq!(loc["region"]["startLine"], 1);
    assert_eq!(loc["region"]["startColumn"], 246);
    assert_eq!(loc["region"]["endColumn"], 278);
    assert_eq!(kept["properties"]["member_line"], 4);
    let original = kept["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["physicalLocation"]["artifactLocation"]["uri"] == "web/src/settings.ts")
        .expect("the original source is a related location");
    assert_eq!(original["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(original["physicalLocation"]["region"]["startColumn"], 32);
}

/// Lines of `bytes` as UTF-16 lengths, split on `\n` as the scanner counts them.
fn line_lengths(bytes: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(bytes)
        .split('\n')
        .map(|l| l.encode_utf16().count() as u64)
        .collect()
}

fn check_region(uri: &str, region: &Value, lines: &[u64], what: &str) {
    let at = |k: &str| region[k].as_u64();
    let start_line = at("startLine").unwrap_or_else(|| panic!("{what}: no startLine"));
    let end_line = at("endLine").unwrap_or(start_line);
    for (line, col) in [(start_line, at("startColumn")), (end_line, at("endColumn"))] {
        assert!(
            line >= 1 && line as usize <= lines.len(),
            "{what}: line {line} of {uri}, which has {} lines",
            lines.len()
        );
        if let Some(col) = col {
            let len = lines[line as usize - 1];
            assert!(
                col >= 1 && col <= len + 1,
                "{what}: column {col} on line {line} of {uri}, {len} long"
            );
        }
    }
}

#[test]
fn no_region_of_any_fixture_points_past_its_file() {
    let root = repo().join("fixtures");
    let out = run_in(&root, &["scan", ".", "--format", "sarif", "--now", NOW]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 50, "fixtures give many results");
    let mut checked = 0;
    for r in results {
        let locations = r["locations"].as_array().unwrap().iter();
        let related = r["relatedLocations"].as_array().into_iter().flatten();
        for l in locations.chain(related) {
            let p = &l["physicalLocation"];
            let uri = p["artifactLocation"]["uri"].as_str().unwrap();
            let bytes = std::fs::read(root.join(uri))
                .unwrap_or_else(|e| panic!("{uri} in {}: {e}", r["ruleId"]));
            check_region(
                uri,
                &p["region"],
                &line_lengths(&bytes),
                r["ruleId"].as_str().unwrap(),
            );
            checked += 1;
        }
    }
    assert!(checked > results.len());
}
