// Loopback TCP connection storm for the netprobe benchmark: CLIENTS threads (default
// 1) connect and close with an RST (SO_LINGER 0, so no TIME_WAIT exhausts ports) as
// fast as they can for SECONDS, and as many threads accept and close. Prints
// "<connections> <rate>".
//
// With one client the storm is a ping-pong between two threads, and its rate depends
// on how fast an idle virtual CPU wakes up: another busy process can make it faster.
// With more clients than CPUs no CPU idles, and the rate shows what a probe costs.
// usage: storm PORT SECONDS [CLIENTS]
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

static struct sockaddr_in addr;
static double end;
static long total;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *client(void *arg)
{
	(void)arg;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long n = 0;
	while (now() < end) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
			perror("storm: connect");
			exit(1);
		}
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		n++;
	}
	__sync_fetch_and_add(&total, n);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: storm PORT SECONDS [CLIENTS]\n");
		return 2;
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons(atoi(argv[1]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	double secs = atof(argv[2]);
	int clients = argc == 4 ? atoi(argv[3]) : 1;
	if (clients < 1 || clients > 64) {
		fprintf(stderr, "storm: CLIENTS is 1 to 64\n");
		return 2;
	}
	int one = 1;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 4096)) {
		perror("storm: listen");
		return 1;
	}
	pthread_t servers[64], clients_t[64];
	for (int i = 0; i < clients; i++)
		pthread_create(&servers[i], NULL, server, NULL);
	double t0 = now();
	end = t0 + secs;
	for (int i = 0; i < clients; i++)
		pthread_create(&clients_t[i], NULL, client, NULL);
	for (int i = 0; i < clients; i++)
		pthread_join(clients_t[i], NULL);
	double dt = now() - t0;
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	for (int i = 0; i < clients; i++)
		pthread_join(servers[i], NULL);
	printf("%ld %.0f\n", total, total / dt);
	return 0;
}
