// spandsp (DTMF, tones, PLC, fax), imported only by Media's wrappers. <spandsp.h> pulls in
// libtiff's headers for fax, hence libtiff-dev in scripts/setup.sh.
#include <spandsp.h>
