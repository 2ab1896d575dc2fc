// oneDNN's C API (Debian libdnnl-dev 2.6), exposed to Swift as the module CDNNL.
#include <oneapi/dnnl/dnnl.h>
