#define _GNU_SOURCE
#include "cdatagram.h"
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

/// The most datagrams read by one call; callers pass batches of at most this many.
#define SIPDIAL_MAX_BATCH 64
/// Room for one SCM_TIMESTAMPNS control message per datagram.
#define SIPDIAL_CONTROL_BYTES CMSG_SPACE(sizeof(struct timespec))

int sipdial_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

int sipdial_receive_datagrams(int fd, struct sipdial_datagram *datagrams, unsigned int count) {
    struct mmsghdr headers[SIPDIAL_MAX_BATCH];
    struct iovec vectors[SIPDIAL_MAX_BATCH];
    union {
        char bytes[SIPDIAL_CONTROL_BYTES];
        struct cmsghdr align;
    } control[SIPDIAL_MAX_BATCH];
    if (count > SIPDIAL_MAX_BATCH) count = SIPDIAL_MAX_BATCH;
    memset(headers, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = datagrams[i].buffer;
        vectors[i].iov_len = datagrams[i].capacity;
        headers[i].msg_hdr.msg_name = &datagrams[i].source;
        headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        headers[i].msg_hdr.msg_control = control[i].bytes;
        headers[i].msg_hdr.msg_controllen = SIPDIAL_CONTROL_BYTES;
    }
    int received = recvmmsg(fd, headers, count, MSG_DONTWAIT, NULL);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < received; i++) {
        struct sipdial_datagram *datagram = &datagrams[i];
        datagram->length = headers[i].msg_len;
        datagram->source_length = headers[i].msg_hdr.msg_namelen;
        datagram->arrival_nanoseconds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&headers[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&headers[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
                datagram->arrival_nanoseconds = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
    }
    return received;
}
