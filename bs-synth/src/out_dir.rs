//! `--out DIR`: one `<stack>.template.json` per stack and `manifest.json`, the
//! assembly without the templates inline, which names each template's file.
//! This directory is what the infrastructure pipeline's deploy stages read.

use bs_core::assembly::{Assembly, MANIFEST_FILE};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub fn template_file(stack: &str) -> String {
    format!("{stack}.template.json")
}

/// Writes the directory; returns the paths written.
pub fn write(dir: &Path, assembly: &Assembly, pretty: bool) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut manifest = assembly.clone();
    let mut written = Vec::new();
    for stack in &mut manifest.stacks {
        let Some(template) = stack.template.take() else {
            continue;
        };
        let file = template_file(&stack.name);
        let text = if pretty {
            serde_json::to_string_pretty(&template)?
        } else {
            template.to_string()
        };
        let path = dir.join(&file);
        write_atomically(&path, &text)?;
        written.push(path);
        stack.template_file = Some(file);
    }
    let path = dir.join(MANIFEST_FILE);
    write_atomically(&path, &serde_json::to_string_pretty(&manifest)?)?;
    written.push(path);
    Ok(written)
}

/// A reader never sees half a file: write beside it, then rename.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, format!("{text}\n"))?;
    fs::rename(&tmp, path)
}
