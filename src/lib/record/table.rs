//! A table for people at a terminal. Column widths are fixed from the first batch and
//! shrunk to fit the terminal; long cells are cut with `…`. Later batches keep the
//! layout, so a live stream prints row by row under one header.

use std::io::Write;

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::text::TS_UTC_FORMAT;
use crate::error::{Error, Result};

const MIN_WIDTH: usize = 4;
const GAP: &str = "  ";

/// How the table is laid out; the command says what its terminal allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStyle {
    /// Columns of the terminal the table is shrunk to fit.
    pub width: usize,
    /// Bold header (a colour terminal without NO_COLOR).
    pub bold: bool,
}

impl Default for TableStyle {
    fn default() -> Self {
        TableStyle {
            width: 80,
            bold: false,
        }
    }
}

pub struct TableSink<W: Write> {
    out: W,
    style: TableStyle,
    widths: Vec<usize>,
    columns: Vec<String>,
}

impl<W: Write> TableSink<W> {
    pub fn new(out: W, style: TableStyle) -> Self {
        TableSink {
            out,
            style,
            widths: Vec::new(),
            columns: Vec::new(),
        }
    }

    fn layout(&mut self, batch: &RecordBatch, cells: &[Vec<String>]) {
        self.columns = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, name)| {
                cells
                    .iter()
                    .map(|row| row[c].chars().count())
                    .chain(std::iter::once(name.chars().count()))
                    .max()
                    .unwrap_or(MIN_WIDTH)
            })
            .collect();
        let budget = self
            .style
            .width
            .saturating_sub(GAP.len() * widths.len().saturating_sub(1));
        // Shrink the widest column until the row fits (or every column is at the minimum).
        while widths.iter().sum::<usize>() > budget {
            let (i, &w) = widths.iter().enumerate().max_by_key(|(_, w)| **w).unwrap();
            if w <= MIN_WIDTH {
                break;
            }
            widths[i] = w - 1;
        }
        self.widths = widths;
    }

    fn line(&mut self, cells: &[String], bold: bool) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = self.widths.get(i).copied().unwrap_or(MIN_WIDTH);
            let text = fit(cell, width);
            if i > 0 {
                line.push_str(GAP);
            }
            if i + 1 == cells.len() {
                line.push_str(text.trim_end());
            } else {
                line.push_str(&text);
            }
        }
        if bold && self.style.bold {
            writeln!(self.out, "\x1b[1m{line}\x1b[0m")
        } else {
            writeln!(self.out, "{line}")
        }
    }
}

/// Pads or cuts `cell` to exactly `width` characters.
fn fit(cell: &str, width: usize) -> String {
    let cell = cell.replace(['\n', '\t'], " ");
    let count = cell.chars().count();
    if count <= width {
        format!("{cell}{}", " ".repeat(width - count))
    } else {
        let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn render(batch: &RecordBatch) -> Result<Vec<Vec<String>>> {
    let opts = FormatOptions::default()
        .with_null("")
        .with_timestamp_tz_format(Some(TS_UTC_FORMAT));
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::arrow("formatting the table", e))?;
    Ok((0..batch.num_rows())
        .map(|r| formatters.iter().map(|f| f.value(r).to_string()).collect())
        .collect())
}

impl<W: Write> super::writer::RecordSink for TableSink<W> {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let cells = render(batch)?;
        let io = |e| Error::io("writing the table", e);
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        if names != self.columns {
            self.layout(batch, &cells);
            self.line(&names, true).map_err(io)?;
        }
        for row in &cells {
            self.line(row, false).map_err(io)?;
        }
        self.out.flush().map_err(io)
    }
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| Error::io("writing the table", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::writer::RecordSink;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    #[test]
    fn aligns_and_truncates() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("text", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 22])),
                Arc::new(StringArray::from(vec![
                    "short",
                    "a very long cell that does not fit",
                ])),
            ],
        )
        .unwrap();
        let mut buf = Vec::new();
        let style = TableStyle {
            width: 20,
            bold: false,
        };
        TableSink::new(&mut buf, style).write(&batch).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("id  text"), "{text}");
        // A colour terminal gets a bold header; the rows stay plain.
        let mut bold = Vec::new();
        let style = TableStyle {
            bold: true,
            ..style
        };
        TableSink::new(&mut bold, style).write(&batch).unwrap();
        let bold = String::from_utf8(bold).unwrap();
        assert!(
            bold.starts_with("\x1b[1mid  text") && !bold.lines().nth(2).unwrap().contains('\x1b'),
            "{bold}"
        );
        assert!(
            lines[2].ends_with('…') && lines[2].chars().count() <= 20,
            "{text}"
        );
    }
}
