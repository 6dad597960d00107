#ifndef MMS_CPROTOBUFC_SHIM_H
#define MMS_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
