// Errors in the graph-mode addon. Every N-API call goes through NAPI_CALL and
// every TensorFlow status through a scoped Status: a failure becomes a C++
// exception that the exported function's guard (Guarded) turns into one JS
// error, with TensorFlow's code name on `err.code` ('INVALID_ARGUMENT', ...).
// Nothing is thrown across the N-API boundary, and no cleanup is hand-paired:
// whatever was allocated is owned by an object whose destructor frees it.
#pragma once

#define NAPI_VERSION 8  // type tags and napi_object_freeze
#include <node_api.h>

#include <exception>
#include <new>
#include <string>

#include "tensorflow/c/c_api.h"

namespace rlg {

// TensorFlow's name for a status code (error_codes.proto), as err.code carries it.
inline const char* CodeName(TF_Code code) {
  switch (code) {
    case TF_OK: return "OK";
    case TF_CANCELLED: return "CANCELLED";
    case TF_UNKNOWN: return "UNKNOWN";
    case TF_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case TF_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case TF_NOT_FOUND: return "NOT_FOUND";
    case TF_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case TF_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case TF_UNAUTHENTICATED: return "UNAUTHENTICATED";
    case TF_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case TF_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case TF_ABORTED: return "ABORTED";
    case TF_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case TF_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case TF_INTERNAL: return "INTERNAL";
    case TF_UNAVAILABLE: return "UNAVAILABLE";
    case TF_DATA_LOSS: return "DATA_LOSS";
  }
  return "UNKNOWN";
}

// An error for JS: its message, its code, and whether the caller passed a
// value of the wrong kind (a TypeError) rather than a wrong value (an Error).
struct JsError : std::exception {
  std::string message;
  TF_Code code;
  bool type_error;
  JsError(std::string msg, TF_Code c = TF_INVALID_ARGUMENT, bool is_type = false)
      : message(std::move(msg)), code(c), type_error(is_type) {}
  const char* what() const noexcept override { return message.c_str(); }
};

// The caller passed a JS value of the wrong kind (not a string, not a graph, ...).
inline JsError TypeError(const std::string& msg) {
  return JsError(msg, TF_INVALID_ARGUMENT, true);
}

// A JS exception is already pending (a getter threw, say): leave it as it is.
struct PendingJsException {};

// Throws what a failed N-API call means: the pending JS exception, or the call and N-API's reason.
inline void CheckNapi(napi_env env, napi_status status, const char* call) {
  if (status == napi_ok) return;
  // Read the reason first: every N-API call, napi_is_exception_pending too, resets it.
  const napi_extended_error_info* info = nullptr;
  std::string reason = napi_get_last_error_info(env, &info) == napi_ok && info && info->error_message
                           ? info->error_message
                           : "N-API call failed";
  bool pending = false;
  if (status == napi_pending_exception || (napi_is_exception_pending(env, &pending) == napi_ok && pending))
    throw PendingJsException{};
  throw JsError(std::string(call) + ": " + reason, TF_INTERNAL);
}

#define NAPI_CALL(env, call) ::rlg::CheckNapi((env), (call), #call)

// A TF_Status for one call, deleted when it goes out of scope.
class Status {
 public:
  Status() : status_(TF_NewStatus()) {
    if (!status_) throw std::bad_alloc();
  }
  ~Status() { TF_DeleteStatus(status_); }
  Status(const Status&) = delete;
  Status& operator=(const Status&) = delete;

  TF_Status* get() const { return status_; }
  bool ok() const { return TF_GetCode(status_) == TF_OK; }
  TF_Code code() const { return TF_GetCode(status_); }
  // TensorFlow's error as a JsError, its message after `context`.
  JsError Error(const std::string& context) const {
    return JsError(context + ": " + TF_Message(status_), TF_GetCode(status_));
  }
  void Check(const std::string& context) const {
    if (!ok()) throw Error(context);
  }

 private:
  TF_Status* status_;
};

// The JS value of an error: an Error (or TypeError) with `code` set.
inline napi_value MakeJsError(napi_env env, const JsError& e) {
  napi_value code, msg, err;
  NAPI_CALL(env, napi_create_string_utf8(env, CodeName(e.code), NAPI_AUTO_LENGTH, &code));
  NAPI_CALL(env, napi_create_string_utf8(env, e.message.c_str(), e.message.size(), &msg));
  if (e.type_error)
    NAPI_CALL(env, napi_create_type_error(env, code, msg, &err));
  else
    NAPI_CALL(env, napi_create_error(env, code, msg, &err));
  return err;
}

// Throws `e` into JS; if even that fails, the simplest JS error that still carries the code.
inline void ThrowJs(napi_env env, const JsError& e) {
  try {
    if (napi_throw(env, MakeJsError(env, e)) == napi_ok) return;
  } catch (const PendingJsException&) {
    return;
  } catch (const JsError&) {
    // fall through to the plain throw below
  }
  napi_throw_error(env, CodeName(e.code), e.message.c_str());
}

// Runs `body`, turning what it throws into a JS exception (and nullptr): the
// one boundary between the addon's C++ and JS.
template <typename Body>
napi_value Guard(napi_env env, Body&& body) {
  try {
    return body();
  } catch (const PendingJsException&) {
  } catch (const JsError& e) {
    ThrowJs(env, e);
  } catch (const std::bad_alloc&) {
    ThrowJs(env, JsError("out of memory", TF_RESOURCE_EXHAUSTED));
  } catch (const std::exception& e) {
    ThrowJs(env, JsError(e.what(), TF_INTERNAL));
  }
  return nullptr;
}

// An exported function, guarded: registered as Guarded<Fn> (see addon.cc).
template <napi_value (*Fn)(napi_env, napi_callback_info)>
napi_value Guarded(napi_env env, napi_callback_info info) {
  return Guard(env, [&] { return Fn(env, info); });
}

}  // namespace rlg
