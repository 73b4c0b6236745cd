// Loopback TCP connection storm for the netprobe benchmark: one thread accepts and
// closes, the main thread connects and closes with an RST (SO_LINGER 0, so no
// TIME_WAIT exhausts ports) as fast as it can for SECONDS. Prints "<connections> <rate>".
// usage: storm PORT SECONDS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int lfd;

static void *server(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			return NULL;
		close(c);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: storm PORT SECONDS\n");
		return 2;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	double secs = atof(argv[2]);
	int one = 1;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096)) {
		perror("storm: listen");
		return 1;
	}
	pthread_t t;
	pthread_create(&t, NULL, server, NULL);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long n = 0;
	double t0 = now(), end = t0 + secs;
	while (now() < end) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof(a))) {
			perror("storm: connect");
			return 1;
		}
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		n++;
	}
	double dt = now() - t0;
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(t, NULL);
	printf("%ld %.0f\n", n, n / dt);
	return 0;
}
