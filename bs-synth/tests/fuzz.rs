//! Fuzz (property) tests of what reads input: the YAML loader, the config
//! validator and the synthesis of every stack; the assembly reader
//! (`Assembly::from_json`, what bs-deploy reads stdin and manifests with) and
//! the assembly check (`bs_core::assembly_check::problems`, what bs-deploy runs
//! before its first AWS call).
//!
//! Each case mutates a real input (every config of `configs/`, `tests/configs/`
//! and the reference fixtures; the assemblies they synthesize) with a small
//! deterministic generator, and checks: no panic; every error is a message; a
//! config that loads synthesizes the same bytes twice, holds no invisible
//! character anywhere, and gives an assembly bs-deploy accepts.
//!
//! The default number of cases keeps the two tests to a few seconds each in a
//! debug build; run longer with
//! `BS_FUZZ_CASES=100000 cargo test --release -p bs-synth --test fuzz`.
//! `BS_FUZZ_SEED` picks other cases; a failure prints the case's seed and
//! input, and `BS_FUZZ_SEED=<that seed> BS_FUZZ_CASES=1` runs that case alone.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use bs_core::assembly::Assembly;
use bs_core::assembly_check::problems;
use bs_core::config::{self, invisible, keys, Config, Options};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Cases per test when BS_FUZZ_CASES is not set.
const CONFIG_CASES: usize = 1500;
const ASSEMBLY_CASES: usize = 1000;
const DEFAULT_SEED: u64 = 0x6273_2d66_757a_7a31;

/// splitmix64: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The number of cases and the first case's seed; case `i` uses
/// `seed + i * GOLDEN` so that case 0's seed is `BS_FUZZ_SEED` itself.
fn plan(default_cases: usize) -> (usize, u64) {
    let cases = std::env::var("BS_FUZZ_CASES")
        .ok()
        .map(|v| v.parse().expect("BS_FUZZ_CASES: a number of cases"))
        .unwrap_or(default_cases);
    let seed = std::env::var("BS_FUZZ_SEED")
        .ok()
        .map(|v| {
            let v = v.trim();
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            }
            .expect("BS_FUZZ_SEED: a number (decimal or 0x…)")
        })
        .unwrap_or(DEFAULT_SEED);
    (cases, seed)
}

