#define _GNU_SOURCE
#include "cdatagram.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/// Room for one SCM_TIMESTAMPNS control message, aligned for its header.
union sipdial_control {
    char bytes[CMSG_SPACE(sizeof(struct timespec))];
    struct cmsghdr align;
};

struct sipdial_batch {
    unsigned int count;
    struct sipdial_datagram *datagrams;
    struct mmsghdr *headers;
    struct iovec *vectors;
    union sipdial_control *control;
    char *buffers;
};

struct sipdial_batch *sipdial_batch_create(unsigned int count, size_t buffer_bytes) {
    if (count == 0 || count > 64) return NULL;
    struct sipdial_batch *batch = calloc(1, sizeof *batch);
    if (batch == NULL) return NULL;
    batch->count = count;
    batch->datagrams = calloc(count, sizeof *batch->datagrams);
    batch->headers = calloc(count, sizeof *batch->headers);
    batch->vectors = calloc(count, sizeof *batch->vectors);
    batch->control = calloc(count, sizeof *batch->control);
    batch->buffers = calloc(count, buffer_bytes);
    if (!batch->datagrams || !batch->headers || !batch->vectors || !batch->control || !batch->buffers) {
        sipdial_batch_free(batch);
        return NULL;
    }
    for (unsigned int i = 0; i < count; i++) {
        batch->datagrams[i].buffer = batch->buffers + i * buffer_bytes;
        batch->vectors[i].iov_base = batch->datagrams[i].buffer;
        batch->vectors[i].iov_len = buffer_bytes;
        batch->headers[i].msg_hdr.msg_name = &batch->datagrams[i].source;
        batch->headers[i].msg_hdr.msg_iov = &batch->vectors[i];
        batch->headers[i].msg_hdr.msg_iovlen = 1;
        batch->headers[i].msg_hdr.msg_control = batch->control[i].bytes;
    }
    return batch;
}

void sipdial_batch_free(struct sipdial_batch *batch) {
    if (batch == NULL) return;
    free(batch->datagrams);
    free(batch->headers);
    free(batch->vectors);
    free(batch->control);
    free(batch->buffers);
    free(batch);
}

const struct sipdial_datagram *sipdial_batch_datagram(const struct sipdial_batch *batch, unsigned int index) {
    return &batch->datagrams[index];
}

int sipdial_open_datagram_socket(const struct sockaddr *address, socklen_t length) {
    int fd = socket(address->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, address, length) != 0) {
        int code = errno;
        close(fd);
        errno = code;
        return -1;
    }
    return fd;
}

int sipdial_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

int sipdial_receive_datagrams(int fd, struct sipdial_batch *batch) {
    // The kernel writes back the lengths it used; give each header its full room again.
    for (unsigned int i = 0; i < batch->count; i++) {
        batch->headers[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        batch->headers[i].msg_hdr.msg_controllen = sizeof(union sipdial_control);
    }
    int received = recvmmsg(fd, batch->headers, batch->count, MSG_DONTWAIT, NULL);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < received; i++) {
        struct msghdr *header = &batch->headers[i].msg_hdr;
        struct sipdial_datagram *datagram = &batch->datagrams[i];
        datagram->length = batch->headers[i].msg_len;
        datagram->source_length = header->msg_namelen;
        datagram->arrival_nanoseconds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
                datagram->arrival_nanoseconds = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
    }
    return received;
}

unsigned int sipdial_send_datagrams(int fd, struct sipdial_outgoing *items, unsigned int count) {
    enum { chunk = 64 };
    struct mmsghdr headers[chunk];
    struct iovec vectors[chunk];
    unsigned int done = 0;
    while (done < count) {
        unsigned int n = count - done < chunk ? count - done : chunk;
        memset(headers, 0, n * sizeof headers[0]);
        for (unsigned int i = 0; i < n; i++) {
            struct sipdial_outgoing *item = &items[done + i];
            vectors[i].iov_base = (void *)item->bytes;
            vectors[i].iov_len = item->length;
            headers[i].msg_hdr.msg_name = &item->destination;
            headers[i].msg_hdr.msg_namelen = item->destination_length;
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int sent = sendmmsg(fd, headers, n, MSG_DONTWAIT);
        if (sent > 0) {
            for (int i = 0; i < sent; i++) items[done + i].error = 0;
            done += (unsigned int)sent;
        } else if (sent == 0) {
            return done;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return done;
        } else {
            // sendmmsg reports an error only for the first datagram of the call: that one is
            // refused, and the next call starts after it.
            items[done].error = errno;
            done += 1;
        }
    }
    return done;
}
