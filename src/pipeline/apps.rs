//! The app summary: what each app among the inputs said about itself while it was read,
//! and, once filters have run, how many reported secrets belong to each SDK or provider.

use crate::finding::{App, ScanResult};
use crate::source::extract::{sdk_of_rule, AppFact};

/// The app at `path` from the facts its members gave: the first identity (the top-level
/// manifest comes before nested ones) and every SDK once, sorted.
pub fn app(path: &str, facts: &[AppFact]) -> App {
    let mut app = App {
        path: path.to_string(),
        ..App::default()
    };
    for fact in facts {
        match fact {
            AppFact::Identity {
                platform,
                package,
                version,
            } if app.package.is_none() => {
                app.platform = Some((*platform).to_string());
                app.package = Some(package.clone());
                app.version.clone_from(version);
            }
            AppFact::Identity { .. } => {}
            AppFact::Sdk(sdk) => app.sdks.push((*sdk).to_string()),
        }
    }
    app.sdks.sort();
    app.sdks.dedup();
    app
}

/// Counts the reported findings in each app by the SDK or provider their rule belongs to.
/// Runs after the filters, so accepted findings are not counted. One pass over the findings,
/// however many apps there are.
pub fn tally(result: &mut ScanResult) {
    let apps = &mut result.summary.apps;
    if apps.is_empty() {
        return;
    }
    apps.sort_by(|a, b| a.path.cmp(&b.path));
    let index: std::collections::HashMap<String, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, a)| (a.path.clone(), i))
        .collect();
    for app in apps.iter_mut() {
        app.secrets.clear();
    }
    for f in &result.findings {
        if let Some(&i) = index.get(&f.path) {
            *apps[i]
                .secrets
                .entry(sdk_of_rule(&f.rule_id).to_string())
                .or_default() += 1;
        }
    }
}
