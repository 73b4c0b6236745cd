//! Charts in the terminal, drawn with textplots (Unicode braille: 2 x 4 dots per
//! character cell), sized to the terminal, each series in its colour unless NO_COLOR is
//! set or stdout is not a terminal. Under the chart: the x axis' ends, a legend and the
//! note of what was drawn of what was read.

use std::io::Write;

use rgb::RGB8;
use textplots::{Chart as Canvas, ColorPlot, LabelBuilder, LabelFormat, Plot, Shape};

use super::data::{Chart, XAxis};
use super::draw::PALETTE;
use super::Kind;
use crate::error::{Error, Result};

pub fn print(chart: &Chart) -> Result<()> {
    show(&render(chart)?)
}

/// Writes a frame to stdout and flushes it.
pub fn show(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(|e| Error::io("writing the chart to stdout", e))
}

/// The chart as text, sized to the terminal.
pub fn render(chart: &Chart) -> Result<String> {
    if chart.kind == Kind::Heatmap {
        return Err(Error::Usage(
            "a heatmap is drawn into a file: give --out FILE.svg or FILE.png".into(),
        ));
    }
    let colour = crate::cli::color_enabled();
    let cols = crate::cli::terminal_width().clamp(40, 400);
    let rows = crate::cli::terminal_height().clamp(10, 200);
    // Room for the y labels at the right; above and below for the title, the axis
    // line, the legend, the note and the shell's next prompt.
    let width = ((cols - 12) * 2) as u32;
    let height = ((rows - 8) * 4) as u32;
    let ((x0, x1), (y0, y1)) = chart.ranges();
    // textplots works in f32: x relative to the axis' start keeps a time axis (seconds
    // since 1970, ~1.8e9) from collapsing to a few distinct values.
    let rel = |x: f64| (x - x0) as f32;
    let shapes: Vec<(Vec<(f32, f32)>, usize)> = match chart.kind {
        Kind::Hist => {
            let mut pts: Vec<(f32, f32)> =
                chart.bins.iter().map(|b| (rel(b.0), b.2 as f32)).collect();
            if let Some(last) = chart.bins.last() {
                pts.push((rel(last.1), last.2 as f32));
            }
            vec![(pts, 0)]
        }
        _ => chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut pts: Vec<(f32, f32)> =
                    s.points.iter().map(|&(x, y)| (rel(x), y as f32)).collect();
                if chart.kind == Kind::Bar {
                    // Bars span [x - 0.4, x + 0.4]: a step up and down around each.
                    pts = s
                        .points
                        .iter()
                        .flat_map(|&(x, y)| {
                            [
                                (rel(x - 0.4), 0.0),
                                (rel(x - 0.4), y as f32),
                                (rel(x + 0.4), y as f32),
                                (rel(x + 0.4), 0.0),
                            ]
                        })
                        .collect();
                }
                (pts, i)
            })
            .collect(),
    };
    let drawn: Vec<(Shape, usize)> = shapes
        .iter()
        .map(|(pts, i)| {
            let shape = match chart.kind {
                Kind::Scatter => Shape::Points(pts),
                Kind::Hist => Shape::Bars(pts),
                _ => Shape::Lines(pts),
            };
            (shape, *i)
        })
        .collect();
    let mut canvas = Canvas::new_with_y_range(
        width.max(32),
        height.max(12),
        0.0,
        rel(x1),
        y0 as f32,
        y1 as f32,
    );
    let mut c = &mut canvas;
    for (shape, i) in &drawn {
        c = if colour {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            c.linecolorplot(shape, RGB8 { r, g, b })
        } else {
            c.lineplot(shape)
        };
    }
    let log = chart.log_y && chart.kind != Kind::Hist;
    c = c.y_label_format(LabelFormat::Custom(Box::new(move |v| {
        super::data::number_label(f64::from(v), log)
    })));
    c = c.x_label_format(LabelFormat::None);
    c.axis();
    c.figures();
    let mut out = String::new();
    if !chart.title.is_empty() {
        out.push_str(&chart.title);
        out.push('\n');
    }
    out.push_str(&format!("{} ({})\n", chart.y_name, chart.x_name));
    // textplots ends with a line for its own x labels, which are ours below.
    let drawn = c.to_string();
    out.push_str(drawn.trim_end().trim_end_matches(' '));
    out.push('\n');
    // The x axis: its ends (and middle), in the axis' own terms.
    let (left, mid, right) = (
        chart.x_label(x0),
        chart.x_label((x0 + x1) / 2.0),
        chart.x_label(x1),
    );
    let chars = (width / 2) as usize;
    let mut axis = left.clone();
    let mid_at = chars / 2 - mid.chars().count() / 2;
    while axis.chars().count() < mid_at {
        axis.push(' ');
    }
    if !matches!(chart.x_axis, XAxis::Category(_)) {
        axis.push_str(&mid);
    }
    let right_at = chars.saturating_sub(right.chars().count());
    while axis.chars().count() < right_at {
        axis.push(' ');
    }
    axis.push_str(&right);
    out.push_str(&axis);
    out.push('\n');
    if let XAxis::Category(names) = &chart.x_axis {
        let shown: Vec<&str> = names.iter().take(20).map(String::as_str).collect();
        out.push_str(&format!("bars: {}", shown.join(", ")));
        if names.len() > shown.len() {
            out.push_str(&format!(", ... ({} in all)", names.len()));
        }
        out.push('\n');
    }
    if chart.series.len() > 1 || colour {
        let legend: Vec<String> = chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if colour {
                    let (r, g, b) = PALETTE[i % PALETTE.len()];
                    format!("\x1b[38;2;{r};{g};{b}m━━\x1b[0m {}", s.name)
                } else {
                    format!("[{}] {}", i + 1, s.name)
                }
            })
            .collect();
        if !legend.is_empty() && chart.kind != Kind::Hist {
            out.push_str(&legend.join("   "));
            out.push('\n');
        }
    }
    out.push_str(&chart.note());
    out.push('\n');
    Ok(out)
}
