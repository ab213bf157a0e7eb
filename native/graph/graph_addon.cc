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
#include <node_api.h>

#include <cstring>
#include <string>
#include <vector>

#include "tensorflow/c/c_api.h"

namespace {

#define CHECK_NAPI(env, call)                                  \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      ThrowLastError(env, #call);                              \
      return nullptr;                                          \
    }                                                          \
  } while (0)

void ThrowLastError(napi_env env, const char* what) {
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    std::string msg = std::string(what) + ": " + (info && info->error_message ? info->error_message : "N-API call failed");
    napi_throw_error(env, nullptr, msg.c_str());
  }
}

napi_value Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

struct Graph {
  TF_Graph* graph;
};

struct Session {
  TF_Graph* graph;  // not owned
  TF_Session* session;
};

void FinalizeGraph(napi_env, void* data, void*) {
  // The graph is freed only when JS drops it; sessions keep their own reference
  // through the JS object (see newSession), so the order is safe.
  auto* g = static_cast<Graph*>(data);
  TF_DeleteGraph(g->graph);
  delete g;
}

void CloseSessionNow(Session* s) {
  if (!s->session) return;
  TF_Status* status = TF_NewStatus();
  TF_CloseSession(s->session, status);
  TF_DeleteSession(s->session, status);
  TF_DeleteStatus(status);
  s->session = nullptr;
}

void FinalizeSession(napi_env, void* data, void*) {
  auto* s = static_cast<Session*>(data);
  CloseSessionNow(s);
  delete s;
}

bool GetString(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  size_t written = 0;
  if (napi_get_value_string_utf8(env, v, out->data(), len + 1, &written) != napi_ok) return false;
  out->resize(written);
  return true;
}

bool GetInt64(napi_env env, napi_value v, int64_t* out) { return napi_get_value_int64(env, v, out) == napi_ok; }

uint32_t Length(napi_env env, napi_value arr) {
  uint32_t n = 0;
  napi_get_array_length(env, arr, &n);
  return n;
}

napi_value At(napi_env env, napi_value arr, uint32_t i) {
  napi_value v = nullptr;
  napi_get_element(env, arr, i, &v);
  return v;
}

bool IsArray(napi_env env, napi_value v) {
  bool r = false;
  napi_is_array(env, v, &r);
  return r;
}

template <typename T>
T* Unwrap(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok) return nullptr;
  return static_cast<T*>(p);
}

// [opName, index] -> TF_Output; false (with a JS error) if the op does not exist.
bool ToOutput(napi_env env, TF_Graph* g, napi_value pair, TF_Output* out) {
  std::string name;
  int64_t index = 0;
  if (!IsArray(env, pair) || Length(env, pair) != 2 || !GetString(env, At(env, pair, 0), &name) ||
      !GetInt64(env, At(env, pair, 1), &index)) {
    Throw(env, "expected an output as [opName, index]");
    return false;
  }
  TF_Operation* op = TF_GraphOperationByName(g, name.c_str());
  if (!op) {
    Throw(env, "no operation named '" + name + "' in the graph");
    return false;
  }
  *out = TF_Output{op, static_cast<int>(index)};
  return true;
}

bool ToOutputs(napi_env env, TF_Graph* g, napi_value arr, std::vector<TF_Output>* out) {
  uint32_t n = Length(env, arr);
  out->resize(n);
  for (uint32_t i = 0; i < n; ++i)
    if (!ToOutput(env, g, At(env, arr, i), &(*out)[i])) return false;
  return true;
}

napi_value FromOutput(napi_env env, TF_Output o) {
  napi_value pair, name, index;
  napi_create_array_with_length(env, 2, &pair);
  napi_create_string_utf8(env, TF_OperationName(o.oper), NAPI_AUTO_LENGTH, &name);
  napi_create_int32(env, o.index, &index);
  napi_set_element(env, pair, 0, name);
  napi_set_element(env, pair, 1, index);
  return pair;
}

bool GetDims(napi_env env, napi_value arr, std::vector<int64_t>* dims) {
  uint32_t n = Length(env, arr);
  dims->resize(n);
  for (uint32_t i = 0; i < n; ++i)
    if (!GetInt64(env, At(env, arr, i), &(*dims)[i])) return false;
  return true;
}

