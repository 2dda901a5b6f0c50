//! Reading scenario and sweep files: at most 1 MiB, UTF-8, RON with the scenario's
//! extensions, and errors that say `file:line:col` and what was expected.

use std::path::Path;

use serde::Serialize;

use crate::scenario::{Scenario, MAX_MACHINES, MAX_RATE, MAX_SCENARIO_BYTES};

/// A scenario that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read (the OS reason is the error's `source`).
    #[error("{path}: cannot read scenario")]
    Read {
        /// The scenario file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is over [`MAX_SCENARIO_BYTES`].
    #[error(
        "{path}: scenario file is {}",
        size.map_or(format!("over the limit of {MAX_SCENARIO_BYTES} bytes (1 MiB)"),
            |s| format!("{s} bytes; the limit is {MAX_SCENARIO_BYTES} bytes (1 MiB)"))
    )]
    TooLarge {
        /// The scenario file.
        path: String,
        /// Its size, when known before reading (not for a pipe or device).
        size: Option<u64>,
    },
    /// RON syntax, an unknown field, a wrong type, or a value out of range.
    #[error("{origin}:{line}:{col}: {message}")]
    Syntax {
        /// The scenario file, or `<scenario>` for text.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Values that parse but do not fit together.
    #[error("{location}: {message}")]
    Invalid {
        /// `file:line:col` of the field at fault when it can be found, else the file or flag.
        location: String,
        /// What is wrong and what would be accepted.
        message: String,
    },
}

/// A RON error as a [`ScenarioError::Syntax`], made clearer where RON's own words mislead:
/// an error RON locates on the whitespace before a token is located at the token, and an
/// error that runs into the end of the file says so.
/// A RON error as `origin:line:col: message`, pointing at the fault rather than the blank
/// after it, saying what a truncated file lacks, and naming the field of an out-of-range
/// integer. `empty_hint` says what a minimal file looks like (scenario or sweep).
pub(crate) fn syntax_error(e: ron::error::SpannedError, text: &str, origin: &str, empty_hint: &str) -> ScenarioError {
    let last_line = text.rsplit('\n').next().unwrap_or("");
    let at_eof = e.span.end.line == text.matches('\n').count() + 1 && e.span.end.col == last_line.chars().count() + 1;
    let (line, col) = (e.span.start.line, e.span.start.col);
    let on_space = text
        .split('\n')
        .nth(line.saturating_sub(1))
        .is_none_or(|l| l.chars().nth(col.saturating_sub(1)).is_none_or(char::is_whitespace));
    let at = if on_space && !at_eof { e.span.end } else { e.span.start };
    let message = match &e.code {
        ron::Error::ExpectedComma if at_eof => {
            "Expected comma or closing bracket, but the file ends here: is a closing `)` or `]` missing?".to_string()
        }
        ron::Error::ExpectedNamedStructLike(_) if at_eof && text.trim().is_empty() => {
            format!("{}, but the file is empty ({empty_hint})", e.code)
        }
        ron::Error::ExpectedNamedStructLike(_) if at_eof => {
            format!("{}, but the file ends here ({empty_hint})", e.code)
        }
        ron::Error::IntegerOutOfBounds => {
            // Name the field and its range: "out of bounds" alone does not say which bounds.
            let range = |field: &str| match field {
                "machines" => format!("1 to {MAX_MACHINES}"),
                "rates" | "min" | "max" => format!("1 to {MAX_RATE} (ticks per second)"),
                // `seeds`, `start` and `end`: a sweep's seeds.
                "seed" | "seeds" | "start" | "end" | "queue_limit" => format!("0 to {}", u64::MAX),
                _ => format!("0 to {}", u32::MAX),
            };
            match field_before(text, at.line, at.col) {
                Some(field) => format!("{} in `{field}`: expected a whole number from {}", e.code, range(field)),
                None => e.code.to_string(),
            }
        }
        code => code.to_string(),
    };
    ScenarioError::Syntax { origin: origin.to_string(), line: at.line, col: at.col, message }
}

/// The name of the field whose value is at `line:col` (1-based, in characters): the last
/// `name:` before it.
fn field_before(text: &str, line: usize, col: usize) -> Option<&str> {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let in_line =
        text[line_start..].char_indices().nth(col.saturating_sub(1)).map_or(text.len() - line_start, |(i, _)| i);
    let mut before = &text[..line_start + in_line];
    while let Some(colon) = before.rfind(':') {
        before = &before[..colon];
        let trimmed = before.trim_end();
        // Char boundaries, not bytes: a non-ASCII character may come before the name.
        let name_start = trimmed
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &trimmed[name_start..];
        // A colon inside a string (a time of day) has digits before it, not a field name.
        if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return Some(name);
        }
    }
    None
}

