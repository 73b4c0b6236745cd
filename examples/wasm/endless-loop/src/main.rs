//! Never ends: it counts forever without calling the host. Used to show that
//! `wasm-build run --timeout D` and `--fuel N` stop a runaway module, and say which did.
fn main() {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}
