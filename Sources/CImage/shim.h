// Image codecs from Debian: libpng's simplified API (libpng-dev) and TurboJPEG
// (libturbojpeg0-dev), both report errors as return values (no longjmp into Swift).
#include <png.h>
#include <turbojpeg.h>
