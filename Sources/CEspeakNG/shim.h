// espeak-ng's synthesis API, imported only by Media's SpeechSynthesizer wrapper.
#include <espeak-ng/speak_lib.h>