// A TF_Tensor holding a copy of a typed array.
TF_Tensor* TensorFromTypedArray(napi_env env, int64_t dtype, napi_value shape, napi_value data) {
  std::vector<int64_t> dims;
  if (!GetDims(env, shape, &dims)) {
    Throw(env, "tensor shape must be an array of integers");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* bytes = nullptr;
  if (napi_get_typedarray_info(env, data, &type, &length, &bytes, nullptr, nullptr) != napi_ok) {
    Throw(env, "tensor data must be a typed array");
    return nullptr;
  }
  size_t elem = TF_DataTypeSize(static_cast<TF_DataType>(dtype));
  size_t count = 1;
  for (int64_t d : dims) count *= static_cast<size_t>(d);
  size_t expected = count * elem;
  size_t given = length * (type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array ? 4
                           : type == napi_float64_array || type == napi_bigint64_array ? 8
                           : type == napi_int16_array || type == napi_uint16_array ? 2
                                                                                   : 1);
  if (elem == 0 || expected != given) {
    Throw(env, "tensor data has " + std::to_string(given) + " bytes, its shape and type need " + std::to_string(expected));
    return nullptr;
  }
  TF_Tensor* t = TF_AllocateTensor(static_cast<TF_DataType>(dtype), dims.data(), static_cast<int>(dims.size()), expected);
  if (expected) std::memcpy(TF_TensorData(t), bytes, expected);
  return t;
}

napi_value TensorToJs(napi_env env, TF_Tensor* t) {
  TF_DataType dtype = TF_TensorType(t);
  int nd = TF_NumDims(t);
  napi_value shape;
  napi_create_array_with_length(env, nd, &shape);
  for (int i = 0; i < nd; ++i) {
    napi_value d;
    napi_create_int64(env, TF_Dim(t, i), &d);
    napi_set_element(env, shape, i, d);
  }
  size_t bytes = TF_TensorByteSize(t);
  void* buf = nullptr;
  napi_value ab, arr;
  napi_create_arraybuffer(env, bytes, &buf, &ab);
  if (bytes) std::memcpy(buf, TF_TensorData(t), bytes);
  napi_typedarray_type type = napi_uint8_array;
  size_t elem = 1;
  if (dtype == TF_FLOAT) type = napi_float32_array, elem = 4;
  else if (dtype == TF_INT32) type = napi_int32_array, elem = 4;
  else if (dtype == TF_DOUBLE) type = napi_float64_array, elem = 8;
  else if (dtype == TF_INT64) type = napi_bigint64_array, elem = 8;
  napi_create_typedarray(env, type, bytes / elem, ab, 0, &arr);
  napi_value out, dt;
  napi_create_object(env, &out);
  napi_create_int32(env, dtype, &dt);
  napi_set_named_property(env, out, "dtype", dt);
  napi_set_named_property(env, out, "shape", shape);
  napi_set_named_property(env, out, "data", arr);
  return out;
}

bool SetAttr(napi_env env, TF_OperationDescription* desc, napi_value attr) {
  std::string name, kind;
  if (!IsArray(env, attr) || Length(env, attr) != 3 || !GetString(env, At(env, attr, 0), &name) ||
      !GetString(env, At(env, attr, 1), &kind)) {
    Throw(env, "expected an attribute as [name, kind, value]");
    return false;
  }
  napi_value v = At(env, attr, 2);
  const char* n = name.c_str();
  if (kind == "int" || kind == "type") {
    int64_t i = 0;
    if (!GetInt64(env, v, &i)) return Throw(env, "attribute " + name + " needs an integer"), false;
    if (kind == "int") TF_SetAttrInt(desc, n, i);
    else TF_SetAttrType(desc, n, static_cast<TF_DataType>(i));
  } else if (kind == "float") {
    double d = 0;
    napi_get_value_double(env, v, &d);
    TF_SetAttrFloat(desc, n, static_cast<float>(d));
  } else if (kind == "bool") {
    bool b = false;
    napi_get_value_bool(env, v, &b);
    TF_SetAttrBool(desc, n, b ? 1 : 0);
  } else if (kind == "string") {
    std::string s;
    GetString(env, v, &s);
    TF_SetAttrString(desc, n, s.data(), s.size());
  } else if (kind == "ints") {
    std::vector<int64_t> list;
    if (!GetDims(env, v, &list)) return Throw(env, "attribute " + name + " needs a list of integers"), false;
    TF_SetAttrIntList(desc, n, list.data(), static_cast<int>(list.size()));
  } else if (kind == "shape") {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    if (t == napi_null) {
      TF_SetAttrShape(desc, n, nullptr, -1);  // unknown rank
    } else {
      std::vector<int64_t> dims;
      if (!GetDims(env, v, &dims)) return Throw(env, "attribute " + name + " needs a shape"), false;
      TF_SetAttrShape(desc, n, dims.data(), static_cast<int>(dims.size()));
    }
  } else if (kind == "tensor") {
    napi_value dtype, shape, data;
    napi_get_named_property(env, v, "dtype", &dtype);
    napi_get_named_property(env, v, "shape", &shape);
    napi_get_named_property(env, v, "data", &data);
    int64_t dt = 0;
    GetInt64(env, dtype, &dt);
    TF_Tensor* t = TensorFromTypedArray(env, dt, shape, data);
    if (!t) return false;
    TF_Status* status = TF_NewStatus();
    TF_SetAttrTensor(desc, n, t, status);
    TF_DeleteTensor(t);
    bool ok = TF_GetCode(status) == TF_OK;
    if (!ok) Throw(env, "attribute " + name + ": " + TF_Message(status));
    TF_DeleteStatus(status);
    return ok;
  } else {
    Throw(env, "unknown attribute kind '" + kind + "'");
    return false;
  }
  return true;
}

napi_value NewGraph(napi_env env, napi_callback_info) {
  auto* g = new Graph{TF_NewGraph()};
  napi_value out;
  CHECK_NAPI(env, napi_create_external(env, g, FinalizeGraph, nullptr, &out));
  return out;
}

napi_value AddOp(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc < 5) return Throw(env, "addOp(graph, type, name, inputs, attrs, controlInputs?)");
  Graph* g = Unwrap<Graph>(env, argv[0]);
  std::string type, name;
  if (!g || !GetString(env, argv[1], &type) || !GetString(env, argv[2], &name)) return Throw(env, "addOp: bad graph, type or name");
  TF_OperationDescription* desc = TF_NewOperation(g->graph, type.c_str(), name.c_str());
  // On any error below the description is abandoned unfinished; TensorFlow
  // frees it with the graph. The graph is then unusable, and the caller gives
  // up on graph mode altogether, so nothing half-built is ever run.
  napi_value inputs = argv[3];
  for (uint32_t i = 0, n = Length(env, inputs); i < n; ++i) {
    napi_value in = At(env, inputs, i);
    napi_value first = Length(env, in) ? At(env, in, 0) : nullptr;
    if (!first || IsArray(env, first)) {
      std::vector<TF_Output> list;
      if (!ToOutputs(env, g->graph, in, &list)) return nullptr;
      TF_AddInputList(desc, list.data(), static_cast<int>(list.size()));
    } else {
      TF_Output o;
      if (!ToOutput(env, g->graph, in, &o)) return nullptr;
      TF_AddInput(desc, o);
    }
  }
  napi_value attrs = argv[4];
  for (uint32_t i = 0, n = Length(env, attrs); i < n; ++i)
    if (!SetAttr(env, desc, At(env, attrs, i))) return nullptr;
  if (argc > 5 && IsArray(env, argv[5])) {
    for (uint32_t i = 0, n = Length(env, argv[5]); i < n; ++i) {
      std::string dep;
      GetString(env, At(env, argv[5], i), &dep);
      TF_Operation* op = TF_GraphOperationByName(g->graph, dep.c_str());
      if (!op) return Throw(env, "no operation named '" + dep + "' for a control input of " + name);
      TF_AddControlInput(desc, op);
    }
  }
  TF_Status* status = TF_NewStatus();
  TF_FinishOperation(desc, status);
  std::string error = TF_GetCode(status) == TF_OK ? "" : TF_Message(status);
  TF_DeleteStatus(status);
  if (!error.empty()) return Throw(env, type + " '" + name + "': " + error);
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

napi_value AddGradients(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Graph* g = argc == 4 ? Unwrap<Graph>(env, argv[0]) : nullptr;
  std::string prefix;
  if (!g || !GetString(env, argv[1], &prefix)) return Throw(env, "addGradients(graph, prefix, ys, xs)");
  std::vector<TF_Output> ys, xs;
  if (!ToOutputs(env, g->graph, argv[2], &ys) || !ToOutputs(env, g->graph, argv[3], &xs)) return nullptr;
  std::vector<TF_Output> dxs(xs.size());
  TF_Status* status = TF_NewStatus();
  TF_AddGradientsWithPrefix(g->graph, prefix.c_str(), ys.data(), static_cast<int>(ys.size()), xs.data(),
                            static_cast<int>(xs.size()), nullptr, status, dxs.data());
  std::string error = TF_GetCode(status) == TF_OK ? "" : TF_Message(status);
  TF_DeleteStatus(status);
  if (!error.empty()) return Throw(env, "gradients: " + error);
  napi_value out;
  napi_create_array_with_length(env, dxs.size(), &out);
  for (size_t i = 0; i < dxs.size(); ++i) {
    if (!dxs[i].oper) return Throw(env, "gradients: an input has no gradient path to the loss");
    napi_set_element(env, out, static_cast<uint32_t>(i), FromOutput(env, dxs[i]));
  }
  return out;
}

napi_value GraphDef(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Graph* g = argc == 1 ? Unwrap<Graph>(env, argv[0]) : nullptr;
  if (!g) return Throw(env, "graphDef(graph)");
  TF_Buffer* buf = TF_NewBuffer();
  TF_Status* status = TF_NewStatus();
  TF_GraphToGraphDef(g->graph, buf, status);
  napi_value out = nullptr;
  if (TF_GetCode(status) == TF_OK) {
    void* data = nullptr;
    napi_create_buffer_copy(env, buf->length, buf->data, &data, &out);
  } else {
    Throw(env, TF_Message(status));
  }
  TF_DeleteStatus(status);
  TF_DeleteBuffer(buf);
  return out;
}

napi_value NewSession(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Graph* g = argc >= 1 ? Unwrap<Graph>(env, argv[0]) : nullptr;
  if (!g) return Throw(env, "newSession(graph, configProto?)");
  TF_SessionOptions* opts = TF_NewSessionOptions();
  TF_Status* status = TF_NewStatus();
  if (argc > 1) {
    napi_valuetype t;
    napi_typeof(env, argv[1], &t);
    if (t == napi_object) {
      napi_typedarray_type type;
      size_t length = 0;
      void* bytes = nullptr;
      if (napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, nullptr, nullptr) == napi_ok && type == napi_uint8_array)
        TF_SetConfig(opts, bytes, length, status);
    }
  }
  TF_Session* session = TF_GetCode(status) == TF_OK ? TF_NewSession(g->graph, opts, status) : nullptr;
  std::string error = TF_GetCode(status) == TF_OK ? "" : TF_Message(status);
  TF_DeleteSessionOptions(opts);
  TF_DeleteStatus(status);
  if (!error.empty()) return Throw(env, "session: " + error);
  auto* s = new Session{g->graph, session};
  napi_value out;
  CHECK_NAPI(env, napi_create_external(env, s, FinalizeSession, nullptr, &out));
  return out;
}

