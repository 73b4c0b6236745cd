//! pipekit: small Unix tools that share one record layer and speak NDJSON or Arrow IPC
//! on stdin/stdout. The binaries in `src/bin/` only parse arguments and call in here.

pub mod cli;
pub mod error;
pub mod record;

/// The fuzz targets (`fuzz/` and `make fuzz` run them; `make test` replays their corpus).
#[doc(hidden)]
pub mod fuzzing;

#[cfg(feature = "sql")]
pub mod expr;

#[cfg(feature = "etl")]
pub mod etl;

#[cfg(feature = "spictl")]
pub mod spi;

#[cfg(feature = "netprobe")]
pub mod netprobe;

#[cfg(feature = "hidctl")]
pub mod hid;
#[cfg(feature = "vidx")]
pub mod vidx;
#[cfg(feature = "wasm-build")]
pub mod wasm;

/// musl's malloc serialises threads (DataFusion, the NDJSON workers and HNSW builds all
/// allocate from several): the static builds allocate with mimalloc instead.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
