//! A report of several blocks of rows and graph parts, each inside `<noscript>` until the
//! script builds it: complete without scripts, filtered over rows not built yet, and built
//! where a link points.

use crate::html::{browser, chromium, dump_dom, file_url, html_report, rows};
use crate::proof::hs256;
use regex::Regex;
use std::path::Path;

const FILES: usize = 60;
const TOKENS: usize = 8;
const FINDINGS: usize = FILES * (1 + TOKENS);

/// `FILES` files, each with an HMAC key in a jsonwebtoken call and `TOKENS` tokens it signs:
/// 540 findings in three blocks of rows, and 540 graph entries in two parts.
fn signed_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..FILES {
        let key = format!("k3y-{i:03}-Zq8vTn2LwPx7RbYc4HsJ");
        let mut text = format!(
            "const jwt = require('jsonwebtoken');\n\
             const t = jwt.sign({{ sub: 'u' }}, '{key}', {{ expiresIn: '1h' }});\n"
        );
        for j in 0..TOKENS {
            let claims = format!(r#"{{"sub":"user-{i}-{j}","iat":1763990000,"exp":1766582000}}"#);
            text += &format!("const live{j} = \"{}\";\n", hs256(&claims, key.as_bytes()));
        }
        std::fs::write(dir.path().join(format!("mod{i:03}.js")), text).unwrap();
    }
    dir
}

/// The DOM without the blocks still inside `<noscript>`: the rows and entries built.
fn built(dom: &str) -> String {
    Regex::new(r"(?s)<noscript>.*?</noscript>")
        .unwrap()
        .replace_all(dom, "")
        .into_owned()
}

fn report(dir: &Path) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let tree = signed_tree();
    let page = dir.join("large.html");
    let html = html_report(tree.path(), &page, &[]);
    assert_eq!(
        html.matches("<div class=\"lazy\"><noscript><table").count(),
        3
    );
    assert_eq!(html.matches("<div class=\"lazy\"><noscript><ul").count(), 2);
    (tree, page, html)
}

/// Counts in the report as a browser with scripts off builds it. `--dump-dom` needs scripts,
/// so the page is parsed by `DOMParser` in a page of the test's own: the HTML standard
/// parses such a document with scripting off, which is what turns `<noscript>` into markup.
fn without_scripts(browser: &Path, dir: &Path, html: &str) -> String {
    let source = serde_json::to_string(html).unwrap().replace("</", "<\\/");
    let harness = dir.join("noscript.html");
    let probe = "var d = new DOMParser().parseFromString(source, 'text/html');\n\
        var rows = d.querySelectorAll('#findings tr[data-s]');\n\
        var hidden = d.querySelectorAll('#findings tr[hidden]').length;\n\
        var text = d.getElementById('findings').textContent;\n\
        document.body.textContent = [rows.length, hidden, \n\
          d.querySelectorAll('#proof a.node').length, \n\
          d.getElementById('filters').hidden, text.indexOf('mod059.js:') !== -1].join(' ');";
    std::fs::write(
        &harness,
        format!("<!DOCTYPE html><html><body><script>var source = {source};\n{probe}</script></body></html>"),
    )
    .unwrap();
    let dom = chromium(browser, &file_url(&harness), &["--dump-dom"]);
    let body = Regex::new(r"<body>([^<]*)</body>").unwrap();
    body.captures(&dom).expect("probe ran")[1].to_string()
}

#[test]
fn without_scripts_every_row_and_graph_entry_is_shown() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_tree, _page, html) = report(dir.path());
    // Rows, hidden rows, graph entries, form hidden, a late row's location in the text.
    assert_eq!(
        without_scripts(&browser, dir.path(), &html),
        format!("{FINDINGS} 0 {FINDINGS} true true")
    );
}

#[test]
fn filters_count_rows_not_built_yet() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_tree, page, _) = report(dir.path());
    // The key and its eight tokens of the last file, in the first and the last block.
    let dom = dump_dom(&browser, &page, "?q=MOD059.js:");
    assert!(dom.contains("data-shown=\"9\""), "{dom}");
    assert!(dom.contains(&format!("9 of {FINDINGS} findings shown")));
    let visible: Vec<_> = rows(&built(&dom)).into_iter().filter(|r| !r.3).collect();
    assert!(!visible.is_empty() && visible.len() <= 9, "{visible:?}");
    assert!(
        visible.iter().all(|r| r.2.starts_with("mod059.js:")),
        "{visible:?}"
    );
    // The search reads the text as shown: the excerpt's quote is `&quot;` in the source.
    let dom = dump_dom(&browser, &page, "?q=live3%20%3D%20%22");
    assert!(dom.contains(&format!("data-shown=\"{FILES}\"")), "{dom}");
    let dom = dump_dom(&browser, &page, "?severity=critical&q=live3");
    assert!(dom.contains("data-shown=\"0\""), "{dom}");
}

#[test]
fn links_build_the_block_they_point_into() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_tree, page, html) = report(dir.path());
    let last_row = Regex::new(r#"<tr id="(f\d+)""#)
        .unwrap()
        .captures_iter(&html)
        .last()
        .unwrap()[1]
        .to_string();
    let last_entry = Regex::new(r#" id="(n\d+)""#)
        .unwrap()
        .captures_iter(&html)
        .last()
        .unwrap()[1]
        .to_string();
    for id in [last_row, last_entry] {
        let dom = built(&dump_dom(&browser, &page, &format!("#{id}")));
        assert!(dom.contains(&format!(" id=\"{id}\"")), "{id} not built");
    }
}
