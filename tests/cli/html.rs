//! `--format html`: the page rendered in a real headless Chromium (findings table, chart and
//! proof graph in the DOM after load, filters driven by the URL, a screenshot for review),
//! escaping of hostile names, and the `--show-secrets` banner.

use crate::helpers::*;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A browser that hangs fails its test after this long instead of hanging the suite.
const BROWSER_SECS: u64 = 90;

/// The headless browser `tests/run` found or installed (`LEAKHOUND_BROWSER`). Without one the
/// test fails under CI and is skipped, with the reason printed, elsewhere.
pub fn browser() -> Option<PathBuf> {
    let found = std::env::var_os("LEAKHOUND_BROWSER").filter(|b| !b.is_empty());
    if found.is_none() {
        let why = "no headless Chromium: run `bash tests/run` as root on Debian (it installs \
                   chromium) or install Chromium or Chrome";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
        eprintln!("skipped: {why}");
    }
    found.map(PathBuf::from)
}

/// Writes `leakhound scan PATH --format html ARGS` to `out` and returns the page.
pub fn html_report(path: &Path, out: &Path, extra: &[&str]) -> String {
    let p = path.to_string_lossy().into_owned();
    let o = out.to_string_lossy().into_owned();
    let mut args = vec!["scan", &p, "--format", "html", "--now", NOW, "-o", &o];
    args.extend_from_slice(extra);
    let run = run(&args);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    std::fs::read_to_string(out).unwrap()
}

pub fn file_url(path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        format!("file:///{p}")
    }
}