/// The text of a scenario or sweep file: at most [`MAX_SCENARIO_BYTES`] read, even from a
/// pipe or device (`/dev/zero`) that reports no size, UTF-8, and without a leading byte-order
/// mark (invisible in editors, and RON would refuse it at "1:1").
pub(crate) fn read_ron_file(path: &Path) -> Result<String, ScenarioError> {
    let name = path.display().to_string();
    let read_err = |source| ScenarioError::Read { path: name.clone(), source };
    let file = std::fs::File::open(path).map_err(read_err)?;
    // Refuse a large regular file by its size, unread; a pipe or device reports no size
    // and is read up to the limit below.
    let size = file.metadata().map_err(read_err)?.len();
    if size > MAX_SCENARIO_BYTES {
        return Err(ScenarioError::TooLarge { path: name, size: Some(size) });
    }
    read_ron(file, &name)
}

/// The text of a scenario or sweep read from `reader` (standard input, say), named `name`
/// in errors: at most [`MAX_SCENARIO_BYTES`] read, UTF-8, a leading byte-order mark dropped.
pub(crate) fn read_ron(reader: impl std::io::Read, name: &str) -> Result<String, ScenarioError> {
    use std::io::Read;
    let read_err = |source| ScenarioError::Read { path: name.to_string(), source };
    let mut bytes = Vec::new();
    reader.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(ScenarioError::TooLarge { path: name.to_string(), size: None });
    }
    ron_text(&bytes, name).map(str::to_string)
}

/// The bytes of a scenario or sweep file (named `name` in errors) as text: UTF-8, and a
/// leading byte-order mark dropped. [`read_ron_file`] and the check fuzz target share it.
pub(crate) fn ron_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, ScenarioError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ScenarioError::Invalid {
        location: name.to_string(),
        message: format!("scenario is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// `value` as pretty RON, one field per line, as `scenario.ron` and `sweep.ron` are written.
pub(crate) fn to_pretty_ron<T: Serialize>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new().struct_names(true).compact_arrays(true).indentor("    ").new_line("\n");
    ron_options().to_string_pretty(value, config).expect("scenarios and sweeps always serialize")
}

impl Scenario {
    /// Parses scenario text; `origin` names it in errors (a path, or `<scenario>`).
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge { path: origin.to_string(), size: Some(text.len() as u64) });
        }
        let scenario: Scenario = ron_options()
            .from_str(text)
            .map_err(|e| syntax_error(e, text, origin, "write `()` for the classic scenario"))?;
        scenario.check(&SourceText { text, origin })?;
        Ok(scenario)
    }

    /// Reads and parses a scenario file (refusing files over 1 MiB before reading them).
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let name = path.display().to_string();
        Scenario::from_ron_str(&read_ron_file(path)?, &name)
    }

    /// Reads and parses a scenario from `reader` (standard input, say), named `origin` in
    /// errors (`<stdin>:3:5: ...`); at most 1 MiB is read.
    pub fn read_from(reader: impl std::io::Read, origin: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_ron_str(&read_ron(reader, origin)?, origin)
    }

    /// The scenario as RON text (pretty, one field per line).
    pub fn to_ron(&self) -> String {
        to_pretty_ron(self)
    }
}

/// Scenario text kept for locating fields in error messages.
pub(crate) struct SourceText<'a> {
    pub(crate) text: &'a str,
    pub(crate) origin: &'a str,
}

impl SourceText<'_> {
    /// `origin:line:col` of the first `field:` outside a comment, or just `origin` when the
    /// field is not written in the text (it came from a default or a command-line flag).
    pub(crate) fn locate(&self, field: &str) -> String {
        for (line_no, line) in self.text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut search_from = 0;
            while let Some(pos) = code[search_from..].find(field) {
                let at = search_from + pos;
                let before_ok =
                    at == 0 || !code.as_bytes()[at - 1].is_ascii_alphanumeric() && code.as_bytes()[at - 1] != b'_';
                let rest = code[at + field.len()..].trim_start();
                if before_ok && rest.starts_with(':') {
                    return format!("{}:{}:{}", self.origin, line_no + 1, code[..at].chars().count() + 1);
                }
                search_from = at + field.len();
            }
        }
        self.origin.to_string()
    }
}