fn case_seed(seed: u64, i: usize) -> u64 {
    seed.wrapping_add((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Written before each case, removed when the test passes: if a case aborts the
/// process (a stack overflow cannot be caught), this file names its seed.
fn last_case_file(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{test}-last-case.txt"))
}

/// Runs `cases` cases: `make` makes an input (and says how), `check` checks
/// it. Stops at the first failure (a panic or a broken property), naming the
/// case's seed, its mutations and its input.
fn run<C>(
    test: &str,
    default_cases: usize,
    mut make: impl FnMut(&mut Rng) -> (Vec<u8>, Vec<String>, C),
    mut check: impl FnMut(&[u8], &C) -> Result<(), String>,
) {
    let (cases, seed) = plan(default_cases);
    let marker = last_case_file(test);
    let start = Instant::now();
    for i in 0..cases {
        let s = case_seed(seed, i);
        std::fs::write(
            &marker,
            format!("{test}: case {i}, BS_FUZZ_SEED=0x{s:016x} BS_FUZZ_CASES=1\n"),
        )
        .unwrap();
        let (input, steps, context) = make(&mut Rng(s));
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input, &context)))
            .unwrap_or_else(|_| Err("panicked (the message is above)".into()));
        if let Err(why) = outcome {
            let input_text = if input.len() <= 16 * 1024 {
                format!("{:?}", String::from_utf8_lossy(&input))
            } else {
                let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("fuzz-{test}-failed-input"));
                std::fs::write(&file, &input).unwrap();
                format!("{} bytes, written to {}", input.len(), file.display())
            };
            panic!(
                "{test}: case {i} failed: {why}\n  alone: BS_FUZZ_SEED=0x{s:016x} BS_FUZZ_CASES=1 cargo test -p bs-synth --test fuzz {test}\n  mutations: {}\n  input: {input_text}",
                steps.join("; ")
            );
        }
    }
    let _ = std::fs::remove_file(&marker);
    eprintln!(
        "{test}: {cases} cases from BS_FUZZ_SEED=0x{seed:016x} in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// Byte mutations, shared by both tests.

/// Text that YAML (and JSON) readers treat specially, or that is large.
fn token(rng: &mut Rng) -> Vec<u8> {
    const TOKENS: &[&str] = &[
        "&a ",
        "*a",
        "&b ",
        "*b",
        "<<: *a",
        "<<: ",
        "<<: [*a, *b]",
        "---\n",
        "...\n",
        "[",
        "]",
        "{",
        "}",
        ": ",
        ":",
        "- ",
        "? ",
        ",",
        "!!",
        "!!str ",
        "!!int ",
        "!!binary ",
        "!!map ",
        "!<tag:yaml.org,2002:str> ",
        "!local ",
        "%YAML 1.2\n",
        "%TAG ! tag:example.com,2000:\n",
        "#",
        "\"",
        "'",
        "|",
        "|-\n",
        ">+\n",
        "\\",
        "\t",
        "\r",
        "\r\n",
        "\n",
        "  ",
        "~",
        "null",
        "true",
        ".nan",
        "-.inf",
        "0x1F",
        "1e400",
        "99999999999999999999",
        "\u{feff}",
        "\u{200b}",
        "\u{202e}",
        "\u{2066}",
        "\u{85}",
        "\u{2028}",
        "\0",
        "\x01",
        "\x7f",
        "é",
        "💥",
        "\\u200b",
        "\\0",
        "\\x07",
        "\"\\ud800\"",
        "x-a: &a {A: 1}\n",
        "a: &a [*a]\n",
        "null: 1\n",
        "? [a]\n: b\n",
    ];
    match rng.below(10) {
        0 => "x".repeat(1 + rng.below(20_000)).into_bytes(),
        1 => {
            let depth = 1 + rng.below(200);
            let (open, close) = if rng.one_in(2) {
                ("[", "]")
            } else {
                ("{a: ", "}")
            };
            format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
        }
        _ => rng.pick(TOKENS).as_bytes().to_vec(),
    }
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < bytes.len())
        .collect()
}

/// The byte range of line `n` (its newline included).
fn line_range(bytes: &[u8], starts: &[usize], n: usize) -> std::ops::Range<usize> {
    let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
    starts[n]..end
}

/// One mutation of `bytes`; `others` are other inputs to splice from. Returns
/// what it did.
fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>, others: &[&[u8]]) -> String {
    let at = |rng: &mut Rng, bytes: &Vec<u8>| rng.below(bytes.len() + 1);
    match rng.below(9) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            let bit = rng.below(8);
            bytes[i] ^= 1 << bit;
            format!("flip bit {bit} of byte {i}")
        }
        1 => {
            let i = at(rng, bytes);
            let b = rng.next() as u8;
            bytes.insert(i, b);
            format!("insert byte {b:#04x} at {i}")
        }
        2 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            let n = (1 + rng.below(16)).min(bytes.len() - i);
            bytes.drain(i..i + n);
            format!("delete {n} bytes at {i}")
        }
        3 | 4 => {
            let i = at(rng, bytes);
            let t = token(rng);
            let shown = String::from_utf8_lossy(&t[..t.len().min(24)]).to_string();
            bytes.splice(i..i, t.iter().copied());
            format!("insert {shown:?} ({} bytes) at {i}", t.len())
        }
        5 => {
            let starts = line_starts(bytes);
            if starts.is_empty() {
                return "nothing".into();
            }
            let n = rng.below(starts.len());
            let r = line_range(bytes, &starts, n);
            let line = bytes[r.clone()].to_vec();
            let times = 1 + rng.below(3);
            for _ in 0..times {
                bytes.splice(r.end..r.end, line.iter().copied());
            }
            format!("duplicate line {} {times} times", n + 1)
        }
        6 => {
            let starts = line_starts(bytes);
            if starts.is_empty() {
                return "nothing".into();
            }
            let n = rng.below(starts.len());
            let r = line_range(bytes, &starts, n);
            bytes.drain(r);
            format!("delete line {}", n + 1)
        }
        7 => {
            // Lines of another input in place of some of these.
            let other = *rng.pick(others);
            let theirs = line_starts(other);
            let ours = line_starts(bytes);
            if theirs.is_empty() || ours.is_empty() {
                return "nothing".into();
            }
            let from = rng.below(theirs.len());
            let to = (from + 1 + rng.below(8)).min(theirs.len());
            let taken = other[theirs[from]..line_range(other, &theirs, to - 1).end].to_vec();
            let n = rng.below(ours.len());
            let k = (1 + rng.below(4)).min(ours.len() - n);
            let r = starts_to_range(bytes, &ours, n, k);
            bytes.splice(r, taken);
            format!(
                "lines {}..{} of another input for lines {}..{}",
                from + 1,
                to,
                n + 1,
                n + k
            )
        }
        _ => {
            // Swap two lines.
            let starts = line_starts(bytes);
            if starts.len() < 2 {
                return "nothing".into();
            }
            let a = rng.below(starts.len());
            let b = rng.below(starts.len());
            let (a, b) = (a.min(b), a.max(b));
            if a == b {
                return "nothing".into();
            }
            let ra = line_range(bytes, &starts, a);
            let rb = line_range(bytes, &starts, b);
            let mut out = bytes[..ra.start].to_vec();
            out.extend_from_slice(&bytes[rb.clone()]);
            out.extend_from_slice(&bytes[ra.end..rb.start]);
            out.extend_from_slice(&bytes[ra.clone()]);
            out.extend_from_slice(&bytes[rb.end..]);
            *bytes = out;
            format!("swap lines {} and {}", a + 1, b + 1)
        }
    }
}

