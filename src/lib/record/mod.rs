//! The record layer every tool reads and writes through: sources and sniffing, NDJSON
//! decoding with schema inference and widening, and the writers for each output format.

pub mod compress;
pub mod decode;
pub mod direct;
pub mod infer;
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
pub mod table;
pub mod text;
pub mod union;
pub mod window;
pub mod writer;

pub use reader::{ReadOptions, RecordReader};
pub use source::{InputFormat, Source};
pub use writer::{LazySink, OutputFormat, RecordSink, SinkOptions};
