//! The record layer every tool reads and writes through: sources and sniffing, NDJSON
//! decoding with schema inference and widening, and the writers for each output format.

pub mod compress;
pub mod decode;
pub mod direct;
pub mod infer;
pub mod ipc;
pub mod json;
pub mod lines;
pub mod ndjson;
pub mod parallel;
pub mod partition;
pub mod reader;
pub mod rejects;
pub mod rows;
pub mod schema;
pub mod source;
pub mod staged;
pub mod table;
pub mod text;
pub mod union;
pub mod window;
pub mod writer;

pub use reader::{ReadOptions, RecordReader};
pub use source::{InputFormat, Source};
pub use writer::{LazySink, OutputFormat, RecordSink, SinkOptions};

#[cfg(test)]
mod tests {
    /// The record layer is a library: what reaches the terminal and what lives for the
    /// whole process belong to `cli`, and come in through the readers' and sinks' options.
    #[test]
    fn the_record_layer_has_no_cli_calls_and_no_globals() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib/record");
        // Spelled in pieces so this test does not find itself.
        let banned = [
            concat!("cli", "::"),
            concat!("Once", "Lock"),
            concat!("thread", "_local!"),
            concat!("Lazy", "Lock"),
        ];
        let global = concat!("static", " ");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default().trim_start();
                let bad = banned.iter().any(|b| code.contains(b))
                    || code.starts_with(global)
                    || code.starts_with(&format!("pub {global}"));
                assert!(!bad, "{}:{}: {line}", path.display(), n + 1);
            }
        }
    }
}