fn starts_to_range(bytes: &[u8], starts: &[usize], n: usize, k: usize) -> std::ops::Range<usize> {
    starts[n]..line_range(bytes, starts, n + k - 1).end
}

// ---------------------------------------------------------------------------
// The config: YAML loader, validator, synthesis.

/// Values that exercise the validator's rules.
const VALUES: &[&str] = &[
    "",
    "''",
    "\"\"",
    "~",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    "- a\n      - b",
    "|\n      block\n      text",
    ">-\n      folded",
    "true",
    "\"true\"",
    "yes",
    "off",
    "0",
    "-1",
    "7007",
    "65536",
    "99999999999999999999",
    "1e400",
    ".nan",
    "0o17",
    "1_000",
    "17.7",
    "365",
    "364",
    "us-east-1",
    "us-east-9",
    "cn-north-1",
    "us-gov-west-1",
    "EU-WEST-1",
    "mars-1",
    "\"123456789012\"",
    "123456789012",
    "012345678901",
    "example.com",
    "Example.COM",
    "a..b",
    "backstage",
    "back_stage",
    "/healthcheck",
    "/x y",
    "ops@example.com",
    "ops@example.com, dev@example.com",
    "Z0123456789ABCDEFGHIJ",
    "/hostedzone/Z1",
    "team/backstage",
    "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "arn:aws:codeconnections:us-east-1:123456789012:connection/x",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf",
    "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/x",
    "arn:aws:chatbot::123456789012:chat-configuration/microsoft-teams-channel/x",
    "arn:aws-cn:acm:cn-north-1:123456789012:certificate/x",
    "arn:aws:s3:::bucket",
    "arn:",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:a\u{200b}b-AbCdEf",
    "\"a\\u202eb\"",
    "\"a\\0b\"",
    "\"a\\tb\"",
    "é",
    "💥",
    "&v x",
    "*v",
    "!!str 5",
    "!!binary aGk=",
    "'it''s'",
    "\"\\\"\"",
    "a b c",
    "-",
    "x-y",
    "&a [1, 2]",
    "*a",
];

/// Keys: the toolkit's, lookalikes, container variables, odd ones.
fn a_key(rng: &mut Rng) -> String {
    const ODD: &[&str] = &[
        "NODE_ENV",
        "STAGE_APROVAL",
        "aws_region",
        "HOST_NAMES",
        "GITHUB_TOKEN",
        "AUTH_GITHUB_CLIENT_ID",
        "APP_PASSWORD",
        "1ST",
        "A B",
        "\"TAB\\tKEY\"",
        "x-anchors",
        "<<",
        "common",
        "stages",
        "prod",
        "test",
        "dev-eu",
        "new-stage",
        "\"\"",
        "~",
        "? complex",
        "NODE\u{200b}_ENV",
    ];
    match rng.below(3) {
        0 => rng.pick(keys::STACK_WIDE).to_string(),
        1 => rng.pick(keys::PER_STAGE).to_string(),
        _ => rng.pick(ODD).to_string(),
    }
}

