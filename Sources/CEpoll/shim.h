// Glibc's Swift module leaves out <sys/epoll.h>; tickstream-bench's io-floor loop needs it.
#include <sys/epoll.h>
