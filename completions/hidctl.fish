# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hidctl_global_optspecs
    string join \n generate= d/device= sim-faults= h/help V/version
end

function __fish_hidctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hidctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hidctl_using_subcommand
    set -l cmd (__fish_hidctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hidctl -n "__fish_hidctl_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_needs_command" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_needs_command" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_needs_command" -s V -l version -d 'Print version'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "list" -d 'List HID interfaces: one record per hidraw node, with all its top-level usages'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "read" -d 'Read input reports: timestamped records with the report id, hex and decoded fields'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "write" -d 'Send an output report'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "xfer" -d 'Send an output report and read the input reports that answer it, on one open'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "feature" -d 'Get or set feature reports'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "descriptor" -d 'The report descriptor: items, or the report layout, from a device or offline'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "record" -d 'Record a device: its descriptor, then its input reports, as records'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "replay" -d 'Replay a recording through /dev/uhid: a device with the recorded descriptor sends the recorded input reports with their original spacing'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "spi" -d 'The HID-to-SPI bridge protocol, from the host side'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "emulate" -d 'Create emulated HID devices through /dev/uhid'
complete -c hidctl -n "__fish_hidctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l vid -d 'Only this vendor id (hex)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l pid -d 'Only this product id (hex)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l usage-page -d 'Only interfaces with a top-level collection on this usage page (hex)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l usage -d 'Only interfaces with this top-level usage (hex)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l serial -d 'Only this serial number' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l get-report -d 'Ask for input report N (a GET_REPORT request, HIDIOCGINPUT) instead of waiting for reports; --count times, default once' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l report-id -d 'Only reports with this report id (numbered devices)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l timeout -d 'Stop when no report arrives for this long (e.g. 500ms, 2s); without it, wait' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l count -d 'Stop after N reports' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l report-id -d 'Report id (0: the device does not number its reports)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l report-id -d 'Report id of the output report (0: the device does not number its reports)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l read -d 'Input reports to read after sending' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l timeout -d 'Fail if they have not all come within this long of the last one (e.g. 500ms)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand xfer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -s h -l help -d 'Print help'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -f -a "get" -d 'Read a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -f -a "set" -d 'Send a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and not __fish_seen_subcommand_from get set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l report-id -d 'Report id (0: the device does not number its reports)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l len -d 'Payload bytes to ask for [default: the size in the report descriptor]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l report-id -d 'Report id (0: the device does not number its reports)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from help" -f -a "get" -d 'Read a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from help" -f -a "set" -d 'Send a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand feature; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l hex -d 'Decode this descriptor (hex) instead of asking a device' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l file -d 'Decode a descriptor file: raw bytes (e.g. /sys/class/hidraw/hidraw0/device/report_descriptor) or hex text' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l layout -d 'One record per report field (report id, direction, bit offset, size, usages as names and as 32-bit codes, logical and physical ranges, unit) instead of one per item'
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -l raw -d 'One record with the descriptor\'s bytes in hex'
complete -c hidctl -n "__fish_hidctl_using_subcommand descriptor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l format -d 'What to write: hidctl\'s records, or the text hid-tools\' hid-recorder writes' -r -f -a "records\t'hidctl\'s records (in the -o format): a \'descriptor\' record, then \'input\' records'
hid-recorder\t'hid-recorder\'s text (hid-tools), which hid-replay and \'hidctl replay\' play back'"
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l report-id -d 'Only reports with this report id (numbered devices)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l timeout -d 'Stop when no report arrives for this long (e.g. 500ms, 2s); without it, wait' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l count -d 'Stop after N reports' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand record" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l speed -d 'Play faster (2 = twice as fast); 0 sends everything at once' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l wait -d 'Wait this long after creating the devices before the first report, so readers can open their hidraw nodes (uhid\'s open event cannot tell a reader from the kernel\'s own input handler, which opens a keyboard at once)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l no-wait -d 'Send the reports one after another without the recorded spacing (--speed 0)'
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -l dry-run -d 'Create no device: print the recording\'s input reports decoded with their device\'s descriptor, as records like read\'s with the device number and the time in the recording (seconds after its first report)'
complete -c hidctl -n "__fish_hidctl_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -s h -l help -d 'Print help'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -f -a "ping" -d 'Check that the device is a bridge: protocol version, chunk size'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -f -a "read" -d 'Read registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -f -a "write" -d 'Write VALUE... to registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -f -a "raw" -d 'One raw report for protocol debugging: 7 bytes get the CRC appended, 8 bytes are sent as given (a wrong CRC byte shows the bridge\'s NACK); no retries'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and not __fish_seen_subcommand_from ping read write raw help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l timeout -d 'How long to wait for each answer (e.g. 250ms)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l retries -d 'Times to repeat a request (same sequence number) that got no good answer' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from ping" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l count -d 'Registers to read' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l timeout -d 'How long to wait for each answer (e.g. 250ms)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l retries -d 'Times to repeat a request (same sequence number) that got no good answer' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l timeout -d 'How long to wait for each answer (e.g. 250ms)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l retries -d 'Times to repeat a request (same sequence number) that got no good answer' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l timeout -d 'How long to wait for each answer (e.g. 250ms)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l retries -d 'Times to repeat a request (same sequence number) that got no good answer' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from raw" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from help" -f -a "ping" -d 'Check that the device is a bridge: protocol version, chunk size'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from help" -f -a "read" -d 'Read registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from help" -f -a "write" -d 'Write VALUE... to registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from help" -f -a "raw" -d 'One raw report for protocol debugging: 7 bytes get the CRC appended, 8 bytes are sent as given (a wrong CRC byte shows the bridge\'s NACK); no retries'
complete -c hidctl -n "__fish_hidctl_using_subcommand spi; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -s h -l help -d 'Print help'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -f -a "bridge" -d 'A HID-SPI bridge through /dev/uhid, answering the bridge protocol'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and not __fish_seen_subcommand_from bridge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l backend -d 'The SPI side: sim:loopback, sim:mcp3008, sim:w25q128[=IMAGE], sim:regmap=MAP.toml, or /dev/spidevB.C' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l vid -d 'Vendor id (hex) [default: 1209, pid.codes]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l pid -d 'Product id (hex) [default: 0001, the pid.codes test PID]' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l name -d 'Device name the kernel shows' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l count -d 'Stop after this many requests' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -s d -l device -d 'The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge simulated in process); list, replay and emulate do not use it' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -l sim-faults -d 'Faults for the simulated bridge only, to see retries at work: every Nth report dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13' -r
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from bridge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "bridge" -d 'A HID-SPI bridge through /dev/uhid, answering the bridge protocol'
complete -c hidctl -n "__fish_hidctl_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "list" -d 'List HID interfaces: one record per hidraw node, with all its top-level usages'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "read" -d 'Read input reports: timestamped records with the report id, hex and decoded fields'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "write" -d 'Send an output report'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "xfer" -d 'Send an output report and read the input reports that answer it, on one open'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "feature" -d 'Get or set feature reports'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "descriptor" -d 'The report descriptor: items, or the report layout, from a device or offline'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "record" -d 'Record a device: its descriptor, then its input reports, as records'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "replay" -d 'Replay a recording through /dev/uhid: a device with the recorded descriptor sends the recorded input reports with their original spacing'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "spi" -d 'The HID-to-SPI bridge protocol, from the host side'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "emulate" -d 'Create emulated HID devices through /dev/uhid'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and not __fish_seen_subcommand_from list read write xfer feature descriptor record replay spi emulate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from feature" -f -a "get" -d 'Read a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from feature" -f -a "set" -d 'Send a feature report'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from spi" -f -a "ping" -d 'Check that the device is a bridge: protocol version, chunk size'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from spi" -f -a "read" -d 'Read registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from spi" -f -a "write" -d 'Write VALUE... to registers ADDR, ADDR+1, ...: one record each'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from spi" -f -a "raw" -d 'One raw report for protocol debugging: 7 bytes get the CRC appended, 8 bytes are sent as given (a wrong CRC byte shows the bridge\'s NACK); no retries'
complete -c hidctl -n "__fish_hidctl_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "bridge" -d 'A HID-SPI bridge through /dev/uhid, answering the bridge protocol'
