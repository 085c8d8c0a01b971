//! What the engine reports while it works, and how it is shown.
//!
//! One stream of typed [`Message`]s, three renderers: a live view on a terminal
//! ([`Tty`]), one line per message for logs such as CodeBuild's ([`Lines`]), and
//! JSON lines for scripts ([`Json`]). Everything goes to stderr: stdout carries
//! only the result document.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;

/// One thing worth telling. Serialized as a JSON line (`--events json`), tagged
/// by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// A step of the work ("creating change set …", "resolved …").
    Step { stack: String, text: String },
    /// A warning that does not stop the work.
    Warning { stack: String, text: String },
    /// One planned change of a change set.
    Change {
        stack: String,
        action: String,
        logical_id: String,
        resource_type: String,
        /// `True`, `False` or `Conditional` for modifications.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        replacement: Option<String>,
    },
    /// A stack event.
    Event {
        stack: String,
        timestamp: String,
        logical_id: String,
        resource_type: String,
        status: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
    },
    /// A resource that failed, reported when a stack operation ends badly,
    /// first failure first.
    Failure {
        stack: String,
        logical_id: String,
        resource_type: String,
        status: String,
        reason: String,
    },
}

/// Receives the messages. `in_progress` lets a live view show what is being
/// worked on between messages.
pub trait Renderer: Send {
    fn message(&mut self, m: &Message);
    /// Resources of `stack` currently in progress: logical id → (type, status).
    fn in_progress(&mut self, _stack: &str, _resources: &BTreeMap<String, (String, String)>) {}
    /// The work is over: clear any live view.
    fn finish(&mut self) {}
}

/// Which renderer `--events` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    /// A live view on a terminal, lines otherwise.
    Auto,
    /// One line per message.
    Lines,
    /// JSON lines.
    Json,
}

pub fn renderer(
    format: EventsFormat,
    out: Box<dyn Write + Send>,
    is_terminal: bool,
) -> Box<dyn Renderer> {
    match format {
        EventsFormat::Json => Box::new(Json { out }),
        EventsFormat::Lines => Box::new(Lines { out }),
        EventsFormat::Auto if is_terminal => Box::new(Tty::new(out)),
        EventsFormat::Auto => Box::new(Lines { out }),
    }
}

/// The text of a message, as the line renderers print it.
pub fn line(m: &Message) -> String {
    match m {
        Message::Step { stack, text } => format!("{stack}: {text}"),
        Message::Warning { stack, text } => format!("{stack}: warning: {text}"),
        Message::Change {
            stack,
            action,
            logical_id,
            resource_type,
            replacement,
        } => {
            let sign = match action.as_str() {
                "Add" => "+",
                "Remove" => "-",
                "Modify" => "~",
                _ => "*",
            };
            let replace = match replacement.as_deref() {
                Some("True") => " (replacement)",
                Some("Conditional") => " (may be replaced)",
                _ => "",
            };
            format!("{stack}:   {sign} {action:<6} {logical_id} {resource_type}{replace}")
        }
        Message::Event {
            stack,
            timestamp,
            logical_id,
            resource_type,
            status,
            reason,
        } => {
            let reason = reason
                .as_deref()
                .map(|r| format!("  {r}"))
                .unwrap_or_default();
            format!("{timestamp}  {stack}  {status:<20} {logical_id} ({resource_type}){reason}")
        }
        Message::Failure {
            stack,
            logical_id,
            resource_type,
            status,
            reason,
        } => format!("{stack}: FAILED {logical_id} ({resource_type}) {status}: {reason}"),
    }
}

/// One line per message: for logs (CodeBuild) and pipes.
pub struct Lines {
    out: Box<dyn Write + Send>,
}

impl Lines {
    pub fn new(out: Box<dyn Write + Send>) -> Lines {
        Lines { out }
    }
}

impl Renderer for Lines {
    fn message(&mut self, m: &Message) {
        let _ = writeln!(self.out, "{}", line(m));
    }
}

/// JSON lines, one message each.
pub struct Json {
    out: Box<dyn Write + Send>,
}

impl Json {
    pub fn new(out: Box<dyn Write + Send>) -> Json {
        Json { out }
    }
}

impl Renderer for Json {
    fn message(&mut self, m: &Message) {
        if let Ok(text) = serde_json::to_string(m) {
            let _ = writeln!(self.out, "{text}");
        }
    }
}

