//! The deployment config (`configs/env-config.yaml`): loading, merging and
//! validation.
//!
//! The format is the reference system's, unchanged: a `common` map and a `stages`
//! map, each stage's keys overriding `common` for that stage only. Every problem is
//! collected and reported at once, naming the file, the key path and the line.

pub mod invisible;
pub mod keys;
pub mod rules;

use crate::names;
use crate::yaml::{self, Entry, Node, Value};
use rules::Rule;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// One problem (or warning) with the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path such as `stages.prod.HOST_NAME`; empty for the file as a whole.
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// `file:line: path: message`, the form compilers use, so editors can jump to it.
    /// Invisible and bidirectional-control characters quoted from the config are
    /// written as `<U+200B>`: shown as they are, they would hide or reorder the
    /// message.
    pub fn render(&self, file: &str) -> String {
        let location = match self.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        let text = if self.path.is_empty() {
            format!("{location}: {}", self.message)
        } else {
            format!("{location}: {}: {}", self.path, self.message)
        };
        invisible::shown(&text)
    }
}

/// The config was rejected: every problem found, in file order, and the
/// warnings met on the way (which often explain a problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        if let [p] = self.problems.as_slice() {
            if p.path.is_empty() && p.line.is_none() {
                // The file itself (unreadable, a directory, too large): one line.
                return writeln!(f, "error: {}", p.render(&self.file));
            }
        }
        writeln!(
            f,
            "error: {} has {n} problem{}:",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {}", p.render(&self.file))?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {}", w.render(&self.file))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A validated config.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub account: String,
    pub region: String,
    pub partition: String,
    /// TAG_STACK_NAME: the backstage stack's name and the prefix of every other name.
    pub stack_name: String,
    pub product: String,
    pub github: GitHub,
    pub connection_arn: String,
    pub notify_arn: Option<String>,
    pub github_app_secret_arn: String,
    /// An existing repository to use; `None` creates one named after the container.
    pub ecr_repo_name: Option<String>,
    pub container_name: String,
    pub dockerfile: String,
    /// GITHUB_APP_CREDENTIALS_FILE: where the app build writes the GitHub App
    /// credentials for the Dockerfile.
    pub github_app_credentials_file: String,
    /// In file order, which is the promotion order.
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHub {
    pub org: String,
    pub app_repo: String,
    pub app_branch: String,
    pub infra_repo: String,
    pub infra_branch: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub name: String,
    /// The stage's part of logical ids (`dev-eu` → `DevEu`).
    pub id: String,
    pub host_name: String,
    pub domain_name: String,
    /// When set, the stack's hosted-zone parameter for this domain defaults to it.
    pub hosted_zone_id: Option<String>,
    /// An existing certificate; `None` creates a DNS-validated one.
    pub acm_arn: Option<String>,
    pub container_port: u16,
    pub health_check_path: String,
    pub log_retention_days: u32,
    pub postgres_port: u16,
    pub postgres_user: String,
    pub postgres_db: Option<String>,
    pub postgres_engine_version: String,
    pub aws_auth_secret: Option<String>,
    pub github_auth_secret: Option<String>,
    pub github_token_secret: Option<String>,
    pub approval: bool,
    pub approval_emails: Vec<String>,
    /// Plain container environment: every key the toolkit does not know, sorted.
    pub env: BTreeMap<String, String>,
}

impl Stage {
    pub fn fqdn(&self) -> String {
        format!("{}.{}", self.host_name, self.domain_name)
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.fqdn())
    }
}

impl Config {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub fn pipeline_stack_name(&self) -> String {
        names::pipeline_stack(&self.stack_name)
    }

    /// Distinct domain names, in order of first use.
    pub fn domains(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.stages {
            if !out.contains(&s.domain_name.as_str()) {
                out.push(&s.domain_name);
            }
        }
        out
    }
}

/// A validated config and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<Problem>,
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    load_with(path, Options::default())
}

/// What a tool may accept that others may not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// bs-bootstrap creates the connection when CODESTAR_CONN_ARN is absent; the
    /// config's `connection_arn` is then empty.
    pub connection_optional: bool,
}

/// The most stages a config may have: the app pipeline has one per stage, after
/// Source and Build, and CodePipeline allows 50.
pub const MAX_STAGES: usize = 48;

/// The largest config file read: the example is 6 KiB.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// [`load`] with [`Options`].
pub fn load_with(path: &Path, options: Options) -> Result<Loaded, ConfigError> {
    let file = path.display().to_string();
    match read_config(path) {
        Ok(text) => parse_with(&text, &file, options),
        Err(message) => Err(ConfigError {
            problems: vec![Problem {
                path: String::new(),
                line: None,
                message,
            }],
            warnings: Vec::new(),
            file,
        }),
    }
}

