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

/// The most bytes read as an assembly (stdin or a manifest): three templates of
/// CloudFormation's largest size and room to spare.
pub const MAX_ASSEMBLY_BYTES: u64 = 16 * 1024 * 1024;

/// Reads at most `limit` bytes of `reader`; more is an error naming `what`.
fn read_bounded(reader: &mut dyn Read, limit: u64, what: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Input(format!("{what}: cannot read it: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Error::Input(format!(
            "{what}: larger than {} MiB: not an assembly",
            limit / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes).map_err(|_| Error::Input(format!("{what}: not UTF-8 text")))
}

/// A `template_file` inside the assembly's folder: relative, without `..`.
fn confined(base: &Path, file: &str, stack: &str) -> Result<std::path::PathBuf, Error> {
    use std::path::Component;
    let relative = Path::new(file);
    if file.is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(Error::Input(format!(
            "stack {stack}: template_file `{file}` must name a file inside the assembly's folder (no absolute path, no `..`)"
        )));
    }
    Ok(base.join(relative))
}

fn finish(mut assembly: Assembly, base: Option<&Path>, origin: &str) -> Result<Loaded, Error> {
    let mut bodies = Vec::new();
    for s in &mut assembly.stacks {
        if s.template.is_none() {
            let file = match (&s.template_file, base) {
                (Some(file), Some(base)) => confined(base, file, &s.name)?,
                (Some(file), None) => {
                    return Err(Error::Input(format!(
                        "stack {}: its template is in a file ({file}), which can be read only with --assembly DIR: pipe bs-synth's output (templates included) or pass --assembly",
                        s.name
                    )))
                }
                (None, _) => {
                    return Err(Error::Input(format!(
                        "stack {}: the assembly holds no template for it (`template` or `template_file`)",
                        s.name
                    )))
                }
            };
            let what = format!("stack {}: {}", s.name, file.display());
            let mut f = std::fs::File::open(&file)
                .map_err(|e| Error::Input(format!("{what}: cannot read it: {e}")))?;
            let text = read_bounded(
                &mut f,
                crate::assembly_check::MAX_TEMPLATE_BYTES as u64 * 2,
                &what,
            )?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Error::Input(format!("{what}: not a JSON template: {e}")))?;
            s.template = Some(value);
        }
        bodies.push(
            s.template
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
        );
    }
    crate::assembly_check::check(&assembly, &bodies, origin)?;
    Ok(Loaded { assembly, bodies })
}

pub fn from_text(text: &str, origin: &str, base: Option<&Path>) -> Result<Loaded, Error> {
    let assembly = Assembly::from_json(text).map_err(|e| Error::Input(format!("{origin}: {e}")))?;
    finish(assembly, base, origin)
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
    let what = format!("--assembly {}: {}", path.display(), file.display());
    let mut f = std::fs::File::open(&file)
        .map_err(|e| Error::Input(format!("{what}: cannot read it: {e}")))?;
    let text = read_bounded(&mut f, MAX_ASSEMBLY_BYTES, &what)?;
    from_text(
        &text,
        &format!("--assembly {}", path.display()),
        Some(&base),
    )
}

pub fn from_reader(reader: &mut dyn Read) -> Result<String, Error> {
    read_bounded(reader, MAX_ASSEMBLY_BYTES, "stdin")
}
