//! A table for people at a terminal. Column widths are fixed from the first batch and
//! shrunk to fit the terminal; long cells are cut with `…`. Later batches keep the
//! layout, so a live stream prints row by row under one header.
//!
//! Records wider than the terminal (a `netprobe tcp` record has 30 columns) would be
//! cut to a few characters a cell. The `auto` layout first leaves out the columns with
//! no value in the batch (and says which); if what is left still cannot give every
//! column a readable width, each record is shown as a block of `name  value` lines
//! (psql's expanded display). `wide` always cuts, `vertical` always uses blocks.

use std::io::Write;

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::text::TS_UTC_FORMAT;
use crate::error::{Error, Result};

const MIN_WIDTH: usize = 4;
/// The narrowest a cell may be cut to (or its header's width) before `auto` switches
/// to blocks.
const READABLE_WIDTH: usize = 8;
const GAP: &str = "  ";

/// `--table-layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TableLayout {
    /// One row per record when the columns fit readably (leaving out columns without
    /// values), else one block per record
    #[default]
    Auto,
    /// One row per record, cells cut to fit the terminal
    Wide,
    /// One block per record, a line per non-empty field (like psql's \x)
    Vertical,
}

/// How the table is laid out; the command says what its terminal allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStyle {
    /// Columns of the terminal the table is shrunk to fit.
    pub width: usize,
    /// Bold header (a colour terminal without NO_COLOR).
    pub bold: bool,
    pub layout: TableLayout,
}

impl Default for TableStyle {
    fn default() -> Self {
        TableStyle {
            width: 80,
            bold: false,
            layout: TableLayout::Auto,
        }
    }
}

pub struct TableSink<W: Write> {
    out: W,
    style: TableStyle,
    widths: Vec<usize>,
    columns: Vec<String>,
    /// Indexes of the columns shown (`auto` leaves out those without values).
    shown: Vec<usize>,
    /// Blocks instead of rows, decided with the layout.
    vertical: bool,
    /// Records written, to number the blocks.
    records: usize,
}

impl<W: Write> TableSink<W> {
    pub fn new(out: W, style: TableStyle) -> Self {
        TableSink {
            out,
            style,
            widths: Vec::new(),
            columns: Vec::new(),
            shown: Vec::new(),
            vertical: style.layout == TableLayout::Vertical,
            records: 0,
        }
    }

    /// Decides the columns shown, their widths, and rows or blocks, from `cells`.
    fn layout(&mut self, batch: &RecordBatch, cells: &[Vec<String>]) {
        self.columns = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let natural = |c: usize| {
            cells
                .iter()
                .map(|row| row[c].chars().count())
                .chain(std::iter::once(self.columns[c].chars().count()))
                .max()
                .unwrap_or(MIN_WIDTH)
        };
        let all: Vec<usize> = (0..self.columns.len()).collect();
        self.shown = all.clone();
        if self.style.layout == TableLayout::Auto {
            let row_width = |cols: &[usize]| {
                cols.iter().map(|&c| natural(c)).sum::<usize>()
                    + GAP.len() * cols.len().saturating_sub(1)
            };
            if row_width(&all) > self.style.width {
                // Columns with a value somewhere in the batch.
                let filled: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&c| cells.iter().any(|row| !row[c].is_empty()))
                    .collect();
                if !filled.is_empty() {
                    self.shown = filled;
                }
                let readable: usize = self
                    .shown
                    .iter()
                    .map(|&c| natural(c).min(READABLE_WIDTH.max(self.columns[c].chars().count())))
                    .sum::<usize>()
                    + GAP.len() * self.shown.len().saturating_sub(1);
                self.vertical = readable > self.style.width;
            }
        }
        let mut widths: Vec<usize> = self.shown.iter().map(|&c| natural(c)).collect();
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

    /// Which columns the layout left out, said once under the header.
    fn left_out(&self) -> Option<String> {
        if self.vertical || self.shown.len() == self.columns.len() {
            return None;
        }
        let names: Vec<&str> = (0..self.columns.len())
            .filter(|c| !self.shown.contains(c))
            .map(|c| self.columns[c].as_str())
            .collect();
        Some(format!(
            "({} without values left out: {}; --table-layout wide shows them)",
            names.len(),
            names.join(", ")
        ))
    }

