# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_etl_global_optspecs
    string join \n generate= h/help V/version
end

function __fish_etl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_etl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_etl_using_subcommand
    set -l cmd (__fish_etl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c etl -n "__fish_etl_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_needs_command" -s h -l help -d 'Print help'
complete -c etl -n "__fish_etl_needs_command" -s V -l version -d 'Print version'
complete -c etl -n "__fish_etl_needs_command" -f -a "convert" -d 'Convert records from any input format to any output format'
complete -c etl -n "__fish_etl_needs_command" -f -a "schema" -d 'Print the schema of the input as JSON (inferred for NDJSON and CSV)'
complete -c etl -n "__fish_etl_needs_command" -f -a "agg" -d 'Aggregate records by key, to the end of input or over event-time windows'
complete -c etl -n "__fish_etl_needs_command" -f -a "sql" -d 'Run a SQL query (Apache DataFusion) over the input, the table `input`'
complete -c etl -n "__fish_etl_needs_command" -f -a "filter" -d 'Keep the records for which a SQL condition is true'
complete -c etl -n "__fish_etl_needs_command" -f -a "select" -d 'Compute columns from SQL expressions: \'EXPR [AS name], ...\''
complete -c etl -n "__fish_etl_needs_command" -f -a "sort" -d 'Sort the whole input; larger than --memory it spills sorted runs to disk'
complete -c etl -n "__fish_etl_needs_command" -f -a "head" -d 'The first N records (stops reading as soon as it has them)'
complete -c etl -n "__fish_etl_needs_command" -f -a "tail" -d 'The last N records (memory: only the batches that hold them)'
complete -c etl -n "__fish_etl_needs_command" -f -a "flatten" -d 'Turn nested objects into dotted columns (a.b.c), e.g. for CSV'
complete -c etl -n "__fish_etl_needs_command" -f -a "count" -d 'Count the records in the input (one record with a `count` field)'
complete -c etl -n "__fish_etl_needs_command" -f -a "summarize" -d 'One record per column: type, counts, distinct values, range, mean, quantiles, the most frequent values and a histogram'
complete -c etl -n "__fish_etl_needs_command" -f -a "plot" -d 'Draw records as a chart: in the terminal, or into an SVG or PNG file'
complete -c etl -n "__fish_etl_needs_command" -f -a "run" -d 'Run a continuous pipeline from a Kafka topic to a topic (or stdout), at least once'
complete -c etl -n "__fish_etl_needs_command" -f -a "kafka" -d 'Read records from and write records to Kafka topics'
complete -c etl -n "__fish_etl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c etl -n "__fish_etl_using_subcommand convert" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand convert" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand convert" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand convert" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand convert" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand convert" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand convert" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand convert" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand schema" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand schema" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand schema" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand schema" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand agg" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand agg" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand agg" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand agg" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand agg" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand agg" -l agg -d 'Aggregates, comma-separated, each optionally `AS name`: count(*), count(x), sum(x), avg(x), min(x), max(x), count_distinct(x), p50(x), p95(x), p99(x). All are exact: count_distinct and the percentiles keep each group\'s values in memory; percentiles interpolate linearly between ranks (as DuckDB\'s quantile_cont) [default: count(*)]' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l by -d 'Group by these fields (comma-separated)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l window -d 'Aggregate over event-time windows of this length (e.g. 1s, 100ms, 5m)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l slide -d 'Start a window every DURATION (hopping windows); default: the window length (tumbling)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l time -d 'The event-time field (a timestamp, an RFC 3339 string, or integer nanoseconds)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l lateness -d 'How late a record may arrive: a window closes when the largest time seen passes its end by this much. Later records are counted as late, not aggregated' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand agg" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand agg" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand agg" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand sql" -s t -l table -d 'Another table for the query: NAME=PATH (NDJSON, Arrow, Parquet or CSV)' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l threads -d 'Worker threads and partitions for the query [default: one per core]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l memory -d 'Memory for sorts, joins and aggregations (e.g. 512M, 2G); past it they spill to disk [default: no limit]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l temp-dir -d 'Directory for spill files [default: the system temporary directory]' -r -F
complete -c etl -n "__fish_etl_using_subcommand sql" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand sql" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand sql" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand sql" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand sql" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand sql" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand sql" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand sql" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand sql" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand sql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand filter" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand filter" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand filter" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand filter" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand filter" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand filter" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand filter" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand filter" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand filter" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand select" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand select" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand select" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand select" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand select" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand select" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand select" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand select" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand select" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand select" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand select" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand sort" -l by -d 'Sort keys, as in SQL\'s ORDER BY: \'ts\', \'status DESC, latency_ms\'' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l threads -d 'Worker threads and partitions for the query [default: one per core]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l memory -d 'Memory for sorts, joins and aggregations (e.g. 512M, 2G); past it they spill to disk [default: no limit]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l temp-dir -d 'Directory for spill files [default: the system temporary directory]' -r -F
complete -c etl -n "__fish_etl_using_subcommand sort" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand sort" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand sort" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand sort" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand sort" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand sort" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand sort" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand sort" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand sort" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand sort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand head" -s n -l lines -d 'How many records' -r
complete -c etl -n "__fish_etl_using_subcommand head" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand head" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand head" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand head" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand head" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand head" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand head" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand head" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand head" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand head" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand tail" -s n -l lines -d 'How many records' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand tail" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand tail" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand tail" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand tail" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand tail" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand tail" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand tail" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand flatten" -l separator -d 'Joins the names of nested fields' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand flatten" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand flatten" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand flatten" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand count" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand count" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand count" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand count" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand count" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand count" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand count" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand count" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand count" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand summarize" -l top -d 'How many of the most frequent values to list per column' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l exact-distinct -d 'Distinct values counted exactly per column; above this, distinct is a sketch\'s estimate and the top values\' counts are lower bounds (both said in the output)' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand summarize" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand summarize" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand summarize" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand summarize" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand summarize" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand summarize" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand summarize" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand summarize" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand summarize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand plot" -l kind -d 'Chart kind [default: bar when --x is a text column, else line]' -r -f -a "line\t''
scatter\t''
bar\t''
hist\t''
area\t''
heatmap\t''"
complete -c etl -n "__fish_etl_using_subcommand plot" -l x -d 'The x column [default: the first timestamp column, else the record number]. hist and a single-column chart draw --y alone' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l y -d 'The y column(s), comma-separated [default: every numeric column but x, up to 8]' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l by -d 'One series per value of this column (with a single --y)' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l bins -d 'Bins of hist (and per axis of heatmap)' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l title -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l out -d 'Write the chart to this file: .svg or .png (fonts are built in, so a PNG looks the same on any machine)' -r -F
complete -c etl -n "__fish_etl_using_subcommand plot" -l size -d 'Width and height of a file chart in pixels' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l theme -r -f -a "light\t''
dark\t''"
complete -c etl -n "__fish_etl_using_subcommand plot" -l span -d 'With --live and a time axis: draw the last SPAN of time (e.g. 60s, 5m)' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l every -d 'With --live: redraw at most this often [default: 250ms on a terminal, 1s for --out]' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand plot" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand plot" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand plot" -l log-x -d 'Logarithmic x axis (values <= 0 are left out and counted)'
complete -c etl -n "__fish_etl_using_subcommand plot" -l log-y -d 'Logarithmic y axis (values <= 0 are left out and counted)'
complete -c etl -n "__fish_etl_using_subcommand plot" -l live -d 'Redraw as records arrive (on the terminal, or rewriting --out), until the input ends or SIGINT/SIGTERM, which leave the last frame'
complete -c etl -n "__fish_etl_using_subcommand plot" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand plot" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand plot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand run" -l from -d 'Source: kafka://HOST:PORT[,HOST:PORT...]/TOPIC?group=GROUP[&from=beginning|end]. The group\'s committed offsets say where to resume; `from` applies only where it has none (default beginning)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l to -d 'Destination: kafka://HOST:PORT[,...]/TOPIC[?key=FIELD] (one JSON message per result record, keyed by FIELD), or - for stdout (-o picks the format)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l filter -d 'Keep the records for which this SQL condition is true' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l select -d 'Compute these columns: \'EXPR [AS name], ...\' (after --filter)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l sql -d 'Run this SQL query on every micro-batch (the table `input`); for aggregates over time use --window instead, which keeps state across batches' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l agg -d 'Aggregates, comma-separated, each optionally `AS name`: count(*), count(x), sum(x), avg(x), min(x), max(x), count_distinct(x), p50(x), p95(x), p99(x). All are exact: count_distinct and the percentiles keep each group\'s values in memory; percentiles interpolate linearly between ranks (as DuckDB\'s quantile_cont) [default: count(*)]' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l by -d 'Group by these fields (comma-separated)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l window -d 'Aggregate over event-time windows of this length (e.g. 1s, 100ms, 5m)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l slide -d 'Start a window every DURATION (hopping windows); default: the window length (tumbling)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l time -d 'The event-time field (a timestamp, an RFC 3339 string, or integer nanoseconds)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l lateness -d 'How late a record may arrive: a window closes when the largest time seen passes its end by this much. Later records are counted as late, not aggregated' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l batch-size -d 'Largest micro-batch (batches are also cut whenever no message is waiting)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l on-error -d 'A source message that is not a JSON object or does not fit the schema: fail, skip, dead-letter=PATH or dead-letter=kafka:TOPIC (as for \'etl kafka consume\'); a message set aside is committed once it reached its dead-letter place' -r
complete -c etl -n "__fish_etl_using_subcommand run" -s X -d 'Any librdkafka property for both ends, repeatable (see \'etl kafka consume --help\')' -r
complete -c etl -n "__fish_etl_using_subcommand run" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand run" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand run" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand run" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand run" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand run" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand run" -s e -l until-end -d 'Stop once every assigned source partition reaches the end it had at start (open windows are then emitted); without it, run until SIGINT/SIGTERM'
complete -c etl -n "__fish_etl_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand kafka; and not __fish_seen_subcommand_from consume produce help" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand kafka; and not __fish_seen_subcommand_from consume produce help" -s h -l help -d 'Print help'
complete -c etl -n "__fish_etl_using_subcommand kafka; and not __fish_seen_subcommand_from consume produce help" -f -a "consume" -d 'Read messages as records: topic, partition, offset, key, ts, headers + the payload'
complete -c etl -n "__fish_etl_using_subcommand kafka; and not __fish_seen_subcommand_from consume produce help" -f -a "produce" -d 'Write records as messages: one JSON message per record, or one Arrow IPC message per batch'
complete -c etl -n "__fish_etl_using_subcommand kafka; and not __fish_seen_subcommand_from consume produce help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s b -l brokers -d 'Bootstrap brokers, host:port[,host:port...]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s X -d 'Any librdkafka property, repeatable: -X security.protocol=ssl, -X compression.type=zstd, -X sasl.mechanism=SCRAM-SHA-256 ... librdkafka 2.12.1 here reports the features: gzip, snappy, lz4, zstd, ssl, sasl_plain, sasl_scram, sasl_oauthbearer, sasl_gssapi (OAuth/OIDC token fetching over HTTPS is not built)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s t -l topic -d 'Topic to read' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s g -l group -d 'Consumer group: partitions are shared with the group\'s other members and offsets are committed (only after the records were written out)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l from -d 'Where to start: beginning, end, an OFFSET, -N (N before the end), or an RFC 3339 time. With --group only beginning|end, used where the group has no committed offset' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s c -l count -d 'Stop after N records' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l raw -d 'Do not parse payloads as JSON objects: a `payload` column of text (or hex)' -r -f -a "text\t'A `payload` string column (UTF-8 payloads only)'
hex\t'A `payload` column of lowercase hex'"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l schema -d 'Payload schema instead of inference: \'name:type,...\' or a JSON file from \'etl schema\' (it must include the message columns too)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l batch-size -d 'Rows per Arrow batch (batches are also cut whenever no message is waiting)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l on-error -d 'A message that is not a JSON object, or does not parse or fit the schema: fail (stop, naming its partition and offset), skip (leave it out and count it; exit status 3), dead-letter=PATH (skip, and append it with where and why to PATH as NDJSON) or dead-letter=kafka:TOPIC (skip, and produce it with its own key and headers plus pipekit.error and pipekit.source.* headers to TOPIC on the same brokers). With --group, a message set aside is committed like one written: only after it reached the dead-letter file or topic' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s e -l until-end -d 'Stop once every assigned partition reaches the end it had when we started (high watermarks are taken at start; works with --group)'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from consume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s b -l brokers -d 'Bootstrap brokers, host:port[,host:port...]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s X -d 'Any librdkafka property, repeatable: -X security.protocol=ssl, -X compression.type=zstd, -X sasl.mechanism=SCRAM-SHA-256 ... librdkafka 2.12.1 here reports the features: gzip, snappy, lz4, zstd, ssl, sasl_plain, sasl_scram, sasl_oauthbearer, sasl_gssapi (OAuth/OIDC token fetching over HTTPS is not built)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s t -l topic -d 'Topic to write' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s k -l key -d 'Use this field\'s value as the message key: a string\'s text, any other value\'s JSON text (librdkafka\'s partitioner then keeps equal keys in one partition)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s p -l partition-by -d 'Choose the partition from this field: an integer is the partition number, any other value is hashed (FNV-1a) over the topic\'s partitions' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s f -l format -d 'Message format' -r -f -a "json\t'One JSON object per message, one message per record'
arrow\t'One Arrow IPC stream (schema + batch) per message, one message per batch'"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l quote -d 'CSV/TSV: the quote character' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from help" -f -a "consume" -d 'Read messages as records: topic, partition, offset, key, ts, headers + the payload'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from help" -f -a "produce" -d 'Write records as messages: one JSON message per record, or one Arrow IPC message per batch'
complete -c etl -n "__fish_etl_using_subcommand kafka; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "convert" -d 'Convert records from any input format to any output format'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "schema" -d 'Print the schema of the input as JSON (inferred for NDJSON and CSV)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "agg" -d 'Aggregate records by key, to the end of input or over event-time windows'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "sql" -d 'Run a SQL query (Apache DataFusion) over the input, the table `input`'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "filter" -d 'Keep the records for which a SQL condition is true'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "select" -d 'Compute columns from SQL expressions: \'EXPR [AS name], ...\''
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "sort" -d 'Sort the whole input; larger than --memory it spills sorted runs to disk'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "head" -d 'The first N records (stops reading as soon as it has them)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "tail" -d 'The last N records (memory: only the batches that hold them)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "flatten" -d 'Turn nested objects into dotted columns (a.b.c), e.g. for CSV'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "count" -d 'Count the records in the input (one record with a `count` field)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "summarize" -d 'One record per column: type, counts, distinct values, range, mean, quantiles, the most frequent values and a histogram'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "plot" -d 'Draw records as a chart: in the terminal, or into an SVG or PNG file'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "run" -d 'Run a continuous pipeline from a Kafka topic to a topic (or stdout), at least once'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "kafka" -d 'Read records from and write records to Kafka topics'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg sql filter select sort head tail flatten count summarize plot run kafka help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c etl -n "__fish_etl_using_subcommand help; and __fish_seen_subcommand_from kafka" -f -a "consume" -d 'Read messages as records: topic, partition, offset, key, ts, headers + the payload'
complete -c etl -n "__fish_etl_using_subcommand help; and __fish_seen_subcommand_from kafka" -f -a "produce" -d 'Write records as messages: one JSON message per record, or one Arrow IPC message per batch'
