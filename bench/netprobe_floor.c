// Loads an object built from bench/netprobe_floor.bpf.c, attaches every program in it and
// keeps them attached until SIGTERM or SIGINT (the kernel detaches them when the process
// ends). bpftool of Debian 12 cannot attach raw tracepoints itself.
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
        return 2;
    }
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "opening %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (bpf_object__load(obj)) {
        fprintf(stderr, "loading %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int attached = 0;
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (!bpf_program__attach(prog)) {
            fprintf(stderr, "attaching %s: %s\n", bpf_program__name(prog), strerror(errno));
            return 1;
        }
        attached++;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("attached %d empty programs\n", attached);
    fflush(stdout);
    while (!stop)
        pause();
    return 0;
}
