//! A named profile must exist: the SDK's credential chain skips a profile that
//! no file defines and ends at the EC2 metadata service, whose failure says
//! nothing about the name that was mistyped.

use crate::Error;
use std::path::PathBuf;

/// The shared config and credentials files, as the SDK finds them.
fn files() -> [(PathBuf, bool); 2] {
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_default();
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("config"));
    let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("credentials"));
    [(config, true), (credentials, false)]
}

/// The profile names a file defines: `[profile NAME]` (and `[default]`) in
/// the config file, `[NAME]` in the credentials file.
pub(crate) fn names(text: &str, config_file: bool) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(section) = line.strip_prefix('[').and_then(|l| l.split(']').next()) else {
            continue;
        };
        let section = section.trim();
        let name = if config_file {
            match section.strip_prefix("profile") {
                Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim(),
                _ if section == "default" => section,
                _ => continue,
            }
        } else {
            section
        };
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Refuses `name` (given by `flag`) when neither shared file defines it.
/// `default` is not checked: the chain may find credentials elsewhere.
pub fn check(name: &str, flag: &str) -> Result<(), Error> {
    if name == "default" {
        return Ok(());
    }
    let mut known: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    for (path, config_file) in files() {
        if let Ok(text) = std::fs::read_to_string(&path) {
            for n in names(&text, config_file) {
                if n == name {
                    return Ok(());
                }
                if !known.contains(&n) {
                    known.push(n);
                }
            }
        }
        paths.push(path.display().to_string());
    }
    let has = if known.is_empty() {
        "they define no profile".to_string()
    } else {
        format!("they define {}", known.join(", "))
    };
    Err(Error::Input(format!(
        "{flag} {name}: no such profile in {} or {} ({has}); nothing was read or changed",
        paths[0], paths[1]
    )))
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn config_sections_need_the_profile_prefix_except_default() {
        let text = "[default]\nregion=x\n[profile ops]\n[sso-session corp]\n[ profile  dev ]\n[profilex]\n";
        assert_eq!(names(text, true), ["default", "ops", "dev"]);
    }

    #[test]
    fn credentials_sections_are_bare_names() {
        assert_eq!(
            names("[ci]\naws_access_key_id=A\n# [no]\n[ops] ; x\n", false),
            ["ci", "ops"]
        );
    }
}
