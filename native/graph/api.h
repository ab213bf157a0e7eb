// The functions the addon exports (registered in addon.cc, each behind Guarded).
#pragma once

#include "errors.h"

namespace rlg {

// graph.cc: building a graph
napi_value NewGraph(napi_env env, napi_callback_info info);
napi_value AddOp(napi_env env, napi_callback_info info);
napi_value AddGradients(napi_env env, napi_callback_info info);
napi_value GraphDef(napi_env env, napi_callback_info info);

// session.cc: running it
napi_value NewSession(napi_env env, napi_callback_info info);
napi_value CloseSession(napi_env env, napi_callback_info info);
napi_value Run(napi_env env, napi_callback_info info);
napi_value RunSync(napi_env env, napi_callback_info info);
napi_value Version(napi_env env, napi_callback_info info);

}  // namespace rlg
