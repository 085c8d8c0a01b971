//! Characters a config value or key may not hold: those that cannot be seen
//! (a zero-width space pasted with an ARN reaches an IAM policy as it is),
//! those that reorder how text is shown (bidirectional controls, which can make
//! a value read as something else), and control characters other than tab and
//! newline.

/// What `c` is, when a config may not hold it; `None` for every other character.
pub fn describe(c: char) -> Option<&'static str> {
    Some(match c {
        '\t' | '\n' => return None,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "a control character",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        '\u{200e}' => "left-to-right mark",
        '\u{200f}' => "right-to-left mark",
        '\u{202a}' => "left-to-right embedding",
        '\u{202b}' => "right-to-left embedding",
        '\u{202c}' => "pop directional formatting",
        '\u{202d}' => "left-to-right override",
        '\u{202e}' => "right-to-left override",
        '\u{2060}' => "word joiner",
        '\u{2061}'..='\u{2064}' => "an invisible operator",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{feff}' => "byte-order mark (zero-width no-break space)",
        _ => return None,
    })
}

/// The first such character of `text`: its 1-based position (in characters),
/// the character, and what it is.
pub fn find(text: &str) -> Option<(usize, char, &'static str)> {
    text.chars()
        .enumerate()
        .find_map(|(i, c)| describe(c).map(|what| (i + 1, c, what)))
}

/// `U+200B (zero-width space) at character 41`.
pub fn located(at: usize, c: char, what: &str) -> String {
    format!("U+{:04X} ({what}) at character {at}", u32::from(c))
}

/// `text` with each such character written as `<U+200B>`, so that a message
/// quoting a value shows what is there and is shown in its own order.
pub fn shown(text: &str) -> String {
    if find(text).is_none() {
        return text.to_string();
    }
    text.chars()
        .map(|c| match describe(c) {
            Some(_) => format!("<U+{:04X}>", u32::from(c)),
            None => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_bidi_and_control_characters_are_named() {
        for c in [
            '\u{0}', '\u{1}', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{200b}', '\u{200f}',
            '\u{202a}', '\u{202e}', '\u{2060}', '\u{2064}', '\u{2066}', '\u{2069}', '\u{feff}',
        ] {
            assert!(describe(c).is_some(), "{:04X}", u32::from(c));
        }
        for c in [
            '\t', '\n', ' ', 'a', 'é', '\u{2065}', '\u{2010}', '\u{a0}', '\u{202f}',
        ] {
            assert_eq!(describe(c), None, "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn found_with_its_position_and_shown_escaped() {
        let v = "arn:aws:x\u{200b}y";
        assert_eq!(find(v), Some((10, '\u{200b}', "zero-width space")));
        assert_eq!(
            located(10, '\u{200b}', "zero-width space"),
            "U+200B (zero-width space) at character 10"
        );
        assert_eq!(shown(v), "arn:aws:x<U+200B>y");
        assert_eq!(shown("a\tb\nc"), "a\tb\nc");
        assert_eq!(find("plain"), None);
    }
}
