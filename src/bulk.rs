//! Bulk loading, below the features: rows in PostgreSQL's binary COPY format, which the server takes with less
//! work than text (no parsing of numbers, dates or uuids), and [`copy`], which streams them in. Each value must
//! have its column's exact type (`int2` for `smallint`, `float4` for `real`, ...). Which tables and columns the
//! rows go to is for the owning feature's `bulk` module to say, next to its typed row builders.

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::SinkExt;
use tokio_postgres::Transaction;
use uuid::Uuid;

/// "PGCOPY\n\377\r\n\0", then no flags and no header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
const TEXT_OID: i32 = 25;

/// A value in its binary COPY form: its length, then its bytes (or -1 for NULL).
pub trait CopyValue {
    fn write(&self, out: &mut Vec<u8>);
}

fn with_length(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl CopyValue for str {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, self.as_bytes());
    }
}

impl CopyValue for String {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, self.as_bytes());
    }
}

impl<T: CopyValue + ?Sized> CopyValue for &T {
    fn write(&self, out: &mut Vec<u8>) {
        (**self).write(out);
    }
}

impl<T: CopyValue> CopyValue for Option<T> {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write(out),
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
}

impl CopyValue for Uuid {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, self.as_bytes());
    }
}

impl CopyValue for bool {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, &[u8::from(*self)]);
    }
}

impl CopyValue for i16 {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, &self.to_be_bytes());
    }
}

impl CopyValue for i32 {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, &self.to_be_bytes());
    }
}

impl CopyValue for f32 {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, &self.to_bits().to_be_bytes());
    }
}

fn postgres_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// `date`: days since 2000-01-01.
impl CopyValue for NaiveDate {
    fn write(&self, out: &mut Vec<u8>) {
        with_length(out, &((*self - postgres_epoch()).num_days() as i32).to_be_bytes());
    }
}

/// `timestamptz`: microseconds since 2000-01-01 00:00 UTC.
impl CopyValue for DateTime<Utc> {
    fn write(&self, out: &mut Vec<u8>) {
        let epoch = postgres_epoch().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let micros = (*self - epoch).num_microseconds().unwrap_or(i64::MAX);
        with_length(out, &micros.to_be_bytes());
    }
}

/// A one-dimensional `text[]` without NULLs.
pub struct TextArray<'a>(pub &'a [&'a str]);

impl CopyValue for TextArray<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        let mut array = Vec::new();
        let dimensions: i32 = if self.0.is_empty() { 0 } else { 1 };
        for header in [dimensions, 0, TEXT_OID] {
            array.extend_from_slice(&header.to_be_bytes());
        }
        if dimensions == 1 {
            array.extend_from_slice(&(self.0.len() as i32).to_be_bytes());
            array.extend_from_slice(&1i32.to_be_bytes());
        }
        for element in self.0 {
            element.write(&mut array);
        }
        with_length(out, &array);
    }
}

/// One table's rows, ready to be sent with `COPY table (columns) FROM STDIN (FORMAT binary)`.
pub struct CopyBuffer {
    bytes: Vec<u8>,
    rows: u64,
    /// Where the current row's field count goes, once the row is complete.
    row_start: Option<usize>,
    fields: i16,
}

impl Default for CopyBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl CopyBuffer {
    pub fn new() -> Self {
        Self { bytes: HEADER.to_vec(), rows: 0, row_start: None, fields: 0 }
    }

    /// The next field of the current row.
    pub fn put(&mut self, value: impl CopyValue) -> &mut Self {
        if self.row_start.is_none() {
            self.row_start = Some(self.bytes.len());
            self.bytes.extend_from_slice(&[0, 0]);
            self.fields = 0;
        }
        value.write(&mut self.bytes);
        self.fields += 1;
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.put(None::<&str>)
    }

    pub fn end_row(&mut self) {
        if let Some(start) = self.row_start.take() {
            self.bytes[start..start + 2].copy_from_slice(&self.fields.to_be_bytes());
            self.rows += 1;
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The whole stream, with its end marker.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&(-1i16).to_be_bytes());
        self.bytes
    }
}

/// A COPY that failed or lost rows.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{statement}")]
    Postgres {
        statement: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("{statement}: PostgreSQL took {taken} of {expected} rows")]
    Short { statement: String, taken: u64, expected: u64 },
}

/// Streams `rows` with `COPY table (columns) FROM STDIN (FORMAT binary)` inside `tx` and returns how many rows
/// PostgreSQL took. `table_and_columns` must list the columns in the order the rows hold them.
pub async fn copy(tx: &Transaction<'_>, table_and_columns: &str, rows: CopyBuffer) -> Result<u64, CopyError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let statement = format!("COPY {table_and_columns} FROM STDIN (FORMAT binary)");
    let failed = |source| CopyError::Postgres { statement: statement.clone(), source };
    let expected = rows.rows();
    let sink = tx.copy_in::<_, Bytes>(&statement).await.map_err(failed)?;
    futures_util::pin_mut!(sink);
    sink.send(Bytes::from(rows.into_bytes())).await.map_err(failed)?;
    let taken = sink.as_mut().finish().await.map_err(failed)?;
    if taken != expected {
        return Err(CopyError::Short { statement, taken, expected });
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_their_field_count_and_typed_values() {
        let mut b = CopyBuffer::new();
        b.put("ab").put(None::<i32>).put(7i16).put(true).end_row();
        b.put(TextArray(&["x"])).end_row();
        assert_eq!(b.rows(), 2);
        let bytes = b.into_bytes();
        let mut expected = HEADER.to_vec();
        expected.extend_from_slice(&[0, 4, 0, 0, 0, 2, b'a', b'b', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0, 7]);
        expected.extend_from_slice(&[0, 0, 0, 1, 1]);
        expected.extend_from_slice(&[0, 1, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1]);
        expected.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, b'x', 0xff, 0xff]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn dates_and_instants_count_from_2000() {
        let mut out = Vec::new();
        NaiveDate::from_ymd_opt(2000, 1, 2).expect("date").write(&mut out);
        assert_eq!(out, [0, 0, 0, 4, 0, 0, 0, 1]);
        out.clear();
        let instant = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date").and_hms_opt(0, 0, 1).expect("time").and_utc();
        instant.write(&mut out);
        assert_eq!(out, [0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40]);
    }
}
