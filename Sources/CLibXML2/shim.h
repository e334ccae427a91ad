#ifndef CUSTMIG_CLIBXML2_SHIM_H
#define CUSTMIG_CLIBXML2_SHIM_H
/* Debian builds libxml2 with ICU; its ICU headers clash with Foundation's own copy of ICU.
   custmig never touches the ICU members of an encoding handler (it only passes handler pointers),
   so the ICU parts of the headers are left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#endif
