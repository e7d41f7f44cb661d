// speexdsp's resampler, imported only by Media's Resampler wrapper.
#include <speex/speex_resampler.h>