/// The file's text: a regular file (never a directory, a device such as
/// /dev/zero, or a FIFO that would block), at most [`MAX_CONFIG_BYTES`], UTF-8.
fn read_config(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the config file: {e}"))?;
    if meta.is_dir() {
        return Err("is a directory: --config (or BS_CONFIG) names the config file itself".into());
    }
    if !meta.is_file() {
        return Err(
            "is not a regular file (a device or a pipe): give the config file itself".into(),
        );
    }
    let too_big = || {
        format!(
            "is larger than {} KiB: not a config file",
            MAX_CONFIG_BYTES / 1024
        )
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the config file: {e}"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (byte {} is not valid UTF-8): save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Validates config text; `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Loaded, ConfigError> {
    parse_with(text, file, Options::default())
}

/// [`parse`] with [`Options`].
pub fn parse_with(text: &str, file: &str, options: Options) -> Result<Loaded, ConfigError> {
    let root = yaml::parse(text).map_err(|e| ConfigError {
        file: file.to_string(),
        problems: vec![Problem {
            path: String::new(),
            line: Some(e.line),
            message: format!("YAML syntax error at column {}: {}", e.column, e.message),
        }],
        warnings: Vec::new(),
    })?;
    let mut v = Validator {
        options,
        ..Validator::default()
    };
    v.invisible(&root, "", root.line);
    let config = v.config(&root);
    let warnings = in_file_order(v.warnings);
    match config {
        Some(config) if v.problems.is_empty() => Ok(Loaded { config, warnings }),
        _ => Err(ConfigError {
            file: file.to_string(),
            problems: in_file_order(v.problems),
            warnings,
        }),
    }
}

/// Each problem once (a bad value in `common` is met once per stage that inherits
/// it), by line; those without a line (a key never written) last. Problems of one
/// line keep the order they were found in (an ARN's parts, left to right).
fn in_file_order(found: Vec<Problem>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    out
}

/// A value and where it came from.
#[derive(Clone, Copy)]
struct Setting<'a> {
    node: &'a Node,
    entry: &'a Entry,
    /// `common` or `stages.<name>`.
    scope: &'a str,
}

impl Setting<'_> {
    fn path(&self) -> String {
        format!("{}.{}", self.scope, self.entry.key)
    }
    fn line(&self) -> Option<usize> {
        Some(self.entry.key_line)
    }
}

type Scope<'a> = BTreeMap<&'a str, Setting<'a>>;

#[derive(Default)]
struct Validator {
    options: Options,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    /// Keys the toolkit does not know (container environment variables), as
    /// (key, path, line): a missing required key may be one of them misspelt.
    unknown: Vec<(String, String, usize)>,
}

/// A name ECS and a shell pass on as it is: letters, digits, `_`, `.`, `-`,
/// not starting with a digit (no control characters, spaces or `=`).
fn is_env_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `unknown` looks like a spelling of `key`: a near miss (`GITHUB_ORGS`), or the
/// same words with more (`GITHUB_APP_SECRET_ARN` for `GITHUB_APP_ARN`).
fn looks_like(unknown: &str, key: &str) -> bool {
    let upper = unknown.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').collect();
    keys::distance(&upper, key) <= 2 || key.split('_').all(|w| words.contains(&w))
}

fn scope<'a>(entries: &'a [Entry], name: &'a str) -> Scope<'a> {
    entries
        .iter()
        .map(|e| {
            (
                e.key.as_str(),
                Setting {
                    node: &e.value,
                    entry: e,
                    scope: name,
                },
            )
        })
        .collect()
}

/// No value: YAML null (`KEY:`), or a string of blanks (`KEY: ''`). The reference
/// reads both as "not set" (`if props.get(KEY)`), and so does the toolkit for its
/// optional keys.
fn is_blank(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Scalar { text, .. } => text.trim().is_empty(),
        _ => false,
    }
}

fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

struct RawStage<'a> {
    name: &'a str,
    scope_name: String,
    line: usize,
    entries: &'a [Entry],
}