/// A mutation that keeps the document mostly valid YAML, so that it reaches
/// the validator and synthesis: a value replaced, a key line added, a stage
/// added.
fn mutate_config(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let starts = line_starts(bytes);
    if starts.is_empty() {
        return "nothing".into();
    }
    let n = rng.below(starts.len());
    let r = line_range(bytes, &starts, n);
    let line = String::from_utf8_lossy(&bytes[r.clone()]).to_string();
    let indent = line.len() - line.trim_start_matches(' ').len();
    match rng.below(5) {
        0 => {
            // `KEY: value` → `KEY: <value>`
            let Some(colon) = line
                .find(": ")
                .or_else(|| line.trim_end().strip_suffix(':').map(|l| l.len()))
            else {
                return "nothing".into();
            };
            let value = rng.pick(VALUES);
            let new = format!("{}: {value}\n", &line[..colon]);
            bytes.splice(r, new.bytes());
            format!("line {}: value {value:?}", n + 1)
        }
        1 | 2 => {
            // A key line after this one, at its indentation.
            let key = a_key(rng);
            let value = rng.pick(VALUES);
            let new = format!("{}{key}: {value}\n", " ".repeat(indent));
            bytes.splice(r.end..r.end, new.bytes());
            format!("after line {}: {key:?}: {value:?}", n + 1)
        }
        3 => {
            // A container variable in `common`: any text goes into the templates.
            let Some(common) = starts
                .iter()
                .position(|&i| bytes[i..].starts_with(b"common:"))
            else {
                return "nothing".into();
            };
            let at = line_range(bytes, &starts, common).end;
            let key = format!("X_{}", rng.below(1000));
            let value = rng.pick(VALUES);
            let new = format!("  {key}: {value}\n");
            bytes.splice(at..at, new.bytes());
            format!("common.{key}: {value:?}")
        }
        _ => {
            // One stage more, at the end (the configs end in their stages).
            let name = format!("s{}", rng.below(100));
            let new = format!("\n  {name}:\n    HOST_NAME: h{}\n", rng.below(100));
            bytes.extend_from_slice(new.as_bytes());
            format!("a stage {name}")
        }
    }
}

fn seed_configs() -> Vec<(String, Vec<u8>)> {
    let mut paths = common::config_paths();
    let fixtures = common::repo_root().join("bs-core/tests/fixtures/reference");
    let mut more: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    more.sort();
    paths.extend(more);
    paths
        .into_iter()
        .map(|p| (shorter(&p), std::fs::read(&p).unwrap()))
        .collect()
}

