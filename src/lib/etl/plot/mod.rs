//! `etl plot`: a record stream drawn as a chart: SVG or PNG with `--out`, else in the
//! terminal (Unicode braille, coloured unless NO_COLOR or not a terminal).
//!
//! The records are read once and summarized as they come (`buckets`), so any number of
//! them is drawn in bounded memory; the chart says how many points it drew of how many
//! it read. `data` turns records into series, `draw` draws them with plotters, `term`
//! with textplots.

mod buckets;
mod data;
mod draw;
mod live;
mod term;

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::cli::{InputArgs, Outcome};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Line,
    Scatter,
    Bar,
    Hist,
    Area,
    Heatmap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Theme {
    Light,
    Dark,
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Chart kind [default: bar when --x is a text column, else line]
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// The x column [default: the first timestamp column, else the record number]. hist
    /// and a single-column chart draw --y alone
    #[arg(long, value_name = "COLUMN")]
    pub x: Option<String>,
    /// The y column(s), comma-separated [default: every numeric column but x, up to 8]
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub y: Vec<String>,
    /// One series per value of this column (with a single --y)
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Bins of hist (and per axis of heatmap)
    #[arg(long, value_name = "N", default_value_t = 40,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub bins: u32,
    /// Logarithmic x axis (values <= 0 are left out and counted)
    #[arg(long)]
    pub log_x: bool,
    /// Logarithmic y axis (values <= 0 are left out and counted)
    #[arg(long)]
    pub log_y: bool,
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Write the chart to this file: .svg or .png (fonts are built in, so a PNG looks
    /// the same on any machine)
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Width and height of a file chart in pixels
    #[arg(long, value_name = "WxH", default_value = "1024x640", value_parser = parse_size)]
    pub size: (u32, u32),
    #[arg(long, value_enum, default_value_t = Theme::Light)]
    pub theme: Theme,
    /// Redraw as records arrive (on the terminal, or rewriting --out), until the input
    /// ends or SIGINT/SIGTERM, which leave the last frame
    #[arg(long)]
    pub live: bool,
    /// With --live and a time axis: draw the last SPAN of time (e.g. 60s, 5m)
    #[arg(long, value_name = "SPAN", value_parser = crate::cli::args::parse_duration, requires = "live")]
    pub span: Option<std::time::Duration>,
    /// With --live: redraw at most this often [default: 250ms on a terminal, 1s for --out]
    #[arg(long, value_name = "D", value_parser = crate::cli::args::parse_duration, requires = "live")]
    pub every: Option<std::time::Duration>,
    #[command(flatten)]
    pub input: InputArgs,
}

fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}': want WIDTHxHEIGHT, e.g. 1024x640"))?;
    let n = |t: &str| {
        t.parse::<u32>()
            .ok()
            .filter(|v| (64..=16384).contains(v))
            .ok_or_else(|| format!("'{s}': sizes from 64 to 16384 pixels"))
    };
    Ok((n(w)?, n(h)?))
}

pub fn plot(args: &PlotArgs) -> Result<Outcome> {
    let file = match &args.out {
        Some(p) => Some(match p.extension().and_then(|e| e.to_str()) {
            Some("svg") => draw::Format::Svg,
            Some("png") => draw::Format::Png,
            _ => {
                return Err(Error::Usage(format!(
                    "--out {}: the chart is written as .svg or .png",
                    p.display()
                )))
            }
        }),
        None => None,
    };
    let columns = match file {
        Some(_) => args.size.0 as usize * 2,
        None => crate::cli::terminal_width().saturating_sub(12).max(32) * 2,
    };
    if args.live {
        let every = args
            .every
            .unwrap_or(Duration::from_millis(if file.is_some() {
                1000
            } else {
                250
            }));
        let out = file.zip(args.out.as_deref());
        return live::run(args, out, columns, every, args.span);
    }
    let chart = data::read(args, columns)?;
    match (file, &args.out) {
        (Some(format), Some(path)) => draw::write(&chart, args, format, path)?,
        _ => term::print(&chart)?,
    }
    Ok(if chart.skipped > 0 {
        crate::cli::warn(&format!(
            "{} values were left out of the chart (<= 0 on a log axis, or past the {} series or bars a chart draws)",
            chart.skipped, "12 / 500"
        ));
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}
