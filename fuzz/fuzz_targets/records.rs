#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pipekit::fuzzing::run("records", data);
});
