// Batched, non-blocking UDP reads for the media engine. recvmmsg(2) and the SCM_TIMESTAMPNS
// control message need _GNU_SOURCE and the CMSG_* macros, which Swift's Glibc module does
// not expose, so the loop over the batch lives here in plain C.
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

/// Turns on kernel receive timestamps (SO_TIMESTAMPNS) for `fd`. Returns 0 or -1 with errno.
int sipdial_enable_receive_timestamps(int fd);

/// Reads the datagrams already waiting on the non-blocking socket `fd`, up to the batch's
/// count, with one recvmmsg(2) call. Returns how many were read: 0 when none was waiting,
/// -1 with errno on any other error. Datagrams longer than a buffer are cut to its size.
int sipdial_receive_datagrams(int fd, struct sipdial_batch *batch);

#endif
