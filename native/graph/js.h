// Reading JS arguments and writing JS values, every call checked. A reader
// names what it reads (`what`), so a wrong argument is one clear line:
// "addOp: attribute alpha (float) must be a number, got a string".
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "errors.h"

namespace rlg {

inline napi_valuetype TypeOf(napi_env env, napi_value v) {
  napi_valuetype t;
  NAPI_CALL(env, napi_typeof(env, v, &t));
  return t;
}

inline const char* TypeName(napi_valuetype t) {
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_object: return "an object";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
  }
  return "an unknown value";
}

// Throws a TypeError unless `v` is of type `t`.
inline void Expect(napi_env env, napi_value v, napi_valuetype t, const std::string& what, const char* wanted) {
  napi_valuetype actual = TypeOf(env, v);
  if (actual != t) throw TypeError(what + " must be " + wanted + ", got " + TypeName(actual));
}

// The call's arguments; a TypeError with `usage` when fewer than `required` came.
inline std::vector<napi_value> Args(napi_env env, napi_callback_info info, size_t required, size_t most,
                                    const char* usage) {
  size_t argc = most;
  std::vector<napi_value> argv(most);
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr));
  if (argc < required) throw TypeError(std::string("expected ") + usage);
  // Missing optional arguments read as undefined.
  for (size_t i = argc; i < most; ++i) NAPI_CALL(env, napi_get_undefined(env, &argv[i]));
  return argv;
}

inline std::string GetString(napi_env env, napi_value v, const std::string& what) {
  Expect(env, v, napi_string, what, "a string");
  size_t len = 0;
  NAPI_CALL(env, napi_get_value_string_utf8(env, v, nullptr, 0, &len));
  std::string out(len, '\0');
  size_t written = 0;
  NAPI_CALL(env, napi_get_value_string_utf8(env, v, out.data(), len + 1, &written));
  out.resize(written);
  return out;
}

inline double GetNumber(napi_env env, napi_value v, const std::string& what) {
  Expect(env, v, napi_number, what, "a number");
  double d = 0;
  NAPI_CALL(env, napi_get_value_double(env, v, &d));
  return d;
}

// An integer that a double holds exactly (|n| <= 2^53).
inline int64_t GetInt(napi_env env, napi_value v, const std::string& what) {
  double d = GetNumber(env, v, what);
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740992.0)
    throw TypeError(what + " must be an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

inline bool GetBool(napi_env env, napi_value v, const std::string& what) {
  Expect(env, v, napi_boolean, what, "a boolean");
  bool b = false;
  NAPI_CALL(env, napi_get_value_bool(env, v, &b));
  return b;
}

inline bool IsArray(napi_env env, napi_value v) {
  bool r = false;
  NAPI_CALL(env, napi_is_array(env, v, &r));
  return r;
}

// The elements of a JS array.
inline std::vector<napi_value> GetArray(napi_env env, napi_value v, const std::string& what) {
  if (!IsArray(env, v)) throw TypeError(what + " must be an array, got " + TypeName(TypeOf(env, v)));
  uint32_t n = 0;
  NAPI_CALL(env, napi_get_array_length(env, v, &n));
  std::vector<napi_value> out(n);
  for (uint32_t i = 0; i < n; ++i) NAPI_CALL(env, napi_get_element(env, v, i, &out[i]));
  return out;
}

// An array of exactly `n` elements (a tuple such as [opName, index]).
inline std::vector<napi_value> GetTuple(napi_env env, napi_value v, size_t n, const std::string& what,
                                        const char* form) {
  if (!IsArray(env, v)) throw TypeError(what + " must be " + form + ", got " + TypeName(TypeOf(env, v)));
  std::vector<napi_value> out = GetArray(env, v, what);
  if (out.size() != n) throw TypeError(what + " must be " + form + ", got an array of " + std::to_string(out.size()));
  return out;
}

inline std::vector<int64_t> GetInts(napi_env env, napi_value v, const std::string& what) {
  std::vector<napi_value> items = GetArray(env, v, what);
  std::vector<int64_t> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) out[i] = GetInt(env, items[i], what + "[" + std::to_string(i) + "]");
  return out;
}

inline napi_value GetProperty(napi_env env, napi_value obj, const char* name, const std::string& what) {
  Expect(env, obj, napi_object, what, "an object");
  napi_value v;
  NAPI_CALL(env, napi_get_named_property(env, obj, name, &v));
  return v;
}

inline napi_value Undefined(napi_env env) {
  napi_value v;
  NAPI_CALL(env, napi_get_undefined(env, &v));
  return v;
}

inline napi_value String(napi_env env, const char* s) {
  napi_value v;
  NAPI_CALL(env, napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v));
  return v;
}

inline napi_value Int(napi_env env, int64_t i) {
  napi_value v;
  NAPI_CALL(env, napi_create_int64(env, i, &v));
  return v;
}

inline napi_value Array(napi_env env, const std::vector<napi_value>& items) {
  napi_value arr;
  NAPI_CALL(env, napi_create_array_with_length(env, items.size(), &arr));
  for (size_t i = 0; i < items.size(); ++i)
    NAPI_CALL(env, napi_set_element(env, arr, static_cast<uint32_t>(i), items[i]));
  return arr;
}

}  // namespace rlg
