// zlib (Debian zlib1g-dev), exposed to Swift as the module CZlib for reading .gz files.
#include <zlib.h>
