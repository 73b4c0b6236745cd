# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_vidx_global_optspecs
    string join \n generate= h/help V/version
end

function __fish_vidx_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_vidx_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_vidx_using_subcommand
    set -l cmd (__fish_vidx_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c vidx -n "__fish_vidx_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_needs_command" -s h -l help -d 'Print help'
complete -c vidx -n "__fish_vidx_needs_command" -s V -l version -d 'Print version'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "create" -d 'Create an empty index directory with its dimension, metric and graph settings'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "add" -d 'Add records (NDJSON or Arrow) to the index; an existing id is replaced'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "search" -d 'Nearest neighbours for query records: one output record per hit'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "get" -d 'Look records up by id: id, vector (as stored; cosine vectors are normalised) and metadata'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "update" -d 'Change records\' metadata by id, keeping their vectors'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "delete" -d 'Delete records by id (arguments, or records on stdin with --stdin) or by --filter'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "scan" -d 'Every current record: id, metadata and (--vectors) the vector, in id or insertion order'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "snapshot" -d 'Copy a live index consistently into a new directory, while its writer runs'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "restore" -d 'Put a snapshot in place of an index (checked first: it opens and its checksums match)'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "compact" -d 'Merge all segments into one: drop deleted and overwritten records (the largest segment\'s graph is kept and the rest inserted into it; rebuilt if a quarter of it is dead)'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "stats" -d 'Size and state of the index: records, segments, memtable, WAL, bytes on disk, kernels'
complete -c vidx -n "__fish_vidx_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vidx -n "__fish_vidx_using_subcommand create" -l dim -d 'Vector dimension' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l metric -d 'Distance metric' -r -f -a "cosine\t'1 - cosine similarity (vectors are normalised when stored)'
l2\t'Euclidean distance (ordered on its square internally)'
ip\t'Negative inner product'"
complete -c vidx -n "__fish_vidx_using_subcommand create" -l m -d 'HNSW links per node (level 0 keeps twice as many)' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l ef-construction -d 'HNSW candidate list size while building (higher: better graph, slower build)' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l ef-search -d 'Default candidate list size while searching (search --ef overrides it)' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l memtable -d 'Records the memtable holds before it is merged into the index\'s segment' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l compact-at -d 'Compact automatically when a flush leaves this many segments' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l exact-below -d 'Scan a segment exactly instead of walking its graph when fewer than this fraction of its records are eligible (not deleted)' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l quantize -d 'Segments also store every vector as 8-bit codes and their residuals (sq8: half the f32 size more on disk); graph builds and searches walk on the codes, and searches re-rank the candidates on codes and residuals, a 16-bit precision (distances within ~1e-6 of f32\'s on unit vectors). none: walk on the f32 vectors, exact distances' -r -f -a "none\t'The walk measures on the f32 vectors'
sq8\t'One byte per dimension for the walk, and its residual for the re-rank'"
complete -c vidx -n "__fish_vidx_using_subcommand create" -l index-field -d 'Metadata fields to index (comma-separated): each segment keeps its records sorted by them, so filters comparing them with constants (=, <>, <, <=, >, >=, IN, BETWEEN, IS NULL, and ANDs and ORs of these) are answered without evaluating every record' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand create" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand create" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand create" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand create" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand create" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand add" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c vidx -n "__fish_vidx_using_subcommand add" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l quote -d 'CSV/TSV: the quote character' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l batch-size -d 'Rows per Arrow batch' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l id -d 'Field holding the record id (a string or an integer)' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l vector -d 'Field holding the vector (a list of numbers)' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l sync -d 'When the log is forced to disk: after each group of records (batch), after each record (always), or never (none: safe against a killed process, not a power cut)' -r -f -a "always\t'fdatasync after every record (slowest; one record per commit)'
batch\t'fdatasync once per group of records (group commit)'
none\t'Never sync: survives a killed process, not a power cut'"
complete -c vidx -n "__fish_vidx_using_subcommand add" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand add" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand add" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand add" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand add" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand add" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand add" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c vidx -n "__fish_vidx_using_subcommand add" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c vidx -n "__fish_vidx_using_subcommand add" -l timing -d 'Print the time spent end to end and indexing (building graphs, writing segments) to stderr'
complete -c vidx -n "__fish_vidx_using_subcommand add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand search" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c vidx -n "__fish_vidx_using_subcommand search" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l quote -d 'CSV/TSV: the quote character' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l batch-size -d 'Rows per Arrow batch' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l id -d 'Field holding the record id (a string or an integer)' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l vector -d 'Field holding the vector (a list of numbers)' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -s k -l k -d 'Hits per query' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l ef -d 'Candidate list size (default: the index\'s ef-search; raised to k if smaller)' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l rerank -d 'At most this many candidates re-ranked by their residual codes on segments with 8-bit codes (default: 8 times k; at least k, at most ef). The walk orders candidates by their codes, nearly as the vectors do; each one re-ranked reads its codes\' residuals, and re-ranking stops early where the codes\' error bound leaves the rest no chance of beating the k-th hit' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l filter -d 'Only hits whose metadata passes this SQL condition (the syntax of \'etl filter\'), e.g. "lang = \'en\' AND year >= 2020". Very selective filters switch to an exact scan of the admitted rows, so recall holds' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand search" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand search" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand search" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand search" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand search" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand search" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c vidx -n "__fish_vidx_using_subcommand search" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c vidx -n "__fish_vidx_using_subcommand search" -l exact -d 'Scan every record instead of walking the graphs (exact, slow: ground truth)'
complete -c vidx -n "__fish_vidx_using_subcommand search" -l timing -d 'Print to stderr the time spent searching (without reading and writing records), end to end, and the per-query search latency\'s median and 99th percentile'
complete -c vidx -n "__fish_vidx_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand get" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand get" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand get" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand get" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand get" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand get" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand get" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand get" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand get" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand get" -l no-vector -d 'Leave the vector out of the output'
complete -c vidx -n "__fish_vidx_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand update" -s i -l input -d 'Force the input format instead of sniffing it' -r -f -a "ndjson\t''
arrow\t'Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker)'
arrow-file\t'Arrow IPC file (starts with `ARROW1`)'
parquet\t''
csv\t'Comma (or --delimiter) separated values; the delimiter is sniffed when not given'
tsv\t'Tab separated values'
json\t'A JSON array of objects, or objects spread over lines (`jq .` output)'"
complete -c vidx -n "__fish_vidx_using_subcommand update" -l delimiter -d 'CSV/TSV: the field delimiter, one character (\'\\t\' for a tab) [default: sniffed from the first lines]' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l quote -d 'CSV/TSV: the quote character' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l comment -d 'CSV/TSV: skip lines starting with this character (e.g. \'#\')' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l filename -d 'Add a column [default name: filename] holding each record\'s source file' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l batch-size -d 'Rows per Arrow batch' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l infer-rows -d 'NDJSON: infer the schema from the first N records' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l schema -d 'NDJSON/CSV schema instead of inference: \'name:type,...\' (types: int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed by \'etl schema\'' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l on-error -d 'NDJSON records that do not parse or fit the schema: fail (stop, naming the record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and append each, with where and why, to PATH as NDJSON)' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l id -d 'Field holding the record id (a string or an integer)' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l vector -d 'The index\'s vector field: records carrying it are refused (use add to replace vectors)' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l unset -d 'Remove these metadata fields from every record updated' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l sync -d 'When the log is forced to disk (as for add)' -r -f -a "always\t'fdatasync after every record (slowest; one record per commit)'
batch\t'fdatasync once per group of records (group commit)'
none\t'Never sync: survives a killed process, not a power cut'"
complete -c vidx -n "__fish_vidx_using_subcommand update" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand update" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand update" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand update" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand update" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand update" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand update" -l no-header -d 'CSV/TSV: the first line is a record, not a header; columns are named column_1, column_2, ...'
complete -c vidx -n "__fish_vidx_using_subcommand update" -l union-by-name -d 'Read inputs whose schemas differ as one: columns matched by name, missing ones null, types widened without loss (or an error naming both inputs)'
complete -c vidx -n "__fish_vidx_using_subcommand update" -l replace -d 'Make the given fields the whole metadata instead of merging them in'
complete -c vidx -n "__fish_vidx_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l filter -d 'Delete every record whose metadata passes this SQL condition (the syntax of \'etl filter\'), evaluated under the writer lock' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l id -d 'Field holding the id when reading records' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand delete" -l stdin -d 'Read the ids from records on stdin (NDJSON or Arrow), field --id'
complete -c vidx -n "__fish_vidx_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l filter -d 'Only records whose metadata passes this SQL condition (the syntax of \'etl filter\')' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l order -d 'Record order' -r -f -a "id\t'By id: integer ids by value first, then the others byte-wise'
insertion\t'In the order the records were last written'"
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l after -d 'Start after this id (the last one of the previous page)' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l limit -d 'At most N records' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l id -d 'Name of the id field in the output' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l vector -d 'Name of the vector field in the output' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand scan" -l vectors -d 'Also output each record\'s vector (as stored: cosine vectors are normalised)'
complete -c vidx -n "__fish_vidx_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand restore" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand restore" -l force -d 'Replace the index already in DIR'
complete -c vidx -n "__fish_vidx_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand compact" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand compact" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand compact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand stats" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c vidx -n "__fish_vidx_using_subcommand stats" -l verify -d 'Also checksum every segment\'s vectors and metadata'
complete -c vidx -n "__fish_vidx_using_subcommand stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "create" -d 'Create an empty index directory with its dimension, metric and graph settings'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "add" -d 'Add records (NDJSON or Arrow) to the index; an existing id is replaced'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "search" -d 'Nearest neighbours for query records: one output record per hit'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "get" -d 'Look records up by id: id, vector (as stored; cosine vectors are normalised) and metadata'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "update" -d 'Change records\' metadata by id, keeping their vectors'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "delete" -d 'Delete records by id (arguments, or records on stdin with --stdin) or by --filter'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "scan" -d 'Every current record: id, metadata and (--vectors) the vector, in id or insertion order'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "snapshot" -d 'Copy a live index consistently into a new directory, while its writer runs'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "restore" -d 'Put a snapshot in place of an index (checked first: it opens and its checksums match)'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "compact" -d 'Merge all segments into one: drop deleted and overwritten records (the largest segment\'s graph is kept and the rest inserted into it; rebuilt if a quarter of it is dead)'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "stats" -d 'Size and state of the index: records, segments, memtable, WAL, bytes on disk, kernels'
complete -c vidx -n "__fish_vidx_using_subcommand help; and not __fish_seen_subcommand_from create add search get update delete scan snapshot restore compact stats help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
