/* Umbrella header of the C module CMMSProtos: every header protoc-c generated from Protos/. */
/* Written by Protos/generate. */
#include "mms/v1/common.pb-c.h"
#include "mms/v1/health.pb-c.h"
#include "mms/v1/migration.pb-c.h"
#include "mms/v1/tenant.pb-c.h"