/// Runs the browser headless on `url` with `args`, its own profile, and a time limit.
pub fn chromium(browser: &Path, url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("browser starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(BROWSER_SECS) {
            child.kill().unwrap();
            panic!("{} hung on {url} for {BROWSER_SECS}s", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap().unwrap()
}

/// The page's DOM after its scripts ran.
pub fn dump_dom(browser: &Path, page: &Path, query: &str) -> String {
    let dom = chromium(
        browser,
        &format!("{}{query}", file_url(page)),
        &["--dump-dom"],
    );
    assert!(dom.contains("<div id=\"findings\">"), "no DOM: {dom}");
    dom
}

/// `(severity, rule, location, hidden)` of every findings-table row, in page order.
pub fn rows(dom: &str) -> Vec<(String, String, String, bool)> {
    let row = Regex::new(
        r#"(?s)<tr id="f\d+" data-s="(\w+)" data-r="([^"]+)"( hidden="")?><td>\w+</td><td>.*?</td><td>([^\n<]+)"#,
    )
    .unwrap();
    row.captures_iter(dom)
        .map(|c| (c[1].into(), c[2].into(), c[4].into(), c.get(3).is_some()))
        .collect()
}

/// The findings of `fixtures/demo`, most severe first and then as the scan orders them.
const DEMO: &[(&str, &str)] = &[
    ("jwt.hmac-key.config", ".env:3:12"),
    ("jwt.hmac-key.config", ".env:4:22"),
    ("caf.mobile-token", "main.dart:5:8"),
    ("caf.client-secret", "main.dart:8:35"),
    ("jwt.hmac-key.node", "server.js:6:55"),
    ("jwt.hmac-key.indirect", "server.js:14:22"),
    ("jwt.hmac-key.node", "server.js:20:29"),
    ("jwt.hmac-key.node-middleware", "server.js:23:31"),
];

#[test]
fn demo_report_shows_findings_chart_and_proof_graph_in_chromium() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo.html");
    html_report(&fixtures("demo"), &page, &[]);
    let dom = dump_dom(&browser, &page, "");
    let got: Vec<(String, String, String, bool)> = rows(&dom);
    let want: Vec<(String, String, String, bool)> = DEMO
        .iter()
        .map(|(r, l)| ("critical".into(), r.to_string(), l.to_string(), false))
        .collect();
    assert_eq!(got, want);
    // The filter script ran (the policy admits it by hash) and shows every row.
    assert!(dom.contains("data-shown=\"8\""), "{dom}");
    assert!(dom.contains("8 of 8 findings shown"));
    assert!(!dom.contains("<form id=\"filters\" hidden"));
    for chart in ["chart-severity", "chart-rule"] {
        let at = dom.find(&format!("<svg id=\"{chart}\"")).expect(chart);
        let svg = &dom[at..at + dom[at..].find("</svg>").unwrap()];
        assert!(svg.contains("<rect class=\"critical\""), "{svg}");
    }
    let rule_chart = &dom[dom.find("<svg id=\"chart-rule\"").unwrap()..];
    for (rule, _) in DEMO {
        assert!(rule_chart.contains(&format!("text-anchor=\"end\">{rule}</text>")));
    }
    // The key is linked to the token it signs, both ways through the graph.
    let graph = &dom[dom.find("<section id=\"proof\">").unwrap()..];
    assert!(graph.contains(
        "<a class=\"node critical\" id=\"n3\" href=\"#f3\">caf.client-secret main.dart:8:35</a>"
    ));
    assert!(graph.contains(
        "signs <a class=\"node critical\" id=\"n2\" href=\"#f2\">caf.mobile-token main.dart:5:8</a>"
    ));
    assert!(dom.contains("<tr id=\"f2\" data-s=\"critical\" data-r=\"caf.mobile-token\">"));
    assert!(dom.contains("verified by caf.client-secret main.dart:8\n<a href=\"#n2\">"));
    assert!(dom.contains("key: signs 1 token(s)\n<a href=\"#n3\">"));
    // Unproven keys are not in the graph.
    assert!(!graph.contains("server.js"));
    assert!(dom.contains("<dt id=\"r0\"><code>jwt.hmac-key.config</code>"));
    assert!(dom.contains("<b>Fix:</b> "));
}

#[test]
fn filters_set_in_the_url_hide_rows_in_chromium() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("mixed.html");
    html_report(&fixtures("mixed"), &page, &[]);
    let shown = |dom: &str| -> Vec<(String, String)> {
        rows(dom)
            .into_iter()
            .filter(|r| !r.3)
            .map(|(s, r, ..)| (s, r))
            .collect()
    };
    let dom = dump_dom(&browser, &page, "?severity=medium,low");
    assert_eq!(rows(&dom).len(), 48);
    let visible = shown(&dom);
    assert_eq!(visible.len(), 3, "{visible:?}");
    assert!(visible.iter().all(|(s, _)| s == "medium" || s == "low"));
    assert!(dom.contains("data-shown=\"3\""));

    let dom = dump_dom(&browser, &page, "#rule=bearer.token");
    let visible = shown(&dom);
    assert_eq!(visible.len(), 4, "{visible:?}");
    assert!(visible.iter().all(|(_, r)| r == "bearer.token"));

    let dom = dump_dom(&browser, &page, "?severity=high&q=SCRIPTS/deploy");
    assert_eq!(
        shown(&dom),
        vec![("high".to_string(), "bearer.token".to_string())]
    );
}

#[test]
fn screenshot_of_the_demo_report_for_review() {
    let Some(browser) = browser() else { return };
    let out = target_dir().join("html-report");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("demo.html");
    html_report(&fixtures("demo"), &page, &[]);
    let png = out.join("demo.png");
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    chromium(
        &browser,
        &file_url(&page),
        &[&shot, "--window-size=1280,2000", "--hide-scrollbars"],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height as asked, and more than a blank page's few kilobytes.
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1280);
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 2000);
    assert!(bytes.len() > 40_000, "{} bytes", bytes.len());
}

