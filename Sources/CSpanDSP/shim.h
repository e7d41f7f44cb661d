// spandsp (DTMF, tones, PLC, fax), imported only by the wrappers in Media and Fax. <spandsp.h> pulls in
// libtiff's headers for fax, hence libtiff-dev in scripts/setup.sh.
#include <spandsp.h>
