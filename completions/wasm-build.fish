# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wasm_build_global_optspecs
    string join \n generate= h/help V/version
end

function __fish_wasm_build_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wasm_build_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wasm_build_using_subcommand
    set -l cmd (__fish_wasm_build_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wasm-build -n "__fish_wasm_build_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c wasm-build -n "__fish_wasm_build_needs_command" -s h -l help -d 'Print help'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -s V -l version -d 'Print version'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -f -a "build" -d 'Build a crate for wasm32-wasip1 with cargo and report each module: path, size, sha256, exports, imports, capabilities'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -f -a "audit" -d 'One record per import of a module, with the capability it needs; check a policy; compare two builds'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -f -a "run" -d 'Run a WASI module with nothing granted unless asked: stdin/stdout/stderr piped, no environment, no directories, no network'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -f -a "web" -d 'Write a static web page that runs the module in the browser with a small WASI shim'
complete -c wasm-build -n "__fish_wasm_build_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l target -d 'The target triple' -r -f -a "wasm32-wasip1\t''
wasm32-unknown-unknown\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l bin -d 'Only this binary of the crate (cargo --bin)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l release -d 'Build with cargo\'s release profile'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -l strip -d 'Write a copy of each module without custom sections (names, producers, DWARF debug info) to stripped/ beside cargo\'s output, and report that copy; the code is not changed, and cargo\'s own file is left as built'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l policy -d 'A TOML policy: \'allow = [capabilities]\', \'allow_imports = [module.name]\'. Every import it does not allow is a violation: listed on stderr, exit status 1' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l diff -d 'Compare with another build: one record per capability gained (MODULE has it, OTHER does not) or lost' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l env -d 'Give the module an environment variable: NAME=VALUE, or NAME to pass this process\'s value. Nothing is inherited otherwise' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l dir -d 'Mount a host directory in the guest at GUEST; with :ro the module can read but not create, write, rename or delete anything under it' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l fuel -d 'Stop the module after about N executed WebAssembly instructions (exit status 125)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l timeout -d 'Stop the module after this long (500ms, 10s, 2m; exit status 124)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l max-memory -d 'Cap the module\'s linear memory (bytes; k, M, G suffixes are powers of 1024)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l strict -d 'Refuse to start a module that imports a capability the command line does not grant. Every module built with Rust\'s std imports environ_get (its panic hook reads RUST_BACKTRACE), so it passes only with at least one --env, e.g. --env RUST_BACKTRACE=0. fs-read needs a --dir, fs-write one without :ro; sockets and non-WASI imports never pass. A no_std module that imports only stdio (examples/wasm/ndjson-filter) needs nothing'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -l no-cache -d 'Compile the module again instead of using (and filling) the compiled-module cache'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -s o -l out-dir -d 'The directory to write the bundle to (created if missing)' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -l env -d 'An environment variable the page starts with (editable there)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -l stdin -d 'A file whose text the page starts with as stdin' -r -F
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -l deny -d 'A capability the page does not grant by default (args, env, clock, random)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -l title -d 'Page title (default: the module\'s file name)' -r
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c wasm-build -n "__fish_wasm_build_using_subcommand web" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand help; and not __fish_seen_subcommand_from build audit run web help" -f -a "build" -d 'Build a crate for wasm32-wasip1 with cargo and report each module: path, size, sha256, exports, imports, capabilities'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand help; and not __fish_seen_subcommand_from build audit run web help" -f -a "audit" -d 'One record per import of a module, with the capability it needs; check a policy; compare two builds'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand help; and not __fish_seen_subcommand_from build audit run web help" -f -a "run" -d 'Run a WASI module with nothing granted unless asked: stdin/stdout/stderr piped, no environment, no directories, no network'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand help; and not __fish_seen_subcommand_from build audit run web help" -f -a "web" -d 'Write a static web page that runs the module in the browser with a small WASI shim'
complete -c wasm-build -n "__fish_wasm_build_using_subcommand help; and not __fish_seen_subcommand_from build audit run web help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
