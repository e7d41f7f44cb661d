#define _GNU_SOURCE
#include "creflector.h"
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define MAX_BATCH 256
#define BUFFER_BYTES 2048

int reflect_batch(int fd, struct reflected_datagram *out, int count) {
    static char buffers[MAX_BATCH][BUFFER_BYTES];
    static struct sockaddr_in sources[MAX_BATCH];
    static union { char bytes[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } control[MAX_BATCH];
    struct mmsghdr headers[MAX_BATCH];
    struct iovec vectors[MAX_BATCH];
    if (count > MAX_BATCH) count = MAX_BATCH;
    memset(headers, 0, sizeof(struct mmsghdr) * count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = BUFFER_BYTES;
        headers[i].msg_hdr.msg_name = &sources[i];
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_control = control[i].bytes;
        headers[i].msg_hdr.msg_controllen = sizeof control[i].bytes;
    }
    // Only what is already queued: the caller sleeps between batches instead of waiting in
    // the socket, so a sender's sendto(2) never has to wake the reflector (on loopback that
    // wake-up is part of the sender's system call and made its cost vary several-fold).
    int received = recvmmsg(fd, headers, count, MSG_DONTWAIT, NULL);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    for (int i = 0; i < received; i++) {
        struct reflected_datagram *d = &out[i];
        d->length = (int)headers[i].msg_len;
        memcpy(d->head, buffers[i], d->length < 12 ? (size_t)d->length : 12);
        d->source_address = sources[i].sin_addr.s_addr;
        d->source_port = sources[i].sin_port;
        d->arrival_nanoseconds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&headers[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&headers[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
                d->arrival_nanoseconds = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
        // The same buffer and address go back out: the iovec length becomes the datagram's.
        vectors[i].iov_len = headers[i].msg_len;
        headers[i].msg_hdr.msg_control = NULL;
        headers[i].msg_hdr.msg_controllen = 0;
    }
    for (int sent = 0; sent < received;) {
        int n = sendmmsg(fd, headers + sent, received - sent, MSG_DONTWAIT);
        if (n <= 0) break;   // a full buffer loses the rest of the batch, as a network would
        sent += n;
    }
    return received;
}