napi_value CloseSession(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Session* s = argc == 1 ? Unwrap<Session>(env, argv[0]) : nullptr;
  if (s) CloseSessionNow(s);
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

// One TF_SessionRun: inputs are copied into TF_Tensors on the JS thread, the
// run itself may happen on another thread, results are copied back on the JS thread.
struct RunCall {
  Session* session = nullptr;
  std::vector<TF_Output> feeds, fetches;
  std::vector<TF_Tensor*> feedValues, fetchValues;
  std::vector<TF_Operation*> targets;
  std::string error;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;

  ~RunCall() {
    for (TF_Tensor* t : feedValues) if (t) TF_DeleteTensor(t);
    for (TF_Tensor* t : fetchValues) if (t) TF_DeleteTensor(t);
  }

  void Run() {
    if (!session->session) {
      error = "the session is closed";
      return;
    }
    fetchValues.assign(fetches.size(), nullptr);
    TF_Status* status = TF_NewStatus();
    TF_SessionRun(session->session, nullptr, feeds.data(), feedValues.data(), static_cast<int>(feeds.size()), fetches.data(),
                  fetchValues.data(), static_cast<int>(fetches.size()), targets.data(), static_cast<int>(targets.size()), nullptr,
                  status);
    if (TF_GetCode(status) != TF_OK) error = TF_Message(status);
    TF_DeleteStatus(status);
  }

  napi_value Results(napi_env env) {
    napi_value out;
    napi_create_array_with_length(env, fetchValues.size(), &out);
    for (size_t i = 0; i < fetchValues.size(); ++i) napi_set_element(env, out, static_cast<uint32_t>(i), TensorToJs(env, fetchValues[i]));
    return out;
  }
};

// Reads (session, feeds, fetches, targets) into a RunCall; nullptr with a JS error on bad arguments.
RunCall* PrepareRun(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 4) {
    Throw(env, "run(session, feeds, fetches, targets)");
    return nullptr;
  }
  Session* s = Unwrap<Session>(env, argv[0]);
  if (!s) {
    Throw(env, "run: not a session");
    return nullptr;
  }
  auto* call = new RunCall();
  call->session = s;
  for (uint32_t i = 0, n = Length(env, argv[1]); i < n; ++i) {
    napi_value f = At(env, argv[1], i);
    if (Length(env, f) != 5) {
      delete call;
      Throw(env, "a feed is [opName, index, dtype, shape, data]");
      return nullptr;
    }
    napi_value pair;
    napi_create_array_with_length(env, 2, &pair);
    napi_set_element(env, pair, 0, At(env, f, 0));
    napi_set_element(env, pair, 1, At(env, f, 1));
    TF_Output o;
    int64_t dtype = 0;
    if (!ToOutput(env, s->graph, pair, &o) || !GetInt64(env, At(env, f, 2), &dtype)) {
      delete call;
      return nullptr;
    }
    TF_Tensor* t = TensorFromTypedArray(env, dtype, At(env, f, 3), At(env, f, 4));
    if (!t) {
      delete call;
      return nullptr;
    }
    call->feeds.push_back(o);
    call->feedValues.push_back(t);
  }
  if (!ToOutputs(env, s->graph, argv[2], &call->fetches)) {
    delete call;
    return nullptr;
  }
  for (uint32_t i = 0, n = Length(env, argv[3]); i < n; ++i) {
    std::string name;
    GetString(env, At(env, argv[3], i), &name);
    TF_Operation* op = TF_GraphOperationByName(s->graph, name.c_str());
    if (!op) {
      delete call;
      Throw(env, "no operation named '" + name + "' to run");
      return nullptr;
    }
    call->targets.push_back(op);
  }
  return call;
}