/// `path` from the repository's root.
fn shorter(path: &Path) -> String {
    let root = common::repo_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The first string (or key) anywhere in `v` holding a character the config
/// refuses.
fn invisible_in(v: &Value) -> Option<String> {
    let bad = |s: &str| invisible::find(s).map(|_| invisible::shown(s));
    match v {
        Value::String(s) => bad(s),
        Value::Array(items) => items.iter().find_map(invisible_in),
        Value::Object(m) => m
            .iter()
            .find_map(|(k, v)| bad(k).or_else(|| invisible_in(v))),
        _ => None,
    }
}

fn bodies(a: &Assembly) -> Vec<String> {
    a.stacks
        .iter()
        .map(|s| {
            s.template
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default()
        })
        .collect()
}

/// The properties of one config input; `Ok(true)` when it loaded. A config
/// already in `synthesized` (a mutation in a comment, say) is not synthesized
/// again.
fn check_config(
    bytes: &[u8],
    options: Options,
    file: &Path,
    via_file: bool,
    synthesized: &mut Vec<Config>,
) -> Result<bool, String> {
    let loaded = match std::str::from_utf8(bytes) {
        Ok(text) if !via_file => config::parse_with(text, "fuzz.yaml", options),
        _ => {
            std::fs::write(file, bytes).unwrap();
            config::load_with(file, options)
        }
    };
    let loaded = match loaded {
        Err(e) => {
            if e.problems.is_empty() {
                return Err("refused without a problem".into());
            }
            let shown = e.to_string();
            for p in e.problems.iter().chain(&e.warnings) {
                if p.message.trim().is_empty() {
                    return Err(format!("a problem without a message: {p:?}"));
                }
            }
            if let Some(c) = shown.chars().find(|c| invisible::describe(*c).is_some()) {
                return Err(format!(
                    "the error shows U+{:04X} as it is: {shown:?}",
                    u32::from(c)
                ));
            }
            return Ok(false);
        }
        Ok(l) => l,
    };
    for w in &loaded.warnings {
        if w.message.trim().is_empty() {
            return Err(format!("a warning without a message: {w:?}"));
        }
    }
    let c = &loaded.config;
    if synthesized.contains(c) {
        return Ok(true);
    }
    if synthesized.len() == 256 {
        synthesized.remove(0);
    }
    synthesized.push(c.clone());
    let first = bs_synth::assembly(c);
    let second = bs_synth::assembly(c);
    let text = serde_json::to_string(&first).unwrap();
    if text != serde_json::to_string(&second).unwrap() {
        return Err("two syntheses of one config differ".into());
    }
    if let Some(s) = invisible_in(&serde_json::to_value(&first).unwrap()) {
        return Err(format!("an invisible character reached the assembly: {s}"));
    }
    match Assembly::from_json(&text) {
        Ok(read) if read == first => {}
        Ok(_) => return Err("the assembly reads back differently".into()),
        Err(e) => return Err(format!("bs-deploy cannot read the assembly: {e}")),
    }
    if bs_synth::synth::limit_problems(&first).is_empty() {
        let found = problems(&first, &bodies(&first));
        if !found.is_empty() {
            return Err(format!(
                "the config is valid, bs-synth prints the assembly, but bs-deploy refuses it: {found:?}"
            ));
        }
    }
    Ok(true)
}

#[test]
fn config_loader_validator_and_synthesis_survive_mutated_configs() {
    let seeds = seed_configs();
    let all: Vec<&[u8]> = seeds.iter().map(|(_, b)| b.as_slice()).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fuzz.yaml");
    let mut synthesized = Vec::new();
    // The seeds themselves: each either loads or is refused, never panics.
    for (name, bytes) in &seeds {
        if let Err(e) = check_config(bytes, Options::default(), &file, false, &mut synthesized) {
            panic!("{name}: {e}");
        }
    }
    let (mut loaded, mut refused, mut distinct) = (0, 0, 0);
    run(
        "config",
        CONFIG_CASES,
        |rng| {
            let (name, seed) = rng.pick(&seeds);
            let mut bytes = seed.clone();
            let mut steps = vec![format!("from {name}")];
            // Mutations that keep the YAML mostly valid reach the validator and
            // synthesis; byte mutations, the YAML reader; a third of the cases mix.
            let mode = rng.below(3);
            for _ in 0..1 + rng.below(4) {
                let step = if mode == 0 || (mode == 2 && rng.one_in(2)) {
                    mutate_config(rng, &mut bytes)
                } else {
                    mutate_bytes(rng, &mut bytes, &all)
                };
                steps.push(step);
            }
            let options = Options {
                connection_optional: rng.one_in(4),
            };
            if options.connection_optional {
                steps.push("connection optional".into());
            }
            let via_file = rng.one_in(16);
            (bytes, steps, (options, via_file))
        },
        |bytes, (options, via_file)| {
            let before = synthesized.last().cloned();
            let ok = check_config(bytes, *options, &file, *via_file, &mut synthesized)?;
            if synthesized.last() != before.as_ref() {
                distinct += 1;
            }
            if ok {
                loaded += 1;
            } else {
                refused += 1;
            }
            Ok(())
        },
    );
    eprintln!(
        "config: {loaded} mutated configs loaded ({distinct} different ones synthesized), {refused} refused"
    );
}

// ---------------------------------------------------------------------------
// The assembly: reader and check.

const STRINGS: &[&str] = &[
    "",
    "s",
    "bad_name",
    "1stack",
    "us-east-1",
    "us-east-9",
    "mars-1",
    "US-EAST-1",
    "cn-north-1",
    "123456789012",
    "abc",
    "12345678901a",
    "CAPABILITY_IAM",
    "CAPABILITY_ALL",
    "hosted-zone-id",
    "stage-image",
    "ecr-repository",
    "stack-output",
    "kind",
    "Resources",
    "Parameters",
    "template_file",
    "../../../etc/passwd",
    "\u{200b}",
    "\u{0}",
    "é",
];

fn a_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 8 } else { 11 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 => json!(*rng.pick(&[0i64, 1, -1, 2, i64::MIN, i64::MAX])),
        3 => json!(u64::MAX),
        4 => json!(*rng.pick(&[0.5f64, -0.0, 1e300, -1e-300])),
        5 | 6 => Value::String(rng.pick(STRINGS).to_string()),
        7 => Value::String("a".repeat(1 + rng.below(3000))),
        8 => Value::Array((0..rng.below(4)).map(|_| a_value(rng, depth + 1)).collect()),
        _ => Value::Object(
            (0..rng.below(4))
                .map(|_| (rng.pick(STRINGS).to_string(), a_value(rng, depth + 1)))
                .collect(),
        ),
    }
}

