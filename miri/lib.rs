//! pipekit's modules that Miri checks, at the paths they have in pipekit (see
//! Cargo.toml). Nothing here but `#[path]` declarations.
#![allow(dead_code)]

#[path = "../src/lib/vidx"]
pub mod vidx {
    pub mod bitset;
    pub mod distance;
    pub mod hnsw;
    pub mod quant;
}

#[path = "../src/lib/hid"]
pub mod hid {
    pub mod protocol;
}

#[path = "../src/lib/record"]
pub mod record {
    pub mod text;
}
