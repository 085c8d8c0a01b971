//! Reading the assembly: stdin, a JSON file, or a `bs-synth --out` directory.

use bs_aws::Error;
use bs_core::assembly::{Assembly, MANIFEST_FILE};
use std::io::Read;
use std::path::Path;

/// A stack to deploy: its entry and its template as sent.
pub struct Loaded {
    pub assembly: Assembly,
    /// Minified template of each stack, in assembly order.
    pub bodies: Vec<String>,
}

fn finish(mut assembly: Assembly, base: Option<&Path>) -> Result<Loaded, Error> {
    let mut bodies = Vec::new();
    for s in &mut assembly.stacks {
        if s.template.is_none() {
            let (Some(file), Some(base)) = (&s.template_file, base) else {
                return Err(Error::Input(format!(
                    "stack {}: the assembly has neither its template nor a template_file",
                    s.name
                )));
            };
            let path = base.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::Input(format!(
                    "stack {}: cannot read {}: {e}",
                    s.name,
                    path.display()
                ))
            })?;
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::Input(format!(
                    "stack {}: {} is not a JSON template: {e}",
                    s.name,
                    path.display()
                ))
            })?;
            s.template = Some(value);
        }
        // `get` finds "Resources" only in an object: arrays and scalars fail too.
        let Some(template) = s.template.as_ref().filter(|t| t.get("Resources").is_some()) else {
            return Err(Error::Input(format!(
                "stack {}: its template has no Resources",
                s.name
            )));
        };
        let template = template.to_string();
        bodies.push(template);
    }
    Ok(Loaded { assembly, bodies })
}

pub fn from_text(text: &str, origin: &str, base: Option<&Path>) -> Result<Loaded, Error> {
    let assembly = Assembly::from_json(text).map_err(|e| Error::Input(format!("{origin}: {e}")))?;
    finish(assembly, base)
}

pub fn from_path(path: &Path) -> Result<Loaded, Error> {
    let (file, base) = if path.is_dir() {
        (path.join(MANIFEST_FILE), path.to_path_buf())
    } else {
        (
            path.to_path_buf(),
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
        )
    };
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Error::Input(format!(
            "--assembly {}: cannot read {}: {e}",
            path.display(),
            file.display()
        ))
    })?;
    from_text(
        &text,
        &format!("--assembly {}", path.display()),
        Some(&base),
    )
}

pub fn from_reader(reader: &mut dyn Read) -> Result<String, Error> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| Error::Input(format!("stdin: cannot read the assembly: {e}")))?;
    Ok(text)
}
