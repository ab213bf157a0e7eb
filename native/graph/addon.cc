// A thin N-API wrapper over TensorFlow's graph C API, so the trainer can build
// one training step as a TensorFlow graph once and run it with one call per
// iteration (src/core/train/graph/). tfjs-node only exposes TensorFlow's eager
// API: every op is its own N-API call, and TensorFlow never sees the whole step.
//
// Built by setup-native (src/core/native/graphAddon.ts) against the same
// TensorFlow wheel as tfjs-node's binding; it links the same libraries, so in
// one process there is one TensorFlow. Everything here is mechanical: the
// graph's content is decided in TypeScript.
//
// JS API (names of ops are the only handles that cross the boundary):
//   newGraph() -> graph
//   addOp(graph, type, name, inputs, attrs, controlInputs)
//       inputs: [opName, index] | [[opName, index], ...] (a list input) per input
//       attrs:  [attrName, kind, value] with kind int|float|bool|type|shape|ints|string|tensor
//   addGradients(graph, prefix, ys, xs) -> [[opName, index], ...]   (d sum(ys) / d xs)
//   graphDef(graph) -> Buffer
//   newSession(graph, configProto?: Uint8Array) -> session
//   run(session, feeds, fetches, targets) -> Promise<[{dtype, shape, data}]>  (off the JS thread)
//   runSync(session, feeds, fetches, targets) -> [{dtype, shape, data}]
//   closeSession(session)
//       feeds: [[opName, index, dtype, shape, TypedArray]]
#include "api.h"

namespace {

using namespace rlg;

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"newGraph", nullptr, NewGraph, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addOp", nullptr, AddOp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addGradients", nullptr, AddGradients, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphDef", nullptr, GraphDef, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"newSession", nullptr, NewSession, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeSession", nullptr, CloseSession, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"run", nullptr, Run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"runSync", nullptr, RunSync, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tfVersion", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
