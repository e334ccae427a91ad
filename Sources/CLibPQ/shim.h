#ifndef CUSTMIG_CLIBPQ_SHIM_H
#define CUSTMIG_CLIBPQ_SHIM_H
/* libpq, PostgreSQL's own client library: its URI, PG* variables, ~/.pgpass and sslmode
   conventions are what a DBA expects (Debian: libpq-dev). */
#include <libpq-fe.h>
#endif
