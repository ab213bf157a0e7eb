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
//   closeSession(session)        (a run in flight finishes first; closing twice is harmless)
//       feeds: [[opName, index, dtype, shape, TypedArray]]
//
// Handles are frozen objects tagged with their kind: a graph where a session
// belongs is a TypeError. Every error is an Error (or TypeError, for a value
// of the wrong kind) whose `code` is TensorFlow's name for it, e.g.
// 'INVALID_ARGUMENT', 'NOT_FOUND', 'FAILED_PRECONDITION' (a closed session).
#include "api.h"

namespace {

using namespace rlg;

napi_value Init(napi_env env, napi_value exports) {
  return Guard(env, [&] {
    napi_property_descriptor props[] = {
        {"newGraph", nullptr, Guarded<NewGraph>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"addOp", nullptr, Guarded<AddOp>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"addGradients", nullptr, Guarded<AddGradients>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"graphDef", nullptr, Guarded<GraphDef>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"newSession", nullptr, Guarded<NewSession>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"closeSession", nullptr, Guarded<CloseSession>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"run", nullptr, Guarded<Run>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"runSync", nullptr, Guarded<RunSync>, nullptr, nullptr, nullptr, napi_default, nullptr},
        {"tfVersion", nullptr, Guarded<Version>, nullptr, nullptr, nullptr, napi_default, nullptr},
    };
    NAPI_CALL(env, napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
    return exports;
  });
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