/// One change of a field of a stack entry, or of the parts of its template
/// the check reads.
fn mutate_stack(rng: &mut Rng, v: &mut Value) -> String {
    const FIELDS: &[&str] = &[
        "name",
        "account",
        "region",
        "capabilities",
        "parameters",
        "requires",
        "tags",
        "template",
        "template_file",
        "template_bytes",
        "without_role",
        "Resources",
        "Parameters",
    ];
    let Some(stacks) = v
        .get_mut("stacks")
        .and_then(Value::as_array_mut)
        .filter(|s| !s.is_empty())
    else {
        return "nothing".into();
    };
    let i = rng.below(stacks.len());
    let field = *rng.pick(FIELDS);
    let Some(stack) = stacks[i].as_object_mut() else {
        return "nothing".into();
    };
    let target = match field {
        "Resources" | "Parameters" => {
            match stack.get_mut("template").and_then(Value::as_object_mut) {
                Some(t) => t,
                None => return "nothing".into(),
            }
        }
        _ => stack,
    };
    let what = match rng.below(5) {
        0 => {
            target.remove(field);
            "removed".to_string()
        }
        1 if field == "Resources" => {
            let n = *rng.pick(&[0usize, 1, 501]);
            let many: serde_json::Map<String, Value> = (0..n)
                .map(|k| (format!("T{k}"), json!({"Type": "AWS::SNS::Topic"})))
                .collect();
            target.insert(field.into(), Value::Object(many));
            format!("{n} resources")
        }
        1 if field == "parameters" => {
            let name = *rng.pick(&["HostedZoneIdExampleCom", "Q", ""]);
            let kind = json!({"kind": "stage-image", "stage": "prod"});
            target.insert(field.into(), json!({ name: kind }));
            format!("parameter {name:?}")
        }
        _ => {
            let value = a_value(rng, 0);
            let shown = value.to_string().chars().take(40).collect::<String>();
            target.insert(field.into(), value);
            format!("= {shown}")
        }
    };
    format!("stacks[{i}].{field}: {what}")
}

