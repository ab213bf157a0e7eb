// TF_Tensors to and from JS {dtype, shape, data}: data is the typed array of
// the dtype (Float32Array for float, Int32Array for int32, ...), copied each way.
#pragma once

#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "js.h"

namespace rlg {

struct TensorDeleter {
  void operator()(TF_Tensor* t) const { TF_DeleteTensor(t); }
};
using Tensor = std::unique_ptr<TF_Tensor, TensorDeleter>;

// The typed array that holds a dtype's elements; false for dtypes that no typed array holds (strings, resources, ...).
inline bool TypedArrayFor(TF_DataType dtype, napi_typedarray_type* type, const char** name) {
  switch (dtype) {
    case TF_FLOAT: *type = napi_float32_array, *name = "Float32Array"; return true;
    case TF_DOUBLE: *type = napi_float64_array, *name = "Float64Array"; return true;
    case TF_INT32: *type = napi_int32_array, *name = "Int32Array"; return true;
    case TF_UINT32: *type = napi_uint32_array, *name = "Uint32Array"; return true;
    case TF_INT16: *type = napi_int16_array, *name = "Int16Array"; return true;
    case TF_UINT16: *type = napi_uint16_array, *name = "Uint16Array"; return true;
    case TF_INT8: *type = napi_int8_array, *name = "Int8Array"; return true;
    case TF_UINT8: *type = napi_uint8_array, *name = "Uint8Array"; return true;
    case TF_BOOL: *type = napi_uint8_array, *name = "Uint8Array"; return true;
    case TF_INT64: *type = napi_bigint64_array, *name = "BigInt64Array"; return true;
    case TF_UINT64: *type = napi_biguint64_array, *name = "BigUint64Array"; return true;
    default: return false;
  }
}

inline TF_DataType GetDataType(napi_env env, napi_value v, const std::string& what) {
  int64_t d = GetInt(env, v, what);
  if (d <= 0 || d > std::numeric_limits<int>::max())
    throw JsError(what + ": " + std::to_string(d) + " is not a TensorFlow data type");
  return static_cast<TF_DataType>(d);
}

// A shape of known, non-negative dimensions, and its element count.
inline std::vector<int64_t> GetShape(napi_env env, napi_value v, const std::string& what, size_t* count) {
  std::vector<int64_t> dims = GetInts(env, v, what);
  *count = 1;
  for (int64_t d : dims) {
    if (d < 0) throw JsError(what + ": dimension " + std::to_string(d) + " is negative");
    if (d && *count > std::numeric_limits<size_t>::max() / static_cast<size_t>(d))
      throw JsError(what + " is too large");
    *count *= static_cast<size_t>(d);
  }
  return dims;
}

// A TF_Tensor holding a copy of `data`, which must be the typed array of `dtype` with as many elements as `shape`.
inline Tensor TensorFromJs(napi_env env, TF_DataType dtype, napi_value shape, napi_value data,
                           const std::string& what) {
  napi_typedarray_type wanted;
  const char* wanted_name;
  if (!TypedArrayFor(dtype, &wanted, &wanted_name))
    throw JsError(what + ": data type " + std::to_string(dtype) + " cannot be given as a typed array",
                  TF_UNIMPLEMENTED);
  size_t count = 0;
  std::vector<int64_t> dims = GetShape(env, shape, what + " shape", &count);
  bool is_typed = false;
  NAPI_CALL(env, napi_is_typedarray(env, data, &is_typed));
  if (!is_typed) throw TypeError(what + " data must be a " + wanted_name + ", got " + TypeName(TypeOf(env, data)));
  napi_typedarray_type type;
  size_t length = 0;
  void* bytes = nullptr;
  NAPI_CALL(env, napi_get_typedarray_info(env, data, &type, &length, &bytes, nullptr, nullptr));
  if (type != wanted && !(dtype == TF_UINT8 && type == napi_uint8_clamped_array))
    throw TypeError(what + " data must be a " + wanted_name + " for data type " + std::to_string(dtype));
  if (length != count)
    throw JsError(what + ": shape has " + std::to_string(count) + " elements, the data " + std::to_string(length));
  size_t byte_size = count * TF_DataTypeSize(dtype);
  Tensor t(TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()), byte_size));
  if (!t) throw JsError(what + ": cannot allocate " + std::to_string(byte_size) + " bytes", TF_RESOURCE_EXHAUSTED);
  if (byte_size) std::memcpy(TF_TensorData(t.get()), bytes, byte_size);
  return t;
}

// {dtype, shape, data} holding a copy of `t`.
inline napi_value TensorToJs(napi_env env, const TF_Tensor* t) {
  TF_DataType dtype = TF_TensorType(t);
  napi_typedarray_type type;
  const char* name;
  if (!TypedArrayFor(dtype, &type, &name))
    throw JsError("a fetched tensor has data type " + std::to_string(dtype) + ", which no typed array holds",
                  TF_UNIMPLEMENTED);
  std::vector<napi_value> dims(TF_NumDims(t));
  for (size_t i = 0; i < dims.size(); ++i) dims[i] = Int(env, TF_Dim(t, static_cast<int>(i)));
  size_t bytes = TF_TensorByteSize(t);
  void* buf = nullptr;
  napi_value ab, arr, out, dt;
  NAPI_CALL(env, napi_create_arraybuffer(env, bytes, &buf, &ab));
  if (bytes) std::memcpy(buf, TF_TensorData(t), bytes);
  NAPI_CALL(env, napi_create_typedarray(env, type, bytes / TF_DataTypeSize(dtype), ab, 0, &arr));
  NAPI_CALL(env, napi_create_object(env, &out));
  NAPI_CALL(env, napi_create_int32(env, dtype, &dt));
  NAPI_CALL(env, napi_set_named_property(env, out, "dtype", dt));
  NAPI_CALL(env, napi_set_named_property(env, out, "shape", Array(env, dims)));
  NAPI_CALL(env, napi_set_named_property(env, out, "data", arr));
  return out;
}

}  // namespace rlg