napi_value RunSync(napi_env env, napi_callback_info info) {
  RunCall* call = PrepareRun(env, info);
  if (!call) return nullptr;
  call->Run();
  napi_value out = call->error.empty() ? call->Results(env) : Throw(env, call->error);
  delete call;
  return out;
}

void ExecuteRun(napi_env, void* data) { static_cast<RunCall*>(data)->Run(); }

void CompleteRun(napi_env env, napi_status, void* data) {
  auto* call = static_cast<RunCall*>(data);
  if (call->error.empty()) {
    napi_resolve_deferred(env, call->deferred, call->Results(env));
  } else {
    napi_value msg, err;
    napi_create_string_utf8(env, call->error.c_str(), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, nullptr, msg, &err);
    napi_reject_deferred(env, call->deferred, err);
  }
  napi_delete_async_work(env, call->work);
  delete call;
}

napi_value Run(napi_env env, napi_callback_info info) {
  RunCall* call = PrepareRun(env, info);
  if (!call) return nullptr;
  napi_value promise, name;
  napi_create_promise(env, &call->deferred, &promise);
  napi_create_string_utf8(env, "resnet-lab-graph-run", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, ExecuteRun, CompleteRun, call, &call->work);
  napi_queue_async_work(env, call->work);
  return promise;
}

napi_value Version(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, TF_Version(), NAPI_AUTO_LENGTH, &v);
  return v;
}

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
