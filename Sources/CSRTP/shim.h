// libsrtp2 (SRTP and SRTCP, RFC 3711; AES-GCM, RFC 7714), imported only by the SRTP target's wrapper.
#include <srtp2/srtp.h>
