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
    size_t capacity;
    size_t length;
    struct sockaddr_storage source;
    socklen_t source_length;
    int64_t arrival_nanoseconds;
};

/// Turns on kernel receive timestamps (SO_TIMESTAMPNS) for `fd`. Returns 0 or -1 with errno.
int sipdial_enable_receive_timestamps(int fd);

/// Reads up to `count` datagrams already waiting on the non-blocking socket `fd` with one
/// recvmmsg(2) call, filling `datagrams` in order. Returns how many were read: 0 when none
/// was waiting, -1 with errno on any other error. Datagrams longer than their buffer are
/// cut to its capacity (and their length says so: `length == capacity`).
int sipdial_receive_datagrams(int fd, struct sipdial_datagram *datagrams, unsigned int count);

#endif
