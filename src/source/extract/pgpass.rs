//! PostgreSQL password files (`.pgpass`, `pgpass.conf`): `host:port:database:user:password`
//! lines carry no name a rule could wake on, so each becomes `host:port:database:user
//! password = "…"` and the credentials-by-name rules judge the password as in any config.

use super::{Budget, Label, Lines, Placement, Visitor};

/// Whether `name` (a path or member) is a PostgreSQL password file.
pub(super) fn is_pgpass(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base == ".pgpass" || base.eq_ignore_ascii_case("pgpass.conf")
}

pub(super) fn pgpass(
    budget: &mut Budget<'_>,
    member: Option<&str>,
    b: &[u8],
    label: &str,
    visitor: &mut dyn Visitor,
) {
    let mut lines = Lines::new(budget.decoded_room(b.len()));
    for line in b.split(|&c| c == b'\n') {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') {
            continue;
        }
        let fields = split_fields(line);
        let [host, port, db, user, password] = fields.as_slice() else {
            continue;
        };
        let key = format!("{host}:{port}:{db}:{user}");
        if !lines.push(
            Label::Key(key.len()),
            &format!("{key} password = \"{password}\""),
        ) {
            break;
        }
    }
    // The file is text; a password is shown where its bytes are in it.
    let placement = match member {
        None => Placement::Rebuilt { input: b },
        Some(_) => Placement::Opaque,
    };
    budget.finish(lines, b.len(), member, label, placement, visitor);
}

/// Fields separated by `:`, with `\:` and `\\` unescaped as libpq does.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields
                .last_mut()
                .into_iter()
                .for_each(|f| f.extend(chars.next())),
            ':' => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_unescape_like_libpq() {
        assert_eq!(
            split_fields(r"db:5432:*:app:pa\:ss\\word"),
            vec!["db", "5432", "*", "app", r"pa:ss\word"]
        );
        assert!(is_pgpass("home/ci/.pgpass"));
        assert!(is_pgpass(
            r"C:\Users\ci\AppData\Roaming\postgresql\pgpass.conf"
        ));
        assert!(!is_pgpass("pgpass.md"));
    }
}
