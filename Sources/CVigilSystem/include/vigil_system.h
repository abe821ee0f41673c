#ifndef VIGIL_SYSTEM_H
#define VIGIL_SYSTEM_H
/* Linux socket helpers that Swift's Glibc module does not expose. */
#endif
