#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pipekit::fuzzing::run("wasm_audit", data);
});
