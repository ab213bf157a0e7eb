// N-API and TensorFlow C API plumbing shared by the graph-mode addon's files:
// argument readers, errors, the Graph and Session handles, and copies between
// typed arrays and TF_Tensors. Everything is inline: each .cc includes it.
#pragma once

#include <node_api.h>

#include <cstring>
#include <string>
#include <vector>

#include "tensorflow/c/c_api.h"

namespace rlg {

#define CHECK_NAPI(env, call)                                  \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      ThrowLastError(env, #call);                              \
      return nullptr;                                          \
    }                                                          \
  } while (0)

inline void ThrowLastError(napi_env env, const char* what) {
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    std::string msg = std::string(what) + ": " + (info && info->error_message ? info->error_message : "N-API call failed");
    napi_throw_error(env, nullptr, msg.c_str());
  }
}

inline napi_value Throw(napi_env env, const std::string& msg) {
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

inline void FinalizeGraph(napi_env, void* data, void*) {
  // The graph is freed only when JS drops it; sessions keep their own reference
  // through the JS object (see newSession), so the order is safe.
  auto* g = static_cast<Graph*>(data);
  TF_DeleteGraph(g->graph);
  delete g;
}

inline void CloseSessionNow(Session* s) {
  if (!s->session) return;
  TF_Status* status = TF_NewStatus();
  TF_CloseSession(s->session, status);
  TF_DeleteSession(s->session, status);
  TF_DeleteStatus(status);
  s->session = nullptr;
}

inline void FinalizeSession(napi_env, void* data, void*) {
  auto* s = static_cast<Session*>(data);
  CloseSessionNow(s);
  delete s;
}

inline bool GetString(napi_env env, napi_value v, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  size_t written = 0;
  if (napi_get_value_string_utf8(env, v, out->data(), len + 1, &written) != napi_ok) return false;
  out->resize(written);
  return true;
}

inline bool GetInt64(napi_env env, napi_value v, int64_t* out) { return napi_get_value_int64(env, v, out) == napi_ok; }

inline uint32_t Length(napi_env env, napi_value arr) {
  uint32_t n = 0;
  napi_get_array_length(env, arr, &n);
  return n;
}

inline napi_value At(napi_env env, napi_value arr, uint32_t i) {
  napi_value v = nullptr;
  napi_get_element(env, arr, i, &v);
  return v;
}

inline bool IsArray(napi_env env, napi_value v) {
  bool r = false;
  napi_is_array(env, v, &r);
  return r;
}

template <typename T>
inline T* Unwrap(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok) return nullptr;
  return static_cast<T*>(p);
}

// [opName, index] -> TF_Output; false (with a JS error) if the op does not exist.
inline bool ToOutput(napi_env env, TF_Graph* g, napi_value pair, TF_Output* out) {
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

inline bool ToOutputs(napi_env env, TF_Graph* g, napi_value arr, std::vector<TF_Output>* out) {
  uint32_t n = Length(env, arr);
  out->resize(n);
  for (uint32_t i = 0; i < n; ++i)
    if (!ToOutput(env, g, At(env, arr, i), &(*out)[i])) return false;
  return true;
}

inline napi_value FromOutput(napi_env env, TF_Output o) {
  napi_value pair, name, index;
  napi_create_array_with_length(env, 2, &pair);
  napi_create_string_utf8(env, TF_OperationName(o.oper), NAPI_AUTO_LENGTH, &name);
  napi_create_int32(env, o.index, &index);
  napi_set_element(env, pair, 0, name);
  napi_set_element(env, pair, 1, index);
  return pair;
}

inline bool GetDims(napi_env env, napi_value arr, std::vector<int64_t>* dims) {
  uint32_t n = Length(env, arr);
  dims->resize(n);
  for (uint32_t i = 0; i < n; ++i)
    if (!GetInt64(env, At(env, arr, i), &(*dims)[i])) return false;
  return true;
}

// A TF_Tensor holding a copy of a typed array.
inline TF_Tensor* TensorFromTypedArray(napi_env env, int64_t dtype, napi_value shape, napi_value data) {
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

inline napi_value TensorToJs(napi_env env, TF_Tensor* t) {
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

}  // namespace rlg
