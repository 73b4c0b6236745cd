//! `--generate man|complete-bash|complete-zsh|complete-fish`: the man page and shell
//! completions, generated from the same clap definition as `--help`. `make man` and
//! `make completions` write them into `man/` and `completions/`, and a test fails when
//! the committed files are stale.

use std::io::{self, Write};

use clap::Command;
use clap_complete::Shell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generate {
    Man,
    CompleteBash,
    CompleteZsh,
    CompleteFish,
}

pub fn write(cmd: &mut Command, what: Generate, out: &mut dyn Write) -> io::Result<()> {
    let name = cmd.get_name().to_string();
    match what {
        Generate::Man => man(cmd, out),
        Generate::CompleteBash => {
            clap_complete::generate(Shell::Bash, cmd, name, out);
            Ok(())
        }
        Generate::CompleteZsh => {
            clap_complete::generate(Shell::Zsh, cmd, name, out);
            Ok(())
        }
        Generate::CompleteFish => {
            clap_complete::generate(Shell::Fish, cmd, name, out);
            Ok(())
        }
    }
}

/// The top-level page from clap_mangen, then a COMMANDS section with, for each
/// subcommand (and nested subcommand), its synopsis, description, options and examples.
fn man(cmd: &mut Command, out: &mut dyn Write) -> io::Result<()> {
    cmd.build();
    let mut page = Vec::new();
    // The page names the version only: the build's commit and features (`--version`)
    // would make the committed pages differ with every commit.
    let versioned = cmd.clone().long_version(None::<&'static str>);
    let man = clap_mangen::Man::new(versioned);
    // clap_mangen's own SUBCOMMANDS section points to a page per subcommand
    // (`etl-convert(1)`); the subcommands live in this page's COMMAND DETAILS instead.
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let subs: Vec<&Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    if !subs.is_empty() {
        writeln!(page, ".SH SUBCOMMANDS")?;
        for sub in &subs {
            let full = format!("{} {}", cmd.get_name(), sub.get_name());
            writeln!(page, ".TP\n\\fB{}\\fR", escape(&full))?;
            if let Some(about) = sub.get_about() {
                writeln!(page, "{}", escape(&about.to_string()))?;
            }
        }
        writeln!(page, ".PP\nEach is described under COMMAND DETAILS below.")?;
    }
    man.render_extra_section(&mut page)?;
    man.render_version_section(&mut page)?;
    man.render_authors_section(&mut page)?;
    out.write_all(&page)?;
    if subs.is_empty() {
        return Ok(());
    }
    writeln!(out, ".SH \"COMMAND DETAILS\"")?;
    for sub in subs {
        section(out, cmd.get_name(), sub)?;
    }
    Ok(())
}

fn section(out: &mut dyn Write, parent: &str, cmd: &Command) -> io::Result<()> {
    let full = format!("{parent} {}", cmd.get_name());
    writeln!(out, ".SS \"{}\"", escape(&full))?;
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        paragraphs(out, &about.to_string())?;
    }
    let usage = cmd.clone().bin_name(&full).render_usage().to_string();
    writeln!(
        out,
        ".PP\n\\fB{}\\fR",
        escape(usage.trim_start_matches("Usage: "))
    )?;
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let id = arg.get_id().as_str();
        if id == "help" || id == "generate" || id == "version" {
            continue;
        }
        let mut names = Vec::new();
        if let Some(s) = arg.get_short() {
            names.push(format!("-{s}"));
        }
        if let Some(l) = arg.get_long() {
            names.push(format!("--{l}"));
        }
        let value = arg
            .get_value_names()
            .map(|v| {
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let head = if names.is_empty() {
            format!(
                "<{}>",
                if value.is_empty() {
                    id.to_string()
                } else {
                    value
                }
            )
        } else if arg.get_action().takes_values() && !value.is_empty() {
            format!("{} <{value}>", names.join(", "))
        } else {
            names.join(", ")
        };
        writeln!(out, ".TP\n\\fB{}\\fR", escape(&head))?;
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            writeln!(out, "{}", escape(&help.to_string().replace('\n', " ")))?;
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            writeln!(out, "[default: {}]", escape(&defaults.join(", ")))?;
        }
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !matches!(arg.get_action(), clap::ArgAction::SetTrue) {
            writeln!(out, "[possible values: {}]", escape(&values.join(", ")))?;
        }
    }
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        writeln!(out, ".PP")?;
        writeln!(out, ".nf")?;
        for line in after.to_string().lines() {
            writeln!(out, "{}", escape(line))?;
        }
        writeln!(out, ".fi")?;
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        section(out, &full, sub)?;
    }
    Ok(())
}

fn paragraphs(out: &mut dyn Write, text: &str) -> io::Result<()> {
    for para in text.split("\n\n") {
        writeln!(out, ".PP\n{}", escape(&para.replace('\n', " ")))?;
    }
    Ok(())
}

/// Escapes text for roff: backslashes, and a leading `.` or `'` that would be a request.
fn escape(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}
