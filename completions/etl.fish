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
complete -c etl -n "__fish_etl_needs_command" -f -a "head" -d 'The first N records (stops reading as soon as it has them)'
complete -c etl -n "__fish_etl_needs_command" -f -a "tail" -d 'The last N records (memory: only the batches that hold them)'
complete -c etl -n "__fish_etl_needs_command" -f -a "flatten" -d 'Turn nested objects into dotted columns (a.b.c), e.g. for CSV'
complete -c etl -n "__fish_etl_needs_command" -f -a "count" -d 'Count the records in the input (one record with a `count` field)'
complete -c etl -n "__fish_etl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c etl -n "__fish_etl_using_subcommand convert" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand convert" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand convert" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand convert" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand convert" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand schema" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand schema" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand schema" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand agg" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand agg" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand agg" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand agg" -l agg -d 'Aggregates, comma-separated, each optionally `AS name`: count(*), count(x), sum(x), avg(x), min(x), max(x), count_distinct(x), p50(x), p95(x), p99(x). All are exact: count_distinct and the percentiles keep each group\'s values in memory; percentiles interpolate linearly between ranks (as DuckDB\'s quantile_cont)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l by -d 'Group by these fields (comma-separated)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l window -d 'Aggregate over event-time windows of this length (e.g. 1s, 100ms, 5m)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l slide -d 'Start a window every DURATION (hopping windows); default: the window length (tumbling)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l time -d 'The event-time field (a timestamp, an RFC 3339 string, or integer nanoseconds)' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l lateness -d 'How late a record may arrive: a window closes when the largest time seen passes its end by this much. Later records are counted as late, not aggregated' -r
complete -c etl -n "__fish_etl_using_subcommand agg" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand agg" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand head" -s n -l lines -d 'How many records' -r
complete -c etl -n "__fish_etl_using_subcommand head" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand head" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand head" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand head" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand head" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand head" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand head" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand tail" -s n -l lines -d 'How many records' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand tail" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand tail" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand tail" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand tail" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand flatten" -l separator -d 'Joins the names of nested fields' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand flatten" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand flatten" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand flatten" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand flatten" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand count" -s i -l input -d 'Force the input format instead of sniffing it (needed for CSV on stdin)' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t''"
complete -c etl -n "__fish_etl_using_subcommand count" -l batch-size -d 'Rows per Arrow batch' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c etl -n "__fish_etl_using_subcommand count" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c etl -n "__fish_etl_using_subcommand count" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c etl -n "__fish_etl_using_subcommand count" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .parquet)' -r -F
complete -c etl -n "__fish_etl_using_subcommand count" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c etl -n "__fish_etl_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "convert" -d 'Convert records from any input format to any output format'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "schema" -d 'Print the schema of the input as JSON (inferred for NDJSON and CSV)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "agg" -d 'Aggregate records by key, to the end of input or over event-time windows'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "head" -d 'The first N records (stops reading as soon as it has them)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "tail" -d 'The last N records (memory: only the batches that hold them)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "flatten" -d 'Turn nested objects into dotted columns (a.b.c), e.g. for CSV'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "count" -d 'Count the records in the input (one record with a `count` field)'
complete -c etl -n "__fish_etl_using_subcommand help; and not __fish_seen_subcommand_from convert schema agg head tail flatten count help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
