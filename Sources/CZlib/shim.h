#ifndef CUSTMIG_CZLIB_SHIM_H
#define CUSTMIG_CZLIB_SHIM_H
/* zlib, for the gzip-compressed answers trytond sends when a client accepts them (Debian: zlib1g-dev,
   which libxml2-dev already depends on). */
#include <zlib.h>
#endif
