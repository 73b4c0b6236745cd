# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pipekit_global_optspecs
    string join \n list install-links= generate= h/help V/version
end

function __fish_pipekit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pipekit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pipekit_using_subcommand
    set -l cmd (__fish_pipekit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pipekit -n "__fish_pipekit_needs_command" -l install-links -d 'Create a symlink to this binary in DIR for every tool it holds (existing files are left alone and reported)' -r -F
complete -c pipekit -n "__fish_pipekit_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c pipekit -n "__fish_pipekit_needs_command" -l list -d 'Print the tools this binary holds, one a line'
complete -c pipekit -n "__fish_pipekit_needs_command" -s h -l help -d 'Print help'
complete -c pipekit -n "__fish_pipekit_needs_command" -s V -l version -d 'Print version'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "etl" -d 'Convert, query, aggregate and reshape record streams: NDJSON, JSON, Arrow IPC, Parquet, CSV and TSV, compressed or not (see etl(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "vidx" -d 'A vector index: LSM storage (WAL, memtable, memory-mapped segments) with HNSW search (see vidx(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "netprobe" -d 'Trace TCP connections from the kernel (eBPF) and stream them as records or metrics (see netprobe(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "spictl" -d 'Drive SPI devices through Linux spidev: transfers, registers, ADC sampling, SPI NOR flash (see spictl(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "hidctl" -d 'USB HID control: list, read, write, feature reports, descriptors, record/replay, and the HID-to-SPI bridge (see hidctl(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "wasm-build" -d 'Build WASI modules from Rust crates, audit their capabilities, run them sandboxed (see wasm-build(1))'
complete -c pipekit -n "__fish_pipekit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "etl" -d 'Convert, query, aggregate and reshape record streams: NDJSON, JSON, Arrow IPC, Parquet, CSV and TSV, compressed or not (see etl(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "vidx" -d 'A vector index: LSM storage (WAL, memtable, memory-mapped segments) with HNSW search (see vidx(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "netprobe" -d 'Trace TCP connections from the kernel (eBPF) and stream them as records or metrics (see netprobe(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "spictl" -d 'Drive SPI devices through Linux spidev: transfers, registers, ADC sampling, SPI NOR flash (see spictl(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "hidctl" -d 'USB HID control: list, read, write, feature reports, descriptors, record/replay, and the HID-to-SPI bridge (see hidctl(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "wasm-build" -d 'Build WASI modules from Rust crates, audit their capabilities, run them sandboxed (see wasm-build(1))'
complete -c pipekit -n "__fish_pipekit_using_subcommand help; and not __fish_seen_subcommand_from etl vidx netprobe spictl hidctl wasm-build help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