#[test]
fn hostile_names_and_claims_are_escaped() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims = r#"{"sub":"<img src=x onerror=alert(2)>","iss":"\"'><b>x</b>","iat":1700000000}"#;
    let token = format!(
        "{}.{}.c2lnbmF0dXJlLWJ5dGVz",
        b64(r#"{"alg":"HS256"}"#),
        b64(claims)
    );
    let gh = SIBLING.1;
    let mut files = vec![
        ("<script>alert(1)</script>.js", gh.to_string()),
        ("q\"uo'te.js", gh.replace("R8x", "R9x")),
        ("jwt.js", format!("const t = \"{token}\";\n")),
    ];
    if cfg!(unix) {
        files.push(("ctl\x1b[31m\x07\u{202e}.js", gh.replace("R8x", "R7x")));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let dir = tree(&files);
    let out = tempfile::tempdir().unwrap();
    let page = html_report(dir.path(), &out.path().join("r.html"), &[]);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    for raw in [
        "<script>alert",
        "<img",
        "<b>x",
        "'><",
        "\x1b",
        "\x07",
        "\u{202e}",
    ] {
        assert!(!page.contains(raw), "unescaped {raw:?}");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.js:1:16"));
    assert!(page.contains("q&quot;uo&#39;te.js:1:16"));
    assert!(page.contains("sub &lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.contains("iss &quot;&#39;&gt;&lt;b&gt;x&lt;/b&gt;"));
    if cfg!(unix) {
        assert!(page.contains("ctl\\x1b[31m\\x07\\u{202e}.js:1:16"));
    }
    // Every row's attributes are intact: no quote in a name closed one early.
    let row = Regex::new(r#"<tr id="f\d+" data-s="\w+" data-r="[a-z0-9.-]+"><td>"#).unwrap();
    assert_eq!(row.find_iter(&page).count(), files.len());
}

#[test]
fn show_secrets_puts_a_red_banner_on_the_page() {
    let out = tempfile::tempdir().unwrap();
    let redacted = html_report(&fixtures("demo"), &out.path().join("a.html"), &[]);
    assert!(redacted.contains("<p class=\"note\" id=\"redacted\">"));
    assert!(!redacted.contains("secrets-shown"));
    assert!(!redacted.contains("n0de-Lit3ral-Signing-Key"));
    assert!(redacted.contains("«n0de…(24)»"));
    let shown = html_report(
        &fixtures("demo"),
        &out.path().join("b.html"),
        &["--show-secrets"],
    );
    assert!(shown.contains("<div class=\"banner\" id=\"secrets-shown\" role=\"alert\">"));
    assert!(!shown.contains("id=\"redacted\""));
    assert!(shown.contains("«n0de-Lit3ral-Signing-Key»"));
}

#[test]
fn no_secret_of_the_mixed_fixture_reaches_the_page() {
    let raw = run(&[
        "scan",
        "fixtures/mixed",
        "--format",
        "jsonl",
        "--show-secrets",
    ]);
    let secrets: Vec<String> = stdout(&raw)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["secret"].to_string())
        .collect();
    assert_eq!(secrets.len(), 48);
    let out = tempfile::tempdir().unwrap();
    let page = html_report(&fixtures("mixed"), &out.path().join("m.html"), &[]);
    for s in &secrets {
        // The JSON string's quotes are gone; its last 8 characters never appear.
        let s = s.trim_matches('"');
        let tail = &s[s.len() - 8..];
        assert!(
            !page.contains(tail),
            "the page leaks the end of a secret: {tail}"
        );
    }
}

#[test]
fn git_history_report_names_the_mode_refs_and_commits() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git_ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("app.js"), SIBLING.1).unwrap();
    git_ok(repo, &["add", "."]);
    git_ok(repo, &["commit", "-q", "-m", "leak"]);
    let head = git_ok(repo, &["rev-parse", "HEAD"]);
    let page = repo.join("r.html");
    let p = page.to_string_lossy().into_owned();
    let r = repo.to_string_lossy().into_owned();
    let out = run(&[
        "git", &r, "--branch", "main", "--format", "html", "-o", &p, "--now", NOW,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<dt>Mode</dt><dd>git history</dd>"));
    assert!(html.contains("<dt>Refs</dt><dd>main</dd>"));
    assert!(html.contains(&format!("<dt>Scanned</dt><dd>{r}</dd>")));
    assert!(html.contains("<dt>Finished</dt><dd>2025-11-24T16:00:00 UTC</dd>"));
    assert!(html.contains(&format!(
        "app.js:1:16\ncommit <abbr title=\"{head}\">{}</abbr>",
        &head[..10]
    )));
    let version = stdout(&run(&["--version"]));
    let version = version.trim().trim_start_matches("leakhound ");
    assert!(html.contains(&format!("<dt>leakhound</dt><dd>version {version}</dd>")));
}