    /// One record as a block: a numbered rule, then `name  value` for each non-empty
    /// field.
    fn block(&mut self, row: &[String]) -> std::io::Result<()> {
        self.records += 1;
        let name_width = self
            .columns
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        let rule = format!("-[ RECORD {} ]", self.records);
        let pad = "-".repeat(self.style.width.clamp(20, 80).saturating_sub(rule.len()));
        if self.style.bold {
            writeln!(self.out, "\x1b[1m{rule}{pad}\x1b[0m")?;
        } else {
            writeln!(self.out, "{rule}{pad}")?;
        }
        let value_width = self
            .style
            .width
            .saturating_sub(name_width + GAP.len())
            .max(MIN_WIDTH);
        for (name, value) in self.columns.iter().zip(row) {
            if value.is_empty() {
                continue;
            }
            let value = fit(value, value_width);
            writeln!(self.out, "{name:<name_width$}{GAP}{}", value.trim_end())?;
        }
        Ok(())
    }

    fn line(&mut self, cells: &[String], bold: bool) -> std::io::Result<()> {
        let cells: Vec<&String> = self.shown.iter().map(|&c| &cells[c]).collect();
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
        // A column left out for having no values gets a new layout once it has one.
        let hidden_filled = (0..names.len())
            .filter(|c| !self.shown.contains(c))
            .any(|c| cells.iter().any(|row| !row[c].is_empty()));
        if names != self.columns || hidden_filled {
            self.layout(batch, &cells);
            if !self.vertical {
                self.line(&names, true).map_err(io)?;
                if let Some(note) = self.left_out() {
                    writeln!(self.out, "{note}").map_err(io)?;
                }
            }
        }
        for row in &cells {
            if self.vertical {
                self.block(row).map_err(io)?;
            } else {
                self.line(row, false).map_err(io)?;
            }
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
            layout: TableLayout::Wide,
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

    /// 12 columns of which 4 have values, as a `netprobe tcp` record has many nulls.
    fn sparse() -> RecordBatch {
        let fields: Vec<Field> = (0..12)
            .map(|i| Field::new(format!("column_{i}"), DataType::Utf8, true))
            .collect();
        let cols: Vec<arrow::array::ArrayRef> = (0..12)
            .map(|i| {
                let v = (i % 3 == 0).then(|| format!("value-{i}"));
                Arc::new(StringArray::from(vec![v.clone(), v])) as arrow::array::ArrayRef
            })
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap()
    }

    fn table(batch: &RecordBatch, width: usize, layout: TableLayout) -> String {
        let mut buf = Vec::new();
        let style = TableStyle {
            width,
            bold: false,
            layout,
        };
        TableSink::new(&mut buf, style).write(batch).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn auto_leaves_out_empty_columns_and_says_so() {
        let text = table(&sparse(), 60, TableLayout::Auto);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["column_0", "column_3", "column_6", "column_9"],
            "{text}"
        );
        assert!(
            lines[1].starts_with("(8 without values left out: column_1, column_2, column_4"),
            "{text}"
        );
        assert!(
            lines[2].contains("value-9") && !text.contains('…'),
            "{text}"
        );
        // The same records on a wide terminal: every column, nothing left out.
        let wide = table(&sparse(), 400, TableLayout::Auto);
        assert_eq!(
            wide.lines().next().unwrap().split_whitespace().count(),
            12,
            "{wide}"
        );
        assert!(!wide.contains("left out"));
    }

    #[test]
    fn auto_shows_blocks_when_the_columns_cannot_fit_and_vertical_always_does() {
        let text = table(&sparse(), 30, TableLayout::Auto);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("-[ RECORD 1 ]"), "{text}");
        assert_eq!(
            lines[1], "column_0   value-0",
            "names padded to the longest: {text}"
        );
        assert_eq!(
            lines.len(),
            2 * 5,
            "a rule and 4 non-empty fields per record: {text}"
        );
        assert!(table(&sparse(), 400, TableLayout::Vertical).starts_with("-[ RECORD 1 ]"));
        // Wide cuts instead (to 4 characters a cell at the least).
        let cut = table(&sparse(), 75, TableLayout::Wide);
        assert!(
            cut.lines().all(|l| l.chars().count() <= 75) && cut.contains('…'),
            "{cut}"
        );
        assert_eq!(cut.lines().next().unwrap().split_whitespace().count(), 12);
    }
}
