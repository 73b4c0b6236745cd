# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_netprobe_global_optspecs
    string join \n generate= h/help V/version
end

function __fish_netprobe_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_netprobe_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_netprobe_using_subcommand
    set -l cmd (__fish_netprobe_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c netprobe -n "__fish_netprobe_needs_command" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c netprobe -n "__fish_netprobe_needs_command" -s h -l help -d 'Print help'
complete -c netprobe -n "__fish_netprobe_needs_command" -s V -l version -d 'Print version'
complete -c netprobe -n "__fish_netprobe_needs_command" -f -a "top" -d 'Live table of who uses the network: throughput, connections, retransmits and drops per process (or flow, remote address, cgroup), like tcptop'
complete -c netprobe -n "__fish_netprobe_needs_command" -f -a "tcp" -d 'Stream one record per TCP connect, accept and close, and with --events per retransmit, reset, drop and RTT sample'
complete -c netprobe -n "__fish_netprobe_needs_command" -f -a "conns" -d 'Print the current TCP sockets (one snapshot through NETLINK_SOCK_DIAG)'
complete -c netprobe -n "__fish_netprobe_needs_command" -f -a "serve" -d 'Serve Prometheus metrics on http://ADDR/metrics while tracing'
complete -c netprobe -n "__fish_netprobe_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l pid -d 'Only sockets owned by this process id (the process that connected or listened)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l comm -d 'Only sockets owned by a process with this command name (as in /proc/PID/comm, at most 15 bytes)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l port -d 'Only connections with this local or remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l lport -d 'Only connections with this local port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l rport -d 'Only connections with this remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l family -d 'Only this address family' -r -f -a "ipv4\t''
ipv6\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l netns -d 'Only sockets in this network namespace (inode number, as in `readlink /proc/PID/ns/net`)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l uid -d 'Only sockets made by this user (a name or a number)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l cgroup -d 'Only sockets made in this cgroup or one below it (a cgroup v2 path, e.g. /system.slice/nginx.service, as in /proc/PID/cgroup; eBPF backend)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l by -d 'Group rows by' -r -f -a "process\t'One row per process (pid and command)'
flow\t'One row per connection (local and remote address and port)'
remote\t'One row per remote address'
cgroup\t'One row per cgroup (container, systemd unit)'"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l interval -d 'Refresh (and record) interval' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l duration -d 'Stop after this long' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l count -d 'Stop after N intervals' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand top" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l pid -d 'Only sockets owned by this process id (the process that connected or listened)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l comm -d 'Only sockets owned by a process with this command name (as in /proc/PID/comm, at most 15 bytes)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l port -d 'Only connections with this local or remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l lport -d 'Only connections with this local port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l rport -d 'Only connections with this remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l family -d 'Only this address family' -r -f -a "ipv4\t''
ipv6\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l netns -d 'Only sockets in this network namespace (inode number, as in `readlink /proc/PID/ns/net`)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l uid -d 'Only sockets made by this user (a name or a number)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l cgroup -d 'Only sockets made in this cgroup or one below it (a cgroup v2 path, e.g. /system.slice/nginx.service, as in /proc/PID/cgroup; eBPF backend)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l backend -d 'Event source' -r -f -a "auto\t'eBPF when permitted, otherwise sock_diag with a notice on stderr'
ebpf\t'The eBPF probe; fail if it cannot load'
diag\t'Diff sock_diag snapshots: no privileges, but sampled (short connections are missed) and without pid/comm'"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l duration -d 'Stop after this long (e.g. 500ms, 10s, 5m, 1h; a bare number is seconds)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l events -d 'Events to report, comma-separated: connect, accept, close (together: lifecycle), state (other transitions, e.g. ESTABLISHED -> FIN_WAIT1), retransmit, reset, drop, rtt, or all. Each beyond the lifecycle attaches one more kernel probe (eBPF backend)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l rtt-every -d 'With --events rtt: at most one rtt record per connection this often' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l ring-kib -d 'Kernel ring buffer size in KiB (a power of two, at least 4); events that do not fit while the reader is behind are counted as lost' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l interval -d 'Snapshot interval of the sock_diag backend' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l count -d 'Stop after N events (lost-event notices do not count)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -l states -d 'Also report other state transitions: the same as adding "state" to --events'
complete -c netprobe -n "__fish_netprobe_using_subcommand tcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l family -d 'Only this address family' -r -f -a "ipv4\t''
ipv6\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l state -d 'Only sockets in this state (e.g. ESTABLISHED, LISTEN, TIME_WAIT)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -s p -l processes -d 'Add pid and comm of the process holding each socket, like `ss -p` (found through /proc/PID/fd: without root, only the user\'s own processes)'
complete -c netprobe -n "__fish_netprobe_using_subcommand conns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l listen -d 'Address to serve metrics on (another host\'s view needs e.g. 0.0.0.0:9464)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l user -d 'After attaching, become this user (a name or number; its primary group too)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l metrics-by -d 'Also label the connection, close, retransmit, reset and drop counters by the socket\'s cgroup (counted from the event stream rather than in the kernel)' -r -f -a "cgroup\t'The socket\'s cgroup path'"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l metrics-cgroups-max -d 'With --metrics-by cgroup: at most this many cgroups get series of their own; the rest are counted under cgroup="other" and in netprobe_cgroup_label_overflow_total' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l pid -d 'Only sockets owned by this process id (the process that connected or listened)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l comm -d 'Only sockets owned by a process with this command name (as in /proc/PID/comm, at most 15 bytes)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l port -d 'Only connections with this local or remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l lport -d 'Only connections with this local port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l rport -d 'Only connections with this remote port' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l family -d 'Only this address family' -r -f -a "ipv4\t''
ipv6\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l netns -d 'Only sockets in this network namespace (inode number, as in `readlink /proc/PID/ns/net`)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l uid -d 'Only sockets made by this user (a name or a number)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l cgroup -d 'Only sockets made in this cgroup or one below it (a cgroup v2 path, e.g. /system.slice/nginx.service, as in /proc/PID/cgroup; eBPF backend)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l backend -d 'Event source' -r -f -a "auto\t'eBPF when permitted, otherwise sock_diag with a notice on stderr'
ebpf\t'The eBPF probe; fail if it cannot load'
diag\t'Diff sock_diag snapshots: no privileges, but sampled (short connections are missed) and without pid/comm'"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l duration -d 'Stop after this long (e.g. 500ms, 10s, 5m, 1h; a bare number is seconds)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l events -d 'Events to report, comma-separated: connect, accept, close (together: lifecycle), state (other transitions, e.g. ESTABLISHED -> FIN_WAIT1), retransmit, reset, drop, rtt, or all. Each beyond the lifecycle attaches one more kernel probe (eBPF backend)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l rtt-every -d 'With --events rtt: at most one rtt record per connection this often' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l ring-kib -d 'Kernel ring buffer size in KiB (a power of two, at least 4); events that do not fit while the reader is behind are counted as lost' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l interval -d 'Snapshot interval of the sock_diag backend' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -s o -l output -d 'Output format [default: table on a terminal, ndjson on a pipe, or from --out\'s extension]' -r -f -a "ndjson\t'One JSON object per line'
arrow\t'Arrow IPC stream (Arrow IPC file when --out ends in .arrow)'
arrow-file\t'Arrow IPC file format (needs the whole output: --out or a redirect)'
csv\t''
tsv\t'Tab separated values, with a header'
parquet\t''
table\t'Aligned columns for people, truncated to the terminal width'"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l out -d 'Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet, each optionally compressed: .gz .zst .bz2 .xz .lz4)' -r -F
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l compress -d 'Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL [default: from --out\'s extension]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l compression -d 'Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none [default: snappy]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l row-group-size -d 'Parquet: rows per row group [default: 1048576]' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l partition-by -d 'Parquet: write a hive-style directory at --out, one subdirectory per value of these columns (DIR/date=2026-12-01/part-0.parquet)' -r
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l ipc-compression -d 'Arrow IPC: compress the record batch buffers' -r -f -a "lz4\t''
zstd\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l table-layout -d 'Table output: one row per record, or a block per record when the columns do not fit the terminal (auto leaves out columns without values first)' -r -f -a "auto\t'One row per record when the columns fit readably (leaving out columns without values), else one block per record'
wide\t'One row per record, cells cut to fit the terminal'
vertical\t'One block per record, a line per non-empty field (like psql\'s \\x)'"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l generate -d 'Print a man page or a shell completion script to stdout and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l tcp -d 'Also stream the event records to stdout (or --out)'
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -l states -d 'Also report other state transitions: the same as adding "state" to --events'
complete -c netprobe -n "__fish_netprobe_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c netprobe -n "__fish_netprobe_using_subcommand help; and not __fish_seen_subcommand_from top tcp conns serve help" -f -a "top" -d 'Live table of who uses the network: throughput, connections, retransmits and drops per process (or flow, remote address, cgroup), like tcptop'
complete -c netprobe -n "__fish_netprobe_using_subcommand help; and not __fish_seen_subcommand_from top tcp conns serve help" -f -a "tcp" -d 'Stream one record per TCP connect, accept and close, and with --events per retransmit, reset, drop and RTT sample'
complete -c netprobe -n "__fish_netprobe_using_subcommand help; and not __fish_seen_subcommand_from top tcp conns serve help" -f -a "conns" -d 'Print the current TCP sockets (one snapshot through NETLINK_SOCK_DIAG)'
complete -c netprobe -n "__fish_netprobe_using_subcommand help; and not __fish_seen_subcommand_from top tcp conns serve help" -f -a "serve" -d 'Serve Prometheus metrics on http://ADDR/metrics while tracing'
complete -c netprobe -n "__fish_netprobe_using_subcommand help; and not __fish_seen_subcommand_from top tcp conns serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
