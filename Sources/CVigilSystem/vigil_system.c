#define _GNU_SOURCE 1
#include "vigil_system.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct vigil_recv_batch {
    int count;
    int buffer_size;
    size_t control_size;
    uint8_t *buffers;
    uint8_t *controls;
    struct iovec *iovecs;
    struct mmsghdr *headers;
};

/* The heap policy of every Vigil program (see vigil_system.h), set when this
 * library is loaded: before main, before any thread has made an arena that a
 * cap set later would leave in use. */
__attribute__((constructor)) static void vigil_set_heap_policy(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
    mallopt(M_ARENA_MAX, 1);
}

size_t vigil_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

int vigil_trim_heap(void) {
    return malloc_trim(0);
}

int vigil_enable_passcred(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
}

int vigil_enable_drop_count(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
}

vigil_recv_batch *vigil_recv_batch_create(int count, int buffer_size) {
    if (count < 1 || buffer_size < 1) { errno = EINVAL; return NULL; }
    vigil_recv_batch *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->count = count;
    b->buffer_size = buffer_size;
    b->control_size = CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(uint32_t));
    b->buffers = malloc((size_t)count * (size_t)buffer_size);
    b->controls = calloc((size_t)count, b->control_size);
    b->iovecs = calloc((size_t)count, sizeof(struct iovec));
    b->headers = calloc((size_t)count, sizeof(struct mmsghdr));
    if (!b->buffers || !b->controls || !b->iovecs || !b->headers) {
        vigil_recv_batch_destroy(b);
        errno = ENOMEM;
        return NULL;
    }
    return b;
}

void vigil_recv_batch_destroy(vigil_recv_batch *b) {
    if (!b) return;
    free(b->buffers);
    free(b->controls);
    free(b->iovecs);
    free(b->headers);
    free(b);
}

int vigil_recv_batch_receive(int fd, vigil_recv_batch *b) {
    /* The kernel rewrites lengths on each call, so every slot is reset. */
    for (int i = 0; i < b->count; i++) {
        b->iovecs[i].iov_base = b->buffers + (size_t)i * (size_t)b->buffer_size;
        b->iovecs[i].iov_len = (size_t)b->buffer_size;
        struct msghdr *h = &b->headers[i].msg_hdr;
        memset(h, 0, sizeof(*h));
        h->msg_iov = &b->iovecs[i];
        h->msg_iovlen = 1;
        h->msg_control = b->controls + (size_t)i * b->control_size;
        h->msg_controllen = b->control_size;
        b->headers[i].msg_len = 0;
    }
    int n;
    do {
        n = recvmmsg(fd, b->headers, (unsigned)b->count, MSG_WAITFORONE, NULL);
    } while (n < 0 && errno == EINTR);
    return n;
}

const uint8_t *vigil_recv_batch_data(const vigil_recv_batch *b, int i) {
    return b->buffers + (size_t)i * (size_t)b->buffer_size;
}

int vigil_recv_batch_length(const vigil_recv_batch *b, int i) {
    return (int)b->headers[i].msg_len;
}

int vigil_recv_batch_truncated(const vigil_recv_batch *b, int i) {
    return (b->headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

int32_t vigil_recv_batch_pid(const vigil_recv_batch *b, int i) {
    struct msghdr *h = &((struct mmsghdr *)b->headers)[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof(cred));
            return (int32_t)cred.pid;
        }
    }
    return -1;
}

int64_t vigil_recv_batch_drops(const vigil_recv_batch *b, int i) {
    struct msghdr *h = &((struct mmsghdr *)b->headers)[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
            c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
            uint32_t drops;
            memcpy(&drops, CMSG_DATA(c), sizeof(drops));
            return (int64_t)drops;
        }
    }
    return -1;
}

int32_t vigil_peer_pid(int fd) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    return (int32_t)cred.pid;
}