impl Validator {
    fn problem(&mut self, path: String, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            path,
            line,
            message: message.into(),
        });
    }

    fn warn(&mut self, path: String, line: Option<usize>, message: impl Into<String>) {
        self.warnings.push(Problem {
            path,
            line,
            message: message.into(),
        });
    }

    /// Every key and text value anywhere in the document (unknown keys, lists and
    /// `x-` anchors included) that holds a character [`invisible`] refuses.
    fn invisible(&mut self, node: &Node, path: &str, line: usize) {
        const WHY: &str = "a character that cannot be seen, or that changes how text is shown, would reach AWS as it is: delete it (retype the value if unsure)";
        match &node.value {
            Value::Scalar { text, .. } => {
                if let Some((at, c, what)) = invisible::find(text) {
                    let at = invisible::located(at, c, what);
                    self.problem(path.to_string(), Some(line), format!("holds {at}: {WHY}"));
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.invisible(item, path, item.line);
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    let inner = if path.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{path}.{}", e.key)
                    };
                    if let Some((at, c, what)) = invisible::find(&e.key) {
                        let at = invisible::located(at, c, what);
                        self.problem(
                            inner.clone(),
                            Some(e.key_line),
                            format!("the key holds {at}: {WHY}"),
                        );
                    }
                    self.invisible(&e.value, &inner, e.key_line);
                }
            }
            Value::Null => {}
        }
    }

    /// An optional key written with an empty value: not set, with a warning.
    fn warn_not_set(&mut self, s: &Setting) {
        let meaning = keys::when_not_set(&s.entry.key)
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        let what = if matches!(s.node.value, Value::Seq(_)) {
            "holds only empty values"
        } else {
            "is empty"
        };
        self.warn(
            s.path(),
            s.line(),
            format!("{what}: treated as not set{meaning}"),
        );
    }

    /// The value of an optional key: `None` when absent or empty (with a warning).
    fn given(&mut self, s: &Setting) -> Option<String> {
        let v = self.text(s);
        if v.is_none() && is_blank(s.node) {
            self.warn_not_set(s);
        }
        v
    }

    fn check(&mut self, s: &Setting, rule: Rule) {
        if let Err(reason) = rule {
            self.problem(s.path(), s.line(), reason);
        }
    }

    /// The text of a single value; `None` when empty ([`is_blank`]). Lists and maps
    /// are problems.
    fn text(&mut self, s: &Setting) -> Option<String> {
        match &s.node.value {
            Value::Scalar { text, .. } if text.trim().is_empty() => None,
            Value::Scalar { text, .. } => Some(text.trim().to_string()),
            Value::Null => None,
            _ => {
                let kind = s.node.kind();
                self.problem(
                    s.path(),
                    s.line(),
                    format!("must be a single value, not {kind}"),
                );
                None
            }
        }
    }

    fn config(&mut self, root: &Node) -> Option<Config> {
        let top = match &root.value {
            Value::Map(entries) => entries,
            Value::Null => {
                self.problem(
                    String::new(),
                    None,
                    "the config is empty: it needs a `common` map and a `stages` map",
                );
                return None;
            }
            _ => {
                let kind = root.kind();
                self.problem(
                    String::new(),
                    Some(root.line),
                    format!("the config must be a map with `common` and `stages`, not {kind}"),
                );
                return None;
            }
        };
        let mut common: &[Entry] = &[];
        let mut stages_node = None;
        for e in top {
            match e.key.as_str() {
                "common" => match &e.value.value {
                    Value::Map(entries) => common = entries,
                    Value::Null => {}
                    _ => self.problem(
                        "common".into(),
                        Some(e.key_line),
                        format!("must be a map of settings, not {}", e.value.kind()),
                    ),
                },
                "stages" => stages_node = Some(e),
                // `x-…` keys hold YAML anchors, as in compose files.
                other if other.starts_with("x-") => {}
                other => self.warn(
                    other.to_string(),
                    Some(e.key_line),
                    "unknown top-level key, ignored (settings belong under `common` or a stage)",
                ),
            }
        }
        let mut raw_stages = Vec::new();
        match stages_node {
            None => self.problem(
                "stages".into(),
                None,
                "is required: a map with at least one stage (for example `test` and `prod`)",
            ),
            Some(e) => match &e.value.value {
                Value::Map(entries) if entries.len() > MAX_STAGES => self.problem(
                    "stages".into(),
                    Some(e.key_line),
                    format!(
                        "has {} stages: at most {MAX_STAGES} (a CodePipeline pipeline has at most 50 stages, two of them Source and Build)",
                        entries.len()
                    ),
                ),
                Value::Map(entries) if !entries.is_empty() => {
                    for s in entries {
                        let body: &[Entry] = match &s.value.value {
                            Value::Map(body) => body,
                            Value::Null => &[],
                            _ => {
                                self.problem(
                                    format!("stages.{}", s.key),
                                    Some(s.key_line),
                                    format!("must be a map of settings, not {}", s.value.kind()),
                                );
                                &[]
                            }
                        };
                        raw_stages.push(RawStage {
                            name: &s.key,
                            scope_name: format!("stages.{}", s.key),
                            line: s.key_line,
                            entries: body,
                        });
                    }
                }
                _ => self.problem(
                    "stages".into(),
                    Some(e.key_line),
                    "must hold at least one stage (for example `test` and `prod`)",
                ),
            },
        }
        let common = scope(common, "common");
        let stage_scopes: Vec<Scope> = raw_stages
            .iter()
            .map(|r| scope(r.entries, &r.scope_name))
            .collect();
        for sc in std::iter::once(&common).chain(&stage_scopes) {
            for (key, s) in sc {
                if !keys::is_known(key) {
                    self.unknown
                        .push((key.to_string(), s.path(), s.entry.key_line));
                }
            }
        }

        // Stack-wide settings.
        let sw = |v: &mut Validator, key: &str| v.stack_wide(key, &common, &stage_scopes);
        let account = sw(self, "AWS_ACCOUNT");
        let region = sw(self, "AWS_REGION");
        let stack = sw(self, "TAG_STACK_NAME");
        let product = sw(self, "TAG_STACK_PRODUCT");
        let org = sw(self, "GITHUB_ORG");
        let app_repo = sw(self, "GITHUB_APP_REPO");
        let app_branch = sw(self, "GITHUB_APP_BRANCH");
        let infra_repo = sw(self, "GITHUB_INFRA_REPO");
        let infra_branch = sw(self, "GITHUB_INFRA_BRANCH");
        let conn = sw(self, "CODESTAR_CONN_ARN");
        let notify = sw(self, "CODESTAR_NOTIFY_ARN");
        let app_secret = sw(self, "GITHUB_APP_ARN");
        let ecr = sw(self, "ECR_REPO_NAME");
        let container = sw(self, "CONTAINER_NAME");
        let dockerfile = sw(self, "DOCKERFILE");
        let credentials_file = sw(self, "GITHUB_APP_CREDENTIALS_FILE");

        let account = self.required(
            account,
            "AWS_ACCOUNT",
            "the 12-digit account the stacks deploy to",
            rules::account,
        );
        let region_s = region;
        let region = self
            .optional(region_s, rules::region)
            .unwrap_or_else(|| keys::DEFAULT_REGION.into());
        let partition = names::partition(&region).to_string();
        let max_stack = names::ROLE_NAME_MAX - names::LONGEST_STACK_ROLE_SUFFIX.len();
        let stack_name = self.required(
            stack,
            "TAG_STACK_NAME",
            "the base name of the stacks and the `Name` tag",
            |v| rules::stack_name(v, max_stack),
        );
        let product = self
            .optional(product, |_| Ok(()))
            .unwrap_or_else(|| keys::DEFAULT_PRODUCT.into());
        let github = GitHub {
            org: self.required(
                org,
                "GITHUB_ORG",
                "the GitHub owner of both repositories",
                rules::github_name,
            ),
            app_repo: self.required(
                app_repo,
                "GITHUB_APP_REPO",
                "the repository of the Backstage app",
                rules::github_name,
            ),
            app_branch: self
                .optional(app_branch, rules::branch)
                .unwrap_or_else(|| keys::DEFAULT_BRANCH.into()),
            infra_repo: self.required(
                infra_repo,
                "GITHUB_INFRA_REPO",
                "the repository holding this config",
                rules::github_name,
            ),
            infra_branch: self
                .optional(infra_branch, rules::branch)
                .unwrap_or_else(|| keys::DEFAULT_BRANCH.into()),
        };
        let cx = rules::ArnContext {
            partition: &partition,
            region: if rules::region(&region).is_ok() {
                &region
            } else {
                ""
            },
            account: if rules::account(&account).is_ok() {
                &account
            } else {
                ""
            },
        };
        let connection_arn = match conn {
            None if self.options.connection_optional => String::new(),
            Some(s) if self.options.connection_optional && is_blank(s.node) => {
                self.warn(
                    s.path(),
                    s.line(),
                    "is empty: treated as not set (bs-bootstrap creates the connection)",
                );
                String::new()
            }
            _ => self.required_arn(conn, "CODESTAR_CONN_ARN", &rules::CONNECTION, &cx),
        };
        let notify_arn = notify.and_then(|s| {
            let v = self.given(&s)?;
            self.check_arn(&s, &v, &rules::CHATBOT, &cx);
            Some(v)
        });
        let github_app_secret_arn =
            self.required_arn(app_secret, "GITHUB_APP_ARN", &rules::SECRET, &cx);
        let container_name = self
            .optional(container, rules::container_name)
            .unwrap_or_else(|| keys::DEFAULT_CONTAINER_NAME.into());
        let ecr_repo_name = self.optional(ecr, rules::ecr_repository);
        if ecr_repo_name.is_none() {
            if let Err(reason) = rules::ecr_repository(&container_name) {
                self.problem(
                    "common.CONTAINER_NAME".into(),
                    None,
                    format!("names the ECR repository (which bs-bootstrap creates) when ECR_REPO_NAME is absent: {reason}; set ECR_REPO_NAME or use a lowercase CONTAINER_NAME"),
                );
            }
        }
        let dockerfile = self
            .optional(dockerfile, |_| Ok(()))
            .unwrap_or_else(|| keys::DEFAULT_DOCKERFILE.into());
        let github_app_credentials_file = self
            .optional(credentials_file, rules::repository_file)
            .unwrap_or_else(|| keys::DEFAULT_GITHUB_APP_CREDENTIALS_FILE.into());

        // Keys set in common that only make sense per stage are fine (they are
        // defaults); the ignored ones deserve a word.
        for (key, by) in keys::IGNORED {
            for s in common
                .get(key)
                .into_iter()
                .chain(stage_scopes.iter().filter_map(|sc| sc.get(key)))
                .filter(|s| !is_blank(s.node))
            {
                self.warn(
                    s.path(),
                    s.line(),
                    format!("is ignored: the toolkit always sets it to {by}"),
                );
            }
        }

        let mut stages = Vec::new();
        for (raw, own) in raw_stages.iter().zip(&stage_scopes) {
            if let Some(stage) = self.stage(raw, &common, own, &account, &region, &stack_name) {
                stages.push(stage);
            }
        }
        self.cross_stage(&stages, &raw_stages);
        Some(Config {
            account,
            region,
            partition,
            stack_name,
            product,
            github,
            connection_arn,
            notify_arn,
            github_app_secret_arn,
            ecr_repo_name,
            container_name,
            dockerfile,
            github_app_credentials_file,
            stages,
        })
    }

    /// A stack-wide key: `common`'s value, or the value every stage agrees on. An
    /// empty value is "not set": it neither sets the key nor clashes with another
    /// value; when every value is empty, the first is returned for the caller to
    /// report.
    fn stack_wide<'a>(
        &mut self,
        key: &str,
        common: &Scope<'a>,
        stages: &[Scope<'a>],
    ) -> Option<Setting<'a>> {
        let written: Vec<Setting<'a>> = common
            .get(key)
            .into_iter()
            .chain(stages.iter().filter_map(|sc| sc.get(key)))
            .copied()
            .collect();
        let chosen = written
            .iter()
            .find(|s| !is_blank(s.node))
            .or(written.first())
            .copied()?;
        for s in &written {
            if std::ptr::eq(s.entry, chosen.entry) {
                continue;
            }
            if is_blank(s.node) {
                if !is_blank(chosen.node) {
                    self.warn(
                        s.path(),
                        s.line(),
                        format!("is empty: treated as not set ({} applies)", chosen.path()),
                    );
                }
            } else if scalar(chosen.node) != scalar(s.node) || chosen.node.kind() != s.node.kind() {
                self.problem(
                    s.path(),
                    s.line(),
                    format!(
                        "is stack-wide and must be the same for every stage (one stack holds all stages), but {} is `{}` and this is `{}`",
                        chosen.path(),
                        scalar(chosen.node).unwrap_or("…"),
                        scalar(s.node).unwrap_or("…")
                    ),
                );
            }
        }
        Some(chosen)
    }

    fn optional(&mut self, s: Option<Setting>, rule: impl Fn(&str) -> Rule) -> Option<String> {
        let s = s?;
        let v = self.given(&s)?;
        self.check(&s, rule(&v));
        Some(v)
    }

    /// A key that must have a value: absent or empty, it is a problem.
    fn required(
        &mut self,
        s: Option<Setting>,
        key: &str,
        what: &str,
        rule: impl Fn(&str) -> Rule,
    ) -> String {
        match s {
            None => {
                let hint = self.did_you_mean(key);
                self.problem(
                    format!("common.{key}"),
                    None,
                    format!("is required: {what}{hint}"),
                );
                String::new()
            }
            Some(s) => match self.text(&s) {
                Some(v) => {
                    self.check(&s, rule(&v));
                    v
                }
                None => {
                    if is_blank(s.node) {
                        self.problem(
                            s.path(),
                            s.line(),
                            format!("is required: {what}; got an empty value"),
                        );
                    }
                    String::new()
                }
            },
        }
    }

    /// For a required key that is absent: the unknown keys that look like it.
    fn did_you_mean(&self, key: &str) -> String {
        let similar: Vec<String> = self
            .unknown
            .iter()
            .filter(|(k, _, _)| looks_like(k, key))
            .map(|(_, path, line)| format!("{path} (line {line})"))
            .collect();
        if similar.is_empty() {
            return String::new();
        }
        format!(
            "; {} {} not a key of the toolkit but a container environment variable: is it meant to be {key}?",
            similar.join(" and "),
            if similar.len() == 1 { "is" } else { "are" }
        )
    }

    /// Reports each wrong part of an ARN (errors), and what is allowed but
    /// deserves a word (warnings).
    fn check_arn(&mut self, s: &Setting, v: &str, kind: &rules::ArnKind, cx: &rules::ArnContext) {
        let found = rules::check_arn(v, kind, cx);
        for e in found.errors {
            self.problem(s.path(), s.line(), e);
        }
        for w in found.warnings {
            self.warn(s.path(), s.line(), w);
        }
    }

    fn required_arn(
        &mut self,
        s: Option<Setting>,
        key: &str,
        kind: &rules::ArnKind,
        cx: &rules::ArnContext,
    ) -> String {
        let what = format!("the ARN of {}", kind.what);
        let v = self.required(s, key, &what, |_| Ok(()));
        if let (Some(s), false) = (s, v.is_empty()) {
            self.check_arn(&s, &v, kind, cx);
        }
        v
    }

    /// A secret given by name, or by ARN (which ECS takes only complete).
    fn secret(&mut self, s: Option<Setting>, cx: &rules::ArnContext) -> Option<String> {
        let s = s?;
        let v = self.given(&s)?;
        if v.starts_with("arn:") {
            self.check_arn(&s, &v, &rules::CONTAINER_SECRET, cx);
        } else {
            self.check(&s, rules::secret_name(&v));
        }
        Some(v)
    }

    fn port(&mut self, s: Option<Setting>, default: u16) -> u16 {
        let Some(s) = s else { return default };
        let Some(v) = self.given(&s) else {
            return default;
        };
        match rules::port(&v) {
            Ok(p) => p,
            Err(reason) => {
                self.problem(s.path(), s.line(), reason);
                default
            }
        }
    }

    fn boolean(&mut self, s: Option<Setting>) -> bool {
        let Some(s) = s else { return false };
        if is_blank(s.node) {
            self.warn_not_set(&s);
            return false;
        }
        match &s.node.value {
            Value::Scalar { text, plain: true } if rules::boolean(text).is_some() => {
                rules::boolean(text).unwrap_or(false)
            }
            Value::Scalar { text, plain: false } if rules::boolean(text).is_some() => {
                self.problem(s.path(), s.line(), format!("must be a boolean, not the quoted string \"{text}\": write true or false without quotes"));
                false
            }
            _ => {
                let shown = scalar(s.node).unwrap_or(s.node.kind()).to_string();
                self.problem(
                    s.path(),
                    s.line(),
                    format!("must be true or false, got `{shown}`"),
                );
                false
            }
        }
    }

    /// A list of addresses, or one string of them separated by commas, semicolons
    /// or blanks. Empty entries are skipped; with no address at all the key is not
    /// set.
    /// CONTAINER_ENV_KEYS: a list of key names (or one comma-separated value).
    fn key_list(&mut self, s: Option<Setting>) -> Vec<String> {
        let Some(s) = s else { return Vec::new() };
        match &s.node.value {
            Value::Null => Vec::new(),
            Value::Scalar { text, .. } => text
                .split([',', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            Value::Seq(nodes) => nodes
                .iter()
                .filter_map(scalar)
                .map(|t| t.trim().to_string())
                .collect(),
            Value::Map(_) => {
                self.problem(s.path(), s.line(), "must list key names, not a map");
                Vec::new()
            }
        }
    }

    fn emails(&mut self, s: Option<Setting>) -> Vec<String> {
        let Some(s) = s else { return Vec::new() };
        // (address, its line)
        let items: Vec<(String, usize)> = match &s.node.value {
            Value::Null => Vec::new(),
            Value::Scalar { text, .. } => text
                .split([',', ';', ' ', '\n'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| (t.to_string(), s.node.line))
                .collect(),
            Value::Seq(nodes) => {
                let mut out = Vec::new();
                for n in nodes {
                    match scalar(n) {
                        _ if is_blank(n) => {
                            if nodes.iter().any(|n| !is_blank(n)) {
                                self.warn(s.path(), Some(n.line), "has an empty entry: ignored");
                            }
                        }
                        Some(t) => out.push((t.trim().to_string(), n.line)),
                        None => self.problem(
                            s.path(),
                            Some(n.line),
                            format!("must list e-mail addresses, found {}", n.kind()),
                        ),
                    }
                }
                out
            }
            Value::Map(_) => {
                self.problem(
                    s.path(),
                    s.line(),
                    "must be a list of e-mail addresses, not a map",
                );
                return Vec::new();
            }
        };
        let only_blanks = match &s.node.value {
            Value::Seq(nodes) => nodes.iter().all(is_blank),
            _ => items.is_empty(),
        };
        if only_blanks {
            self.warn_not_set(&s);
        }
        for (e, line) in &items {
            if let Err(reason) = rules::email(e) {
                self.problem(s.path(), Some(*line), reason);
            }
        }
        items.into_iter().map(|(e, _)| e).collect()
    }

    fn stage(
        &mut self,
        raw: &RawStage,
        common: &Scope,
        own: &Scope,
        account: &str,
        region: &str,
        stack: &str,
    ) -> Option<Stage> {
        let scope_path = raw.scope_name.clone();
        if let Err(reason) = rules::stage_name(raw.name) {
            self.problem(scope_path.clone(), Some(raw.line), reason);
        }
        if !stack.is_empty()
            && names::roles::execution(stack, raw.name).len() > names::ROLE_NAME_MAX
        {
            self.problem(
                scope_path.clone(),
                Some(raw.line),
                format!(
                    "TAG_STACK_NAME and the stage name together are too long: the role `{}` would exceed {} characters",
                    names::roles::execution(stack, raw.name),
                    names::ROLE_NAME_MAX
                ),
            );
        }
        // Each stage gets `common` plus its own keys: nothing from another stage.
        let mut merged: Scope = common.clone();
        for (k, v) in own {
            merged.insert(k, *v);
        }
        let get = |key: &str| merged.get(key).copied();
        let partition = names::partition(region);
        let cx = rules::ArnContext {
            partition,
            region: if rules::region(region).is_ok() {
                region
            } else {
                ""
            },
            account: if rules::account(account).is_ok() {
                account
            } else {
                ""
            },
        };

        let host_name = self
            .optional(get("HOST_NAME"), |v| rules::dns_name(v, 1))
            .unwrap_or_else(|| keys::DEFAULT_HOST_NAME.into());
        let domain_name = match get("DOMAIN_NAME") {
            None => {
                let hint = self.did_you_mean("DOMAIN_NAME");
                self.problem(format!("{scope_path}.DOMAIN_NAME"), None, format!("is required: the Route 53 hosted zone of the stage's URL; set it in `common` or in this stage{hint}"));
                String::new()
            }
            Some(s) => self.required(
                Some(s),
                "DOMAIN_NAME",
                "the Route 53 hosted zone of the stage's URL",
                |v| rules::dns_name(v, 2),
            ),
        };
        let hosted_zone_id = get("HOSTED_ZONE_ID").and_then(|s| {
            let v = self.given(&s)?;
            match rules::hosted_zone_id(&v) {
                Ok(id) => Some(id),
                Err(reason) => {
                    self.problem(s.path(), s.line(), reason);
                    None
                }
            }
        });
        let acm_arn = get("ACM_ARN").and_then(|s| {
            let v = self.given(&s)?;
            self.check_arn(&s, &v, &rules::ACM_CERTIFICATE, &cx);
            Some(v)
        });
        let container_port = self.port(get("CONTAINER_PORT"), keys::DEFAULT_CONTAINER_PORT);
        let postgres_port = self.port(get("POSTGRES_PORT"), keys::DEFAULT_POSTGRES_PORT);
        let health_check_path = self
            .optional(get("HEALTH_CHECK_PATH"), rules::health_check_path)
            .unwrap_or_else(|| keys::DEFAULT_HEALTH_CHECK_PATH.into());
        let log_retention_days = match get("LOG_RETENTION_DAYS") {
            None => keys::DEFAULT_LOG_RETENTION_DAYS,
            Some(s) => match self.given(&s).map(|v| rules::log_retention(&v)) {
                Some(Ok(days)) => days,
                Some(Err(reason)) => {
                    self.problem(s.path(), s.line(), reason);
                    keys::DEFAULT_LOG_RETENTION_DAYS
                }
                None => keys::DEFAULT_LOG_RETENTION_DAYS,
            },
        };
        let postgres_user = self
            .optional(get("POSTGRES_USER"), rules::postgres_identifier)
            .unwrap_or_else(|| keys::DEFAULT_POSTGRES_USER.into());
        let postgres_db = self.optional(get("POSTGRES_DB"), rules::postgres_identifier);
        let postgres_engine_version = self
            .optional(get("POSTGRES_ENGINE_VERSION"), rules::engine_version)
            .unwrap_or_else(|| keys::DEFAULT_POSTGRES_ENGINE_VERSION.into());
        let aws_auth_secret = self.secret(get("AWS_AUTH_SECRET_NAME"), &cx);
        let github_auth_secret = self.secret(get("GITHUB_AUTH_SECRET_NAME"), &cx);
        let github_token_secret = self.secret(get("GITHUB_TOKEN_SECRET_NAME"), &cx);
        let approval = self.boolean(get("STAGE_APPROVAL"));
        let approval_emails = self.emails(get("APPROVAL_EMAILS"));
        if !approval && !approval_emails.is_empty() {
            if let Some(s) = get("APPROVAL_EMAILS") {
                self.warn(
                    s.path(),
                    s.line(),
                    "has no effect: STAGE_APPROVAL is not true for this stage",
                );
            }
        }

        let as_is = self.key_list(get("CONTAINER_ENV_KEYS"));
        let mut env = BTreeMap::new();
        for (key, s) in &merged {
            if keys::is_known(key) {
                continue;
            }
            if !is_env_name(key) {
                self.problem(
                    s.path(),
                    s.line(),
                    "is not usable as an environment variable name: letters, digits, `_`, `.` and `-`, not starting with a digit",
                );
                continue;
            }
            if let Some(meant) = keys::misspelt(key).filter(|_| !as_is.iter().any(|k| k == key)) {
                self.problem(
                    s.path(),
                    s.line(),
                    format!("is not a key of the toolkit: did you mean {meant}? (as written it would only become a container environment variable; if that is what you want, list it in CONTAINER_ENV_KEYS)"),
                );
                continue;
            }
            let value = match &s.node.value {
                Value::Scalar { text, .. } => text.clone(),
                Value::Null => String::new(),
                _ => {
                    self.problem(s.path(), s.line(), format!("is passed to the container as an environment variable and must be a single value, not {}", s.node.kind()));
                    continue;
                }
            };
            if let Some((_, by)) = keys::SECRET_ENV.iter().find(|(name, _)| name == key) {
                let configured = match *by {
                    "GITHUB_AUTH_SECRET_NAME" => github_auth_secret.is_some(),
                    "AWS_AUTH_SECRET_NAME" => aws_auth_secret.is_some(),
                    _ => github_token_secret.is_some(),
                };
                if configured {
                    self.problem(s.path(), s.line(), format!("clashes with the container secret of the same name that {by} provides; remove it"));
                    continue;
                }
            }
            if keys::looks_secret(key) && !value.is_empty() {
                self.warn(
                    s.path(),
                    s.line(),
                    "looks like a secret but is a plain environment variable, visible in the template and the ECS console; keep it in Secrets Manager instead",
                );
            }
            env.insert(key.to_string(), value);
        }

        Some(Stage {
            name: raw.name.to_string(),
            id: names::logical_part(raw.name),
            host_name,
            domain_name,
            hosted_zone_id,
            acm_arn,
            container_port,
            health_check_path,
            log_retention_days,
            postgres_port,
            postgres_user,
            postgres_db,
            postgres_engine_version,
            aws_auth_secret,
            github_auth_secret,
            github_token_secret,
            approval,
            approval_emails,
            env,
        })
    }

    fn cross_stage(&mut self, stages: &[Stage], raw: &[RawStage]) {
        let mut seen_fqdn: BTreeMap<String, &str> = BTreeMap::new();
        let mut seen_id: BTreeMap<String, &str> = BTreeMap::new();
        let mut seen_zone: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for (s, r) in stages.iter().zip(raw) {
            if s.domain_name.is_empty() {
                continue;
            }
            let fqdn = s.fqdn();
            if let Some(other) = seen_fqdn.get(&fqdn) {
                self.problem(
                    format!("{}.HOST_NAME", r.scope_name),
                    None,
                    format!("the stage's URL `{fqdn}` is also stage `{other}`'s: HOST_NAME.DOMAIN_NAME must differ between stages"),
                );
            } else {
                seen_fqdn.insert(fqdn.clone(), &s.name);
            }
            if s.acm_arn.is_none() && fqdn.len() > 64 {
                self.problem(
                    format!("{}.HOST_NAME", r.scope_name),
                    None,
                    format!("`{fqdn}` is longer than the 64 characters ACM allows for a certificate's domain name; shorten it or give ACM_ARN"),
                );
            }
            let id = s.id.to_ascii_lowercase();
            if let Some(other) = seen_id.get(&id) {
                self.problem(r.scope_name.clone(), Some(r.line), format!("stage names `{}` and `{other}` differ only in case or dashes; they would share CloudFormation logical ids", s.name));
            } else {
                seen_id.insert(id, &s.name);
            }
            if let Some(zone) = &s.hosted_zone_id {
                match seen_zone.get(s.domain_name.as_str()) {
                    Some((other_zone, other)) if other_zone != zone => self.problem(
                        format!("{}.HOSTED_ZONE_ID", r.scope_name),
                        None,
                        format!("`{zone}` differs from stage `{other}`'s `{other_zone}` for the same DOMAIN_NAME `{}`", s.domain_name),
                    ),
                    _ => {
                        seen_zone.insert(&s.domain_name, (zone, &s.name));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
