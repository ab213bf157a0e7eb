// The handles JS holds: a graph and a session, each a frozen JS object that
// wraps a C++ handle and carries a type tag, so a graph passed where a session
// belongs (or any other object) is refused rather than cast.
//
// Lifetimes are reference counts, independent of the order in which the
// garbage collector finalizes handles: a session holds its graph, and a run in
// flight holds its session. closeSession drops only the JS handle's reference;
// TensorFlow's session is closed and deleted when the last run using it ends.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "js.h"

namespace rlg {

struct GraphBox {
  TF_Graph* const graph;
  GraphBox() : graph(TF_NewGraph()) {}
  ~GraphBox() { TF_DeleteGraph(graph); }
  GraphBox(const GraphBox&) = delete;
  GraphBox& operator=(const GraphBox&) = delete;
};

struct SessionBox {
  const std::shared_ptr<GraphBox> graph;
  TF_Session* const session;
  SessionBox(std::shared_ptr<GraphBox> g, TF_Session* s) : graph(std::move(g)), session(s) {}
  ~SessionBox() {
    // Nothing is left to report a failure to: the session's last user is gone.
    Status status;
    TF_CloseSession(session, status.get());
    TF_DeleteSession(session, status.get());
  }
  SessionBox(const SessionBox&) = delete;
  SessionBox& operator=(const SessionBox&) = delete;
};

// What a graph handle wraps.
struct GraphHandle {
  static constexpr napi_type_tag kTag = {0x7a3c1e5f9b2d4a68ULL, 0x91c2e4f6a8b0d2e4ULL};
  static constexpr const char* kKind = "graph";
  std::shared_ptr<GraphBox> box = std::make_shared<GraphBox>();
};

// What a session handle wraps; `box` is empty once the session is closed.
struct SessionHandle {
  static constexpr napi_type_tag kTag = {0x5e8d2b7c1a4f3e96ULL, 0x0b1d3f5a7c9e2b4dULL};
  static constexpr const char* kKind = "session";
  std::shared_ptr<SessionBox> box;
};

template <typename H>
void FinalizeHandle(napi_env, void* data, void*) {
  delete static_cast<H*>(data);
}

// A new JS handle owning `handle`.
template <typename H>
napi_value Wrap(napi_env env, std::unique_ptr<H> handle) {
  napi_value obj;
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_type_tag_object(env, obj, &H::kTag));
  NAPI_CALL(env, napi_wrap(env, obj, handle.get(), FinalizeHandle<H>, nullptr, nullptr));
  handle.release();  // the JS object owns it now
  NAPI_CALL(env, napi_object_freeze(env, obj));
  return obj;
}

inline bool HasTag(napi_env env, napi_value v, const napi_type_tag& tag) {
  bool is = false;
  NAPI_CALL(env, napi_check_object_type_tag(env, v, &tag, &is));
  return is;
}

// The C++ handle behind `v`; a TypeError naming what `v` is when it is not an H.
template <typename H>
H& Unwrap(napi_env env, napi_value v, const std::string& what) {
  napi_valuetype t = TypeOf(env, v);
  std::string wanted = std::string("a ") + H::kKind;
  if (t != napi_object) throw TypeError(what + ": expected " + wanted + ", got " + TypeName(t));
  if (!HasTag(env, v, H::kTag)) {
    const char* other = HasTag(env, v, GraphHandle::kTag)     ? "a graph"
                        : HasTag(env, v, SessionHandle::kTag) ? "a session"
                                                              : "another object";
    throw TypeError(what + ": expected " + wanted + ", got " + other);
  }
  void* p = nullptr;
  NAPI_CALL(env, napi_unwrap(env, v, &p));
  return *static_cast<H*>(p);
}

// The open session behind `v` (a reference that keeps it alive while held).
inline std::shared_ptr<SessionBox> OpenSession(napi_env env, napi_value v, const std::string& what) {
  SessionHandle& h = Unwrap<SessionHandle>(env, v, what);
  if (!h.box) throw JsError(what + ": the session is closed", TF_FAILED_PRECONDITION);
  return h.box;
}

inline TF_Operation* FindOperation(napi_env env, TF_Graph* g, napi_value name, const std::string& what) {
  std::string n = GetString(env, name, what);
  TF_Operation* op = TF_GraphOperationByName(g, n.c_str());
  if (!op) throw JsError(what + ": no operation named '" + n + "' in the graph", TF_NOT_FOUND);
  return op;
}

// [opName, index] -> TF_Output, the op existing and having that output.
inline TF_Output GetOutput(napi_env env, TF_Graph* g, napi_value pair, const std::string& what) {
  std::vector<napi_value> p = GetTuple(env, pair, 2, what, "an output [opName, index]");
  TF_Operation* op = FindOperation(env, g, p[0], what);
  int64_t index = GetInt(env, p[1], what + " index");
  int n = TF_OperationNumOutputs(op);
  if (index < 0 || index >= n)
    throw JsError(what + ": operation '" + TF_OperationName(op) + "' has " + std::to_string(n) +
                      " output(s), no output " + std::to_string(index),
                  TF_OUT_OF_RANGE);
  return TF_Output{op, static_cast<int>(index)};
}

inline std::vector<TF_Output> GetOutputs(napi_env env, TF_Graph* g, napi_value arr, const std::string& what) {
  std::vector<napi_value> items = GetArray(env, arr, what);
  std::vector<TF_Output> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) out[i] = GetOutput(env, g, items[i], what + "[" + std::to_string(i) + "]");
  return out;
}

inline napi_value OutputToJs(napi_env env, TF_Output o) {
  return Array(env, {String(env, TF_OperationName(o.oper)), Int(env, o.index)});
}

}  // namespace rlg
