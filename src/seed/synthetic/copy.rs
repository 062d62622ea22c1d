//! Rows in PostgreSQL's COPY text format: tab-separated fields, `\N` for NULL, one row per line.

use std::fmt::Display;
use std::io::Write;

/// One table's rows, ready to be sent with `COPY table (columns) FROM STDIN`.
pub struct CopyBuffer {
    bytes: Vec<u8>,
    rows: u64,
    at_row_start: bool,
}

impl Default for CopyBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl CopyBuffer {
    pub fn new() -> Self {
        Self { bytes: Vec::new(), rows: 0, at_row_start: true }
    }

    fn separate(&mut self) {
        if !self.at_row_start {
            self.bytes.push(b'\t');
        }
        self.at_row_start = false;
    }

    /// A text field, escaped so that tabs, newlines and backslashes arrive as written.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for &b in value.as_bytes() {
            match b {
                b'\\' => self.bytes.extend_from_slice(b"\\\\"),
                b'\t' => self.bytes.extend_from_slice(b"\\t"),
                b'\n' => self.bytes.extend_from_slice(b"\\n"),
                b'\r' => self.bytes.extend_from_slice(b"\\r"),
                _ => self.bytes.push(b),
            }
        }
        self
    }

    /// A field whose text form needs no escaping: numbers, dates, uuids, booleans.
    pub fn plain(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        // Writing to a Vec cannot fail.
        let _ = write!(self.bytes, "{value}");
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.bytes.extend_from_slice(b"\\N");
        self
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub fn opt_plain(&mut self, value: Option<impl Display>) -> &mut Self {
        match value {
            Some(v) => self.plain(v),
            None => self.null(),
        }
    }

    /// A `text[]` field; every element is quoted, so only quotes and backslashes inside need escaping.
    pub fn text_array(&mut self, values: &[&str]) -> &mut Self {
        let quoted: Vec<String> =
            values.iter().map(|v| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))).collect();
        self.text(&format!("{{{}}}", quoted.join(",")))
    }

    pub fn end_row(&mut self) {
        self.bytes.push(b'\n');
        self.rows += 1;
        self.at_row_start = true;
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_and_separated() {
        let mut b = CopyBuffer::new();
        b.text("a\tb\\c\nd").null().plain(42).opt_text(Some("x")).text_array(&["pharma", "digital \"health\""]);
        b.end_row();
        b.plain(true).end_row();
        assert_eq!(b.rows(), 2);
        let text = String::from_utf8(b.into_bytes()).expect("utf-8");
        assert_eq!(text, "a\\tb\\\\c\\nd\t\\N\t42\tx\t{\"pharma\",\"digital \\\\\"health\\\\\"\"}\ntrue\n");
    }
}
