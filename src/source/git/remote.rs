//! The repository a history scan came from, as its `origin` remote names it: the default
//! `--label` of `leakhound git`. Reports are shared, so credentials in the URL never reach
//! them.

use git2::Repository;

/// The `origin` remote's URL without credentials, if the repository has one.
pub fn origin_label(repo: &Repository) -> Option<String> {
    let remote = repo.find_remote("origin").ok()?;
    let url = String::from_utf8_lossy(remote.url_bytes()).into_owned();
    Some(without_credentials(&url)).filter(|l| !l.is_empty())
}

/// `url` without what may authenticate: the user and password of `scheme://user:pass@host`
/// (a token is often the user alone: `https://ghp_…@github.com/…`), the query and fragment
/// (`?access_token=…`), and a password in scp-like `user:pass@host:path`. Local paths and
/// `git@host:path` stay as written.
pub fn without_credentials(url: &str) -> String {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        let rest = rest.split(['?', '#']).next().unwrap_or(rest);
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        return format!("{scheme}://{host}{path}");
    }
    match url.split_once('@') {
        Some((user, host)) if user.contains(':') && !user.contains('/') => host.to_string(),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_credentials as strip;

    #[test]
    fn credentials_leave_remote_urls() {
        assert_eq!(strip("https://user:pass@host/x.git"), "https://host/x.git");
        assert_eq!(
            strip("https://x-access-token:ghs_abc@github.com/acme/api.git"),
            "https://github.com/acme/api.git"
        );
        assert_eq!(
            strip("https://ghp_token@github.com/a/b"),
            "https://github.com/a/b"
        );
        assert_eq!(strip("https://u:p@ss@host:8443/x"), "https://host:8443/x");
        assert_eq!(
            strip("https://host/x.git?token=abc#frag"),
            "https://host/x.git"
        );
        assert_eq!(strip("ssh://git@host:22/x.git"), "ssh://host:22/x.git");
        assert_eq!(
            strip("git@github.com:acme/api.git"),
            "git@github.com:acme/api.git"
        );
        assert_eq!(strip("user:secret@host:acme/api.git"), "host:acme/api.git");
        assert_eq!(strip("/srv/git/api.git"), "/srv/git/api.git");
        assert_eq!(
            strip("https://github.com/acme/api"),
            "https://github.com/acme/api"
        );
    }
}
