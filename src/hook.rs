//! `leakhound install-hook`: a plain git pre-commit hook, for teams that do not use the
//! pre-commit framework.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Writes `hooks/pre-commit` of the repository at `repo`; an existing hook is kept unless
/// `force`.
pub fn install(repo: &Path, force: bool) -> Result<()> {
    let hook = hook_path(repo)?;
    if hook.exists() && !force {
        anyhow::bail!(
            "{}: a pre-commit hook already exists; --force replaces it",
            hook.display()
        );
    }
    let exe = std::env::current_exe().context("cannot locate the leakhound binary")?;
    std::fs::create_dir_all(hook.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("{}: cannot create the hooks directory", hook.display()))?;
    std::fs::write(&hook, script(&exe))
        .with_context(|| format!("{}: cannot write", hook.display()))?;
    make_executable(&hook)?;
    println!("installed {}", hook.display());
    Ok(())
}

/// `core.hooksPath` when set (relative to the work tree, as git runs hooks there), else the
/// `hooks` directory of the common git directory: a linked work tree shares its main
/// repository's hooks, so installing from either protects both.
fn hook_path(repo: &Path) -> Result<PathBuf> {
    let r = git2::Repository::discover(repo).map_err(|e| {
        anyhow::anyhow!("{}: not a git repository: {}", repo.display(), e.message())
    })?;
    let custom = r
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    let dir = match (custom, r.workdir()) {
        (Some(p), Some(work)) if p.is_relative() => work.join(p),
        (Some(p), _) => p,
        (None, _) => r.commondir().join("hooks"),
    };
    Ok(dir.join("pre-commit"))
}

/// The hook: the binary that installed it (or `leakhound` on PATH if it moved) scans the
/// staged changes; a finding blocks the commit and the report says how to accept it.
fn script(exe: &Path) -> String {
    let quoted = exe.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         # Installed by `leakhound install-hook`: blocks commits that add secrets.\n\
         # Accept a reviewed finding with a `leakhound:allow` comment on its line, an\n\
         # allowlist entry in .leakhound.toml, or a baseline (--baseline FILE).\n\
         LEAKHOUND='{quoted}'\n\
         [ -x \"$LEAKHOUND\" ] || LEAKHOUND=leakhound\n\
         exec \"$LEAKHOUND\" git --staged .\n"
    )
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("{}: cannot make executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}
