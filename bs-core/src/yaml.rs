//! A small YAML document tree that remembers where every node and key came from,
//! so that config errors can name the line at fault.
//!
//! Built on yaml-rust2's event parser. Beyond plain YAML 1.2 it supports what the
//! reference system's users rely on from PyYAML: anchors and aliases, and merge
//! keys (`<<: *defaults`).

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A parsed node and the (1-based) line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// `plain` is false for quoted and block scalars and for `!!str`-tagged ones:
    /// `"true"` is a string, `true` is a boolean.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Keys in document order.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_line: usize,
    pub value: Node,
}

/// A syntax error: message and 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A short name of the node's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// The most nodes a document may expand to, aliases and merge keys counted
/// in full: a config is a few hundred; an alias bomb ("billion laughs") is
/// refused here instead of exhausting memory.
pub const MAX_NODES: usize = 50_000;
/// The deepest nesting of lists and maps (a config needs four).
pub const MAX_DEPTH: usize = 64;

/// Parses `text`, which must be one YAML document (an empty one is
/// `Value::Null`). A leading byte-order mark is skipped; a NUL byte, a second
/// document, more than [`MAX_NODES`] nodes or [`MAX_DEPTH`] levels are errors.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        return Err(SyntaxError {
            message: "a NUL byte: the file is not text (everything after it would be lost)".into(),
            line,
            column,
        });
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| SyntaxError {
        message: e.info().to_string(),
        line: e.marker().line(),
        column: e.marker().col() + 1,
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(builder.root.unwrap_or(Node {
        value: Value::Null,
        line: 1,
    }))
}

