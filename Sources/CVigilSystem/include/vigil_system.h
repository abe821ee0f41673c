#ifndef VIGIL_SYSTEM_H
#define VIGIL_SYSTEM_H
/* Linux socket helpers that Swift's Glibc module does not expose: struct
 * ucred, SCM_CREDENTIALS and the CMSG_* macros need _GNU_SOURCE, and
 * recvmmsg wants an array of mmsghdr that is easier to manage in C.
 * _GNU_SOURCE is defined in the .c file only: defined here, it would change
 * system types (fd_set) seen through this module and clash with Dispatch's
 * view of the same headers in a clean build. */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The heap policy, applied by this library's constructor before main (there
 * is nothing to call). glibc's mmap and trim thresholds are fixed at 1 MiB:
 * left dynamic, freeing one large buffer raises both, up to 32 and 64 MiB,
 * after which a burst's freed memory stays at the top of each arena for good
 * and RSS never comes back down; fixed, buffers of 1 MiB and more get pages of
 * their own (returned when freed) and an arena's free top beyond 1 MiB is
 * returned. And every thread allocates from one arena: with one per thread
 * (glibc's default, up to 8 per core), memory freed by the thread that decoded
 * it (an event loop) is not reused by the thread that builds what replaces it
 * (the cooperative pool), and the heap holds both. docs/health.md has the
 * measurements. */

/* Bytes the program has allocated and not freed: in the arena and mapped on
 * their own (glibc's mallinfo2, which Swift's Glibc module does not import).
 * Unlike the resident set, it does not move when freed memory is reused or
 * handed back, so it measures what a piece of code keeps while other threads
 * allocate and free in the same arena. */
size_t vigil_heap_in_use(void);

/* Gives the heap's free memory back to the kernel (glibc's malloc_trim(0),
 * declared in <malloc.h>, which Swift's Glibc module does not import).
 * Returns 1 if memory was released. */
int vigil_trim_heap(void);

/* Turns on SO_PASSCRED so that every datagram carries its sender's ucred. */
int vigil_enable_passcred(int fd);

/* Turns on SO_RXQ_OVFL: every datagram then carries the socket's running
 * count of datagrams the kernel dropped because the receive buffer was full. */
int vigil_enable_drop_count(int fd);

/* A reusable batch of receive slots for recvmmsg: `count` buffers of
 * `buffer_size` bytes each, with room for a credentials and a drop-count
 * message per slot.
 * Allocated once per reader thread; nothing is allocated per packet. */
typedef struct vigil_recv_batch vigil_recv_batch;

vigil_recv_batch *vigil_recv_batch_create(int count, int buffer_size);
void vigil_recv_batch_destroy(vigil_recv_batch *batch);

/* Receives up to the batch's count of datagrams (blocking for the first one,
 * then taking what is already queued). Returns the number received, or -1
 * with errno set. */
int vigil_recv_batch_receive(int fd, vigil_recv_batch *batch);

/* The i-th datagram of the last receive. */
const uint8_t *vigil_recv_batch_data(const vigil_recv_batch *batch, int index);
int vigil_recv_batch_length(const vigil_recv_batch *batch, int index);
/* 1 when the datagram was cut to the buffer size. */
int vigil_recv_batch_truncated(const vigil_recv_batch *batch, int index);
/* The sender's PID from SCM_CREDENTIALS; -1 when none was attached, 0 when
 * the sender lives in a PID namespace the receiver cannot see. */
int32_t vigil_recv_batch_pid(const vigil_recv_batch *batch, int index);

/* The socket's running drop count carried by the i-th datagram (see
 * vigil_enable_drop_count); -1 when none was attached. */
int64_t vigil_recv_batch_drops(const vigil_recv_batch *batch, int index);

/* The PID of the peer of a connected Unix stream socket (SO_PEERCRED);
 * -1 on error. */
int32_t vigil_peer_pid(int fd);

#ifdef __cplusplus
}
#endif
#endif