/// Lines, plus a block under them listing the resources in progress, redrawn in
/// place as they change.
pub struct Tty {
    out: Box<dyn Write + Send>,
    /// Lines of the live block now on screen.
    drawn: usize,
}

impl Tty {
    pub fn new(out: Box<dyn Write + Send>) -> Tty {
        Tty { out, drawn: 0 }
    }

    fn clear(&mut self) {
        for _ in 0..self.drawn {
            // Cursor up one line, erase it.
            let _ = write!(self.out, "\x1b[1A\x1b[2K");
        }
        self.drawn = 0;
    }
}

/// The live block shows at most this many resources.
const LIVE_ROWS: usize = 12;

impl Renderer for Tty {
    fn message(&mut self, m: &Message) {
        self.clear();
        let _ = writeln!(self.out, "{}", line(m));
        let _ = self.out.flush();
    }

    fn in_progress(&mut self, stack: &str, resources: &BTreeMap<String, (String, String)>) {
        self.clear();
        if resources.is_empty() {
            return;
        }
        let _ = writeln!(
            self.out,
            "\x1b[2m{stack}: {} in progress\x1b[0m",
            resources.len()
        );
        self.drawn = 1;
        for (id, (ty, status)) in resources.iter().take(LIVE_ROWS) {
            let _ = writeln!(self.out, "\x1b[2m  {status:<20} {id} ({ty})\x1b[0m");
            self.drawn += 1;
        }
        if resources.len() > LIVE_ROWS {
            let _ = writeln!(
                self.out,
                "\x1b[2m  … and {} more\x1b[0m",
                resources.len() - LIVE_ROWS
            );
            self.drawn += 1;
        }
        let _ = self.out.flush();
    }

    fn finish(&mut self) {
        self.clear();
        let _ = self.out.flush();
    }
}

/// Keeps every message (tests).
#[derive(Default)]
pub struct Recorder {
    pub messages: Vec<Message>,
}

impl Renderer for Recorder {
    fn message(&mut self, m: &Message) {
        self.messages.push(m.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn event() -> Message {
        Message::Event {
            stack: "s".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            logical_id: "Vpc".into(),
            resource_type: "AWS::EC2::VPC".into(),
            status: "CREATE_FAILED".into(),
            reason: Some("quota".into()),
        }
    }

    #[test]
    fn json_lines_deserialize_to_the_same_messages() {
        let buf = Shared::default();
        let mut r = Json::new(Box::new(buf.clone()));
        let messages = vec![
            event(),
            Message::Step {
                stack: "s".into(),
                text: "t".into(),
            },
            Message::Change {
                stack: "s".into(),
                action: "Modify".into(),
                logical_id: "A".into(),
                resource_type: "T".into(),
                replacement: Some("True".into()),
            },
        ];
        for m in &messages {
            r.message(m);
        }
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let back: Vec<Message> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, messages);
        assert!(text.lines().next().unwrap().contains(r#""type":"event""#));
    }

    #[test]
    fn lines_name_status_resource_and_reason() {
        let l = line(&event());
        assert!(
            l.contains("CREATE_FAILED")
                && l.contains("Vpc (AWS::EC2::VPC)")
                && l.ends_with("quota"),
            "{l}"
        );
        let c = line(&Message::Change {
            stack: "s".into(),
            action: "Modify".into(),
            logical_id: "Db".into(),
            resource_type: "AWS::RDS::DBCluster".into(),
            replacement: Some("True".into()),
        });
        assert!(
            c.contains("~ Modify Db AWS::RDS::DBCluster (replacement)"),
            "{c}"
        );
    }

    #[test]
    fn tty_redraws_its_live_block_in_place() {
        let buf = Shared::default();
        let mut r = Tty::new(Box::new(buf.clone()));
        let mut live = BTreeMap::new();
        live.insert(
            "Vpc".to_string(),
            (
                "AWS::EC2::VPC".to_string(),
                "CREATE_IN_PROGRESS".to_string(),
            ),
        );
        r.in_progress("s", &live);
        r.message(&event());
        r.finish();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        // Two live lines drawn, then erased before the event line.
        assert_eq!(text.matches("\x1b[1A\x1b[2K").count(), 2, "{text:?}");
        assert!(text.ends_with("quota\n"), "{text:?}");
    }
}
