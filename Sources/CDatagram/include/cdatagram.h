// Batched, non-blocking UDP reads for the media engine and batched sends for SIP.
// recvmmsg(2), sendmmsg(2) and the SCM_TIMESTAMPNS control message need _GNU_SOURCE and the
// CMSG_* macros, which Swift's Glibc module does not expose, so the loops over a batch live
// here in plain C.
#ifndef SIPDIAL_CDATAGRAM_H
#define SIPDIAL_CDATAGRAM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// One received datagram: where its bytes were written, how many arrived, who sent it and
/// when the kernel took it off the wire (CLOCK_REALTIME, nanoseconds; 0 when not stamped).
struct sipdial_datagram {
    void *buffer;
    size_t length;
    struct sockaddr_storage source;
    socklen_t source_length;
    int64_t arrival_nanoseconds;
};

/// What one read needs for up to `count` datagrams: their buffers and the recvmmsg(2)
/// headers pointing at them, set up once by `sipdial_batch_create` and reused by every read.
struct sipdial_batch;

/// A batch of `count` (1-64) buffers of `buffer_bytes` each; NULL when out of memory.
struct sipdial_batch *sipdial_batch_create(unsigned int count, size_t buffer_bytes);
void sipdial_batch_free(struct sipdial_batch *batch);
/// The batch's `index`th datagram, as the last read left it.
const struct sipdial_datagram *sipdial_batch_datagram(const struct sipdial_batch *batch, unsigned int index);

/// A non-blocking, close-on-exec UDP socket bound to `address` (port 0 picks a free port).
/// Returns the descriptor, or -1 with errno (nothing left open).
int sipdial_open_datagram_socket(const struct sockaddr *address, socklen_t length);

/// Turns on kernel receive timestamps (SO_TIMESTAMPNS) for `fd`. Returns 0 or -1 with errno.
int sipdial_enable_receive_timestamps(int fd);

/// Reads the datagrams already waiting on the non-blocking socket `fd`, up to the batch's
/// count, with one recvmmsg(2) call. Returns how many were read: 0 when none was waiting,
/// -1 with errno on any other error. Datagrams longer than a buffer are cut to its size.
int sipdial_receive_datagrams(int fd, struct sipdial_batch *batch);

/// One datagram to send: its bytes, where to, and what became of it (`error`: 0 when the
/// kernel took it, else the errno it was refused with).
struct sipdial_outgoing {
    const void *bytes;
    size_t length;
    struct sockaddr_storage destination;
    socklen_t destination_length;
    int error;
};

/// Sends `items` on the non-blocking socket `fd` with sendmmsg(2), as few calls as the kernel
/// allows. A datagram the kernel refuses (port 0, broadcast, unreachable network, too long
/// ...) gets its errno in `error` and the ones after it are still sent: one bad destination
/// never holds back the rest of the batch. Returns how many items were handled (sent or
/// refused), in order; fewer than `count` only when the socket's send buffer is full
/// (EAGAIN), and the rest are for a later call.
unsigned int sipdial_send_datagrams(int fd, struct sipdial_outgoing *items, unsigned int count);

#endif
