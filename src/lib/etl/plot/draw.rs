//! Charts as SVG or PNG files, drawn with plotters. Text is drawn with the DejaVu Sans
//! font built into the binary (assets/fonts), so a PNG looks the same on a machine
//! without fontconfig; SVG names the font family and leaves the rendering to the viewer.
//! The file appears whole or not at all (written beside it, then renamed).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Chart;
use super::{Kind, PlotArgs, Theme};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

static FONT: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// Series colours: Tableau 10, distinguishable in print and for most colour vision.
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// Heat from few (pale) to many (dark red), on a log scale of the counts.
fn heat(v: f64, max: f64) -> RGBColor {
    let t = if max > 1.0 {
        (v.max(1.0).ln() / max.ln()).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(lerp(255.0, 165.0), lerp(245.0, 15.0), lerp(200.0, 21.0))
}

pub fn write(chart: &Chart, args: &PlotArgs, format: Format, path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    // The encoder picks the format by extension: the temporary name keeps it.
    let tmp = path.with_file_name(format!(
        ".{}.{}.{}",
        path.file_stem().and_then(|n| n.to_str()).unwrap_or("chart"),
        std::process::id(),
        if format == Format::Svg { "svg" } else { "png" }
    ));
    // Text is measured (SVG) and drawn (PNG) with the built-in font.
    plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
        .map_err(|_| Error::Usage("the built-in font did not load".into()))?;
    let drawn = match format {
        Format::Svg => {
            let root = SVGBackend::new(&tmp, args.size).into_drawing_area();
            draw(&root, chart, args.theme).and_then(|_| root.present().map_err(|e| e.to_string()))
        }
        Format::Png => {
            let root = BitMapBackend::new(&tmp, args.size).into_drawing_area();
            draw(&root, chart, args.theme).and_then(|_| root.present().map_err(|e| e.to_string()))
        }
    };
    if let Err(e) = drawn {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(
            format!("drawing the chart into {shown}"),
            std::io::Error::other(e),
        ));
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("writing {shown}"), e))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    theme: Theme,
) -> std::result::Result<(), String> {
    let (bg, fg) = match theme {
        Theme::Light => (WHITE, RGBColor(40, 40, 40)),
        Theme::Dark => (RGBColor(24, 26, 31), RGBColor(220, 220, 220)),
    };
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&bg).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let small = (w.min(h) / 50).clamp(11, 18);
    let text = |size: u32| (FAMILY, size).into_font().color(&fg);
    let ((x0, x1), (y0, y1)) = chart.ranges();
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(small)
        .x_label_area_size(small * 3)
        .y_label_area_size(small * 5);
    if !chart.title.is_empty() {
        builder.caption(&chart.title, text(small + 6));
    }
    let mut cc = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
    let x_label = |v: &f64| chart.x_label(*v);
    let y_label = |v: &f64| chart.y_label(*v);
    let mut mesh = cc.configure_mesh();
    mesh.x_desc(&chart.x_name)
        .y_desc(&chart.y_name)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .axis_desc_style(text(small))
        .label_style(text(small - 1))
        .axis_style(fg.mix(0.8))
        .bold_line_style(fg.mix(0.12))
        .light_line_style(fg.mix(0.04));
    if let super::data::XAxis::Category(names) = &chart.x_axis {
        mesh.x_labels(names.len().min(40));
    }
    mesh.draw().map_err(err)?;

    match chart.kind {
        Kind::Line | Kind::Area | Kind::Scatter => {
            for (i, s) in chart.series.iter().enumerate() {
                let c = colour(i);
                let drawn = match chart.kind {
                    Kind::Line => cc
                        .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))
                        .map_err(err)?,
                    Kind::Area => cc
                        .draw_series(
                            AreaSeries::new(s.points.iter().copied(), 0.0, c.mix(0.25))
                                .border_style(c.stroke_width(2)),
                        )
                        .map_err(err)?,
                    _ => cc
                        .draw_series(
                            s.points
                                .iter()
                                .map(|&p| Circle::new(p, 2, c.mix(0.6).filled())),
                        )
                        .map_err(err)?,
                };
                drawn.label(&s.name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled())
                });
            }
        }
        Kind::Bar => {
            let n = chart.series.len().max(1) as f64;
            for (i, s) in chart.series.iter().enumerate() {
                let c = colour(i);
                let w = 0.8 / n;
                cc.draw_series(s.points.iter().map(|&(x, y)| {
                    let left = x - 0.4 + i as f64 * w;
                    Rectangle::new([(left, 0.0), (left + w * 0.95, y)], c.filled())
                }))
                .map_err(err)?
                .label(&s.name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
            }
        }
        Kind::Hist => {
            let c = colour(0);
            cc.draw_series(
                chart.bins.iter().map(|&(a, b, n)| {
                    Rectangle::new([(a, 0.0), (b, n as f64)], c.mix(0.85).filled())
                }),
            )
            .map_err(err)?;
        }
        Kind::Heatmap => {
            let max = chart.cells.iter().map(|c| c.4).fold(0.0, f64::max);
            cc.draw_series(chart.cells.iter().map(|&(a, b, lo, hi, n)| {
                Rectangle::new([(a, lo), (b, hi)], heat(n, max).filled())
            }))
            .map_err(err)?;
        }
    }
    if chart.series.len() > 1 {
        cc.configure_series_labels()
            .label_font(text(small))
            .background_style(bg.mix(0.85))
            .border_style(fg.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
    }
    // What was drawn of what was read, bottom right.
    let note = chart.note();
    root.draw_text(
        &note,
        &text(small - 2).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Bottom,
        )),
        (w as i32 - 4, h as i32 - 2),
    )
    .map_err(err)?;
    Ok(())
}