enum Open {
    Seq(Node, usize),
    /// The map so far, its anchor, the key waiting for its value, and the keys
    /// that came in through merge keys (which explicit keys may override).
    Map(Node, usize, Option<(String, usize)>, Vec<String>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    /// Anchored nodes and how many nodes each holds.
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    error: Option<SyntaxError>,
    /// Nodes made so far, aliases counted in full.
    nodes: usize,
    documents: usize,
}

/// How many nodes `node` holds, itself included.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|e| 1 + size(&e.value)).sum(),
        _ => 0,
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl Builder {
    fn fail(&mut self, message: String, line: usize) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                message,
                line,
                column: 1,
            });
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            let n = size(&node);
            self.anchors.insert(anchor, (node.clone(), n));
        }
        self.push_value(node);
    }

    /// Counts `n` more nodes; false (and the error) past [`MAX_NODES`].
    fn grow(&mut self, n: usize, line: usize) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.fail(
                format!("the document expands to more than {MAX_NODES} values (anchors and aliases counted in full): a config is a few hundred"),
                line,
            );
            return false;
        }
        true
    }

    fn push_value(&mut self, node: Node) {
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        match top {
            Open::Seq(seq, _) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Open::Map(map, _, pending, merged_keys) => match pending.take() {
                None => match &node.value {
                    Value::Scalar { text, .. } => *pending = Some((text.clone(), node.line)),
                    Value::Null => *pending = Some((String::new(), node.line)),
                    _ => {
                        let line = node.line;
                        self.fail(
                            "a map key must be a plain value, not a list or map".into(),
                            line,
                        );
                    }
                },
                Some((key, key_line)) => {
                    let Value::Map(entries) = &mut map.value else {
                        return;
                    };
                    if key == "<<" {
                        // Merge key: keys already present win over merged ones.
                        let sources = match node.value {
                            Value::Map(_) => vec![node],
                            Value::Seq(items) => items,
                            _ => Vec::new(),
                        };
                        if sources.is_empty() || sources.iter().any(|s| s.as_map().is_none()) {
                            self.fail(
                                "`<<` (a merge key) takes a map or a list of maps, as `<<: *defaults`".into(),
                                key_line,
                            );
                            return;
                        }
                        for source in sources {
                            if let Value::Map(merged) = source.value {
                                for entry in merged {
                                    if !entries.iter().any(|e| e.key == entry.key) {
                                        merged_keys.push(entry.key.clone());
                                        entries.push(entry);
                                    }
                                }
                            }
                        }
                        return;
                    }
                    if let Some(previous) = entries.iter().position(|e| e.key == key) {
                        // An explicit key overrides one that came from a merge key,
                        // but the same key written twice is a mistake.
                        let previous_line = entries[previous].key_line;
                        if let Some(m) = merged_keys.iter().position(|k| *k == key) {
                            merged_keys.remove(m);
                            entries.remove(previous);
                        } else {
                            let message =
                                format!("duplicate key `{key}` (first at line {previous_line})");
                            self.fail(message, key_line);
                            return;
                        }
                    }
                    entries.push(Entry {
                        key,
                        key_line,
                        value: node,
                    });
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            // Refused already: build nothing more (an alias bomb stops here).
            return;
        }
        let line = mark.line();
        let grows = match &event {
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => 1,
            Event::Alias(anchor) => self.anchors.get(anchor).map_or(0, |(_, n)| *n),
            _ => 0,
        };
        if !self.grow(grows, line) {
            return;
        }
        if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..))
            && self.stack.len() >= MAX_DEPTH
        {
            self.fail(format!("nested more than {MAX_DEPTH} levels deep"), line);
            return;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tagged_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let plain = style == TScalarStyle::Plain && !tagged_str;
                let value = if plain && is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar { text, plain }
                };
                self.finish(Node { value, line }, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(
                Node {
                    value: Value::Seq(Vec::new()),
                    line,
                },
                anchor,
            )),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map(
                Node {
                    value: Value::Map(Vec::new()),
                    line,
                },
                anchor,
                None,
                Vec::new(),
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Open::Seq(node, anchor) | Open::Map(node, anchor, _, _)) =
                    self.stack.pop()
                {
                    self.finish(node, anchor);
                }
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor).map(|(n, _)| n.clone()) {
                Some(mut node) => {
                    node.line = line;
                    self.push_value(node);
                }
                None => self.fail("alias to an unknown anchor".into(), line),
            },
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(
                        "a second YAML document (after `---`): a config is one document, and the rest would be ignored".into(),
                        line,
                    );
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(node: &Node) -> Vec<(&str, usize)> {
        node.as_map()
            .unwrap()
            .iter()
            .map(|e| (e.key.as_str(), e.key_line))
            .collect()
    }

    #[test]
    fn keys_keep_their_lines_and_order() {
        let doc = parse("a: 1\n# c\nb:\n  c: x\n").unwrap();
        assert_eq!(map(&doc), vec![("a", 1), ("b", 3)]);
        let b = &doc.as_map().unwrap()[1].value;
        assert_eq!(map(b), vec![("c", 4)]);
    }

    #[test]
    fn quoted_scalars_are_not_plain() {
        let doc = parse("a: true\nb: \"true\"\nc: !!str true\nd:\ne: ~\n").unwrap();
        let values: Vec<&Value> = doc
            .as_map()
            .unwrap()
            .iter()
            .map(|e| &e.value.value)
            .collect();
        assert_eq!(
            values[0],
            &Value::Scalar {
                text: "true".into(),
                plain: true
            }
        );
        assert_eq!(
            values[1],
            &Value::Scalar {
                text: "true".into(),
                plain: false
            }
        );
        assert_eq!(
            values[2],
            &Value::Scalar {
                text: "true".into(),
                plain: false
            }
        );
        assert_eq!(values[3], &Value::Null);
        assert_eq!(values[4], &Value::Null);
    }

    #[test]
    fn duplicate_keys_are_errors_with_the_line() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_give_the_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc = parse("base: &b\n  x: 1\n  y: 2\nother:\n  <<: *b\n  y: 3\n").unwrap();
        let other = &doc.as_map().unwrap()[1].value;
        let entries = other.as_map().unwrap();
        let pairs: Vec<(&str, &Value)> = entries
            .iter()
            .map(|e| (e.key.as_str(), &e.value.value))
            .collect();
        assert_eq!(pairs.len(), 2);
        assert!(pairs.contains(&(
            "x",
            &Value::Scalar {
                text: "1".into(),
                plain: true
            }
        )));
        assert!(pairs.contains(&(
            "y",
            &Value::Scalar {
                text: "3".into(),
                plain: true
            }
        )));
    }

    #[test]
    fn json_is_accepted() {
        let doc = parse("{\"common\": {\"A\": \"b\"},\n\t\"stages\": {}}").unwrap();
        assert_eq!(map(&doc), vec![("common", 1), ("stages", 2)]);
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
    }

    #[test]
    fn a_billion_laughs_is_refused_before_it_expands() {
        let mut text = String::from("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{next}: &{next} [{refs}]\n"));
        }
        let start = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("more than 50000 values"), "{e:?}");
        // Refused as the budget runs out, not after building 9^9 nodes.
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn a_chain_of_merge_keys_stays_within_the_budget_or_is_refused() {
        let mut text = String::from("m0: &m0 {k0: 0}\n");
        for i in 1..10_000 {
            text.push_str(&format!("m{i}: &m{i} {{<<: *m{}, k{i}: {i}}}\n", i - 1));
        }
        let start = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("more than 50000 values"), "{e:?}");
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let e = parse(&text).unwrap_err();
        assert_eq!(e.message, "nested more than 64 levels deep");
    }

    #[test]
    fn a_nul_byte_is_refused_with_its_place_even_in_a_comment() {
        let e = parse("common:\n  A: b # x\0y\nstages: {}\n").unwrap_err();
        assert!(e.message.starts_with("a NUL byte"), "{e:?}");
        assert_eq!((e.line, e.column), (2, 11));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_in_yaml_and_json() {
        let doc = parse("\u{feff}common:\n  A: b\n").unwrap();
        assert_eq!(map(&doc), vec![("common", 1)]);
        let doc = parse("\u{feff}{\"common\": {}}").unwrap();
        assert_eq!(map(&doc), vec![("common", 1)]);
    }

    #[test]
    fn a_second_document_is_refused_not_ignored() {
        let e = parse("common: {}\n---\nstages: {}\n").unwrap_err();
        assert!(e.message.starts_with("a second YAML document"), "{e:?}");
        assert_eq!(e.line, 2);
        // One document with explicit markers is fine.
        assert!(parse("---\ncommon: {}\n...\n").is_ok());
    }

    #[test]
    fn a_merge_key_takes_maps_only() {
        let e = parse("a:\n  <<: 5\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{e:?}");
        let e = parse("x: &x [1]\na:\n  <<: [*x]\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{e:?}");
    }
}
