# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_spictl_global_optspecs
    string join \n generate= d/device= mode= speed= bits= lsb-first= cs-high= 3wire= h/help V/version
end

function __fish_spictl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_spictl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_spictl_using_subcommand
    set -l cmd (__fish_spictl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c spictl -n "__fish_spictl_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_needs_command" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_needs_command" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_needs_command" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_needs_command" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_needs_command" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_needs_command" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_needs_command" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_needs_command" -s h -l help -d 'Print help'
complete -c spictl -n "__fish_spictl_needs_command" -s V -l version -d 'Print version'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "info" -d 'Show the device and its settings: mode, bits, speed, flags and spidev\'s bufsiz'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "config" -d 'Change the bus settings given as options and show them'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "xfer" -d 'Full-duplex transfer: one record per segment with the bytes sent and received (hex)'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "pipe" -d 'Raw bytes: stdin goes out on the bus in blocks, what comes back goes to stdout'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "reg" -d 'Read and write registers, optionally decoded with a TOML register map'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "sample" -d 'Sample an MCP3008/MCP3208 ADC at a fixed rate: timestamped records'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "flash" -d '25-series SPI NOR flash: id, read, write, erase, verify'
complete -c spictl -n "__fish_spictl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand info" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand info" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand info" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand info" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand info" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand info" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand info" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand info" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand info" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand config" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand config" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand config" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand config" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand config" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand config" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand config" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand config" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand config" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l file -d 'Send the bytes of this file as one segment (\'-\': stdin)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand xfer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l block-size -d 'Bytes per message [default: spidev\'s bufsiz, 4096 for simulations]' -r
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand pipe" -s h -l help -d 'Print help'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -s h -l help -d 'Print help'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -f -a "read" -d 'Read registers by address or by name from a map, decoding bit fields'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -f -a "write" -d 'Write a register: a whole value, or named fields (read-modify-write) with a map'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and not __fish_seen_subcommand_from read write help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l map -d 'TOML register map (defaults to the map of a sim:regmap device)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l bytes -d 'Register width in bytes for registers not in a map' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l addr-bytes -d 'Address header width in bytes [default: 1]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l read-flag -d 'Bits set in the address header for reads [default: 0x80]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l write-flag -d 'Bits set in the address header for writes [default: 0]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l addr-mask -d 'Address bits kept [default: every bit but the flags]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -l little-endian -d 'Multi-byte registers are little-endian'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l map -d 'TOML register map (defaults to the map of a sim:regmap device)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l bytes -d 'Register width in bytes for registers not in a map' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l addr-bytes -d 'Address header width in bytes [default: 1]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l read-flag -d 'Bits set in the address header for reads [default: 0x80]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l write-flag -d 'Bits set in the address header for writes [default: 0]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l addr-mask -d 'Address bits kept [default: every bit but the flags]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -l little-endian -d 'Multi-byte registers are little-endian'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from help" -f -a "read" -d 'Read registers by address or by name from a map, decoding bit fields'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from help" -f -a "write" -d 'Write a register: a whole value, or named fields (read-modify-write) with a map'
complete -c spictl -n "__fish_spictl_using_subcommand reg; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l chip -d 'The ADC on the bus' -r -f -a "mcp3008\t''
mcp3208\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l channel -d 'Channels 0-7, comma separated; each is converted at every tick' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l rate -d 'Ticks per second' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l count -d 'Stop after N schedule slots, N/rate seconds from the first one: slots missed by overruns count too (each is reported), so the run covers exactly that time (default: run until interrupted or the output closes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l rt-priority -d 'Run the sampling thread as SCHED_FIFO at this priority (1-99) with memory locked, so other work cannot preempt it (needs root or CAP_SYS_NICE)' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l align -d 'Take the first sample on a whole multiple of this interval of UTC time (the default: on a whole second), so records line up with time windows downstream (`etl agg --window 1s` gets whole seconds); 0 starts at once' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l vref -d 'Reference voltage: value = raw / 2^bits * VREF' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand sample" -l diff -d 'Differential pairs instead of single-ended inputs (channel = D2..D0 code)'
complete -c spictl -n "__fish_spictl_using_subcommand sample" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -s h -l help -d 'Print help'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "id" -d 'Read the JEDEC id and name the part and its size'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "info" -d 'What the part is and how spictl drives it: from its SFDP (JESD216) tables where it has them, else from its JEDEC id and spictl\'s part table'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "protect" -d 'Show or set the block protection: the status register\'s BP, TB, SEC and CMP bits as the range they protect'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "read" -d 'Read the flash (or a range of it) into a file or stdout'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "write" -d 'Write an image: erase what it touches, program, verify'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "erase" -d 'Erase the whole chip, or a 4 KiB-aligned range'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "verify" -d 'Compare the flash with an image'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and not __fish_seen_subcommand_from id info protect read write erase verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from id" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l range -d 'Protect exactly START..END (K/M suffixes); one of the ranges the part\'s protect bits can express' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -l none -d 'Clear the protection'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from protect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l offset -d 'Start address (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l length -d 'Bytes (K/M suffixes) [default: to the end of the flash]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l layout -d 'The regions: flashrom\'s layout text (START:END NAME, hex, END inclusive) or a file holding an FMAP, such as a coreboot image [default for write and verify: the image\'s own FMAP]' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l region -d 'Work on this region only; write and verify take an image of the whole flash (only the region\'s bytes are used) or of the region alone' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l offset -d 'Where the image starts in the flash (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l layout -d 'The regions: flashrom\'s layout text (START:END NAME, hex, END inclusive) or a file holding an FMAP, such as a coreboot image [default for write and verify: the image\'s own FMAP]' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l region -d 'Work on this region only; write and verify take an image of the whole flash (only the region\'s bytes are used) or of the region alone' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l no-erase -d 'Program over the current contents without erasing (can only clear bits)'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -l no-verify -d 'Skip reading back and comparing'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l offset -d 'Start address (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l length -d 'Bytes (K/M suffixes) [default: to the end of the flash]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l layout -d 'The regions: flashrom\'s layout text (START:END NAME, hex, END inclusive) or a file holding an FMAP, such as a coreboot image [default for write and verify: the image\'s own FMAP]' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l region -d 'Work on this region only; write and verify take an image of the whole flash (only the region\'s bytes are used) or of the region alone' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from erase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l offset -d 'Where the image starts in the flash (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l layout -d 'The regions: flashrom\'s layout text (START:END NAME, hex, END inclusive) or a file holding an FMAP, such as a coreboot image [default for write and verify: the image\'s own FMAP]' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l region -d 'Work on this region only; write and verify take an image of the whole flash (only the region\'s bytes are used) or of the region alone' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l size -d 'Flash size when the JEDEC id does not tell it (K/M suffixes)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -s d -l device -d 'The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l mode -d 'SPI mode 0-3 (CPOL<<1 | CPHA)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l speed -d 'Clock in Hz (k and M suffixes: 500k, 10M)' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l bits -d 'Bits per word' -r
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l lsb-first -d 'Shift bits out least significant first (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l cs-high -d 'Chip select active high (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -l 3wire -d '3-wire mode: one shared data line (=false to turn off)' -r -f -a "true\t''
false\t''"
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "id" -d 'Read the JEDEC id and name the part and its size'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "info" -d 'What the part is and how spictl drives it: from its SFDP (JESD216) tables where it has them, else from its JEDEC id and spictl\'s part table'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "protect" -d 'Show or set the block protection: the status register\'s BP, TB, SEC and CMP bits as the range they protect'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "read" -d 'Read the flash (or a range of it) into a file or stdout'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "write" -d 'Write an image: erase what it touches, program, verify'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "erase" -d 'Erase the whole chip, or a 4 KiB-aligned range'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Compare the flash with an image'
complete -c spictl -n "__fish_spictl_using_subcommand flash; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "info" -d 'Show the device and its settings: mode, bits, speed, flags and spidev\'s bufsiz'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "config" -d 'Change the bus settings given as options and show them'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "xfer" -d 'Full-duplex transfer: one record per segment with the bytes sent and received (hex)'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "pipe" -d 'Raw bytes: stdin goes out on the bus in blocks, what comes back goes to stdout'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "reg" -d 'Read and write registers, optionally decoded with a TOML register map'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "sample" -d 'Sample an MCP3008/MCP3208 ADC at a fixed rate: timestamped records'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "flash" -d '25-series SPI NOR flash: id, read, write, erase, verify'
complete -c spictl -n "__fish_spictl_using_subcommand help; and not __fish_seen_subcommand_from info config xfer pipe reg sample flash help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from reg" -f -a "read" -d 'Read registers by address or by name from a map, decoding bit fields'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from reg" -f -a "write" -d 'Write a register: a whole value, or named fields (read-modify-write) with a map'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "id" -d 'Read the JEDEC id and name the part and its size'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "info" -d 'What the part is and how spictl drives it: from its SFDP (JESD216) tables where it has them, else from its JEDEC id and spictl\'s part table'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "protect" -d 'Show or set the block protection: the status register\'s BP, TB, SEC and CMP bits as the range they protect'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "read" -d 'Read the flash (or a range of it) into a file or stdout'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "write" -d 'Write an image: erase what it touches, program, verify'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "erase" -d 'Erase the whole chip, or a 4 KiB-aligned range'
complete -c spictl -n "__fish_spictl_using_subcommand help; and __fish_seen_subcommand_from flash" -f -a "verify" -d 'Compare the flash with an image'