/// One change somewhere in `v`: deeper with some luck (the stacks' fields, a
/// template's resources).
fn mutate_value(rng: &mut Rng, v: &mut Value, path: &mut String) -> String {
    let descend = rng.below(4) != 0;
    match v {
        Value::Object(m) if descend && !m.is_empty() => {
            let key = m.keys().nth(rng.below(m.len())).unwrap().clone();
            path.push_str(&format!(".{key}"));
            return mutate_value(rng, m.get_mut(&key).unwrap(), path);
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            path.push_str(&format!("[{i}]"));
            return mutate_value(rng, &mut items[i], path);
        }
        _ => {}
    }
    match (rng.below(4), v) {
        (0, Value::Object(m)) if !m.is_empty() => {
            let key = m.keys().nth(rng.below(m.len())).unwrap().clone();
            m.remove(&key);
            format!("{path}: remove {key}")
        }
        (1, Value::Object(m)) => {
            let key = rng.pick(STRINGS).to_string();
            let value = a_value(rng, 0);
            m.insert(key.clone(), value);
            format!("{path}: add {key:?}")
        }
        (0, Value::Array(items)) if !items.is_empty() => {
            let i = rng.below(items.len());
            let copy = items[i].clone();
            items.insert(i, copy);
            format!("{path}: duplicate item {i}")
        }
        (1, Value::Array(items)) if !items.is_empty() => {
            items.remove(rng.below(items.len()));
            format!("{path}: remove an item")
        }
        (_, v) => {
            *v = a_value(rng, 0);
            format!(
                "{path}: = {}",
                v.to_string().chars().take(40).collect::<String>()
            )
        }
    }
}

/// The properties of one assembly text: `None` when it is refused, else how
/// many problems the check finds.
fn check_assembly(text: &str) -> Result<Option<usize>, String> {
    let a = match Assembly::from_json(text) {
        Err(e) if e.trim().is_empty() => return Err("refused without a message".into()),
        Err(_) => return Ok(None),
        Ok(a) => a,
    };
    let bodies = bodies(&a);
    let found = problems(&a, &bodies);
    if found.iter().any(|p| p.trim().is_empty()) {
        return Err(format!("a problem without a message: {found:?}"));
    }
    if found != problems(&a, &bodies) {
        return Err("two checks of one assembly differ".into());
    }
    match Assembly::from_json(&serde_json::to_string(&a).unwrap()) {
        Ok(back) if back == a => Ok(Some(found.len())),
        Ok(_) => Err("the assembly reads back differently".into()),
        Err(e) => Err(format!("the assembly, written again, is refused: {e}")),
    }
}

#[test]
fn assembly_reader_and_check_survive_mutated_assemblies() {
    let seeds: Vec<(String, Value)> = common::every_config()
        .into_iter()
        .map(|(name, _, a)| (shorter(Path::new(&name)), serde_json::to_value(&a).unwrap()))
        .collect();
    let texts: Vec<Vec<u8>> = seeds
        .iter()
        .map(|(_, v)| serde_json::to_vec(v).unwrap())
        .collect();
    let all: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
    // The seeds are accepted as they are.
    for ((name, _), text) in seeds.iter().zip(&texts) {
        let a = Assembly::from_json(std::str::from_utf8(text).unwrap()).unwrap();
        assert_eq!(problems(&a, &bodies(&a)), Vec::<String>::new(), "{name}");
    }
    let (mut read, mut refused, mut with_problems) = (0, 0, 0);
    run(
        "assembly",
        ASSEMBLY_CASES,
        |rng| {
            let i = rng.below(seeds.len());
            let mut steps = vec![format!("from {}", seeds[i].0)];
            let mut bytes = if rng.one_in(2) {
                let mut v = seeds[i].1.clone();
                for _ in 0..1 + rng.below(3) {
                    steps.push(if rng.one_in(3) {
                        mutate_value(rng, &mut v, &mut String::new())
                    } else {
                        mutate_stack(rng, &mut v)
                    });
                }
                if rng.one_in(4) {
                    serde_json::to_vec_pretty(&v).unwrap()
                } else {
                    serde_json::to_vec(&v).unwrap()
                }
            } else {
                texts[i].clone()
            };
            if steps.len() == 1 || rng.one_in(3) {
                for _ in 0..1 + rng.below(3) {
                    steps.push(mutate_bytes(rng, &mut bytes, &all));
                }
            }
            (bytes, steps, ())
        },
        |bytes, ()| {
            // bs-deploy reads UTF-8 text; anything else is refused before parsing.
            let Ok(text) = std::str::from_utf8(bytes) else {
                refused += 1;
                return Ok(());
            };
            match check_assembly(text)? {
                None => refused += 1,
                Some(0) => read += 1,
                Some(_) => with_problems += 1,
            }
            Ok(())
        },
    );
    eprintln!(
        "assembly: {read} mutated assemblies read without a problem, {with_problems} read with problems, {refused} refused"
    );
}
