// Running the graph: a session over it, and one TF_SessionRun per call, off
// the JS thread (async work) or on it (runSync, for small reads and writes).
#include "api.h"
#include "napi_tf.h"

namespace rlg {

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
static RunCall* PrepareRun(napi_env env, napi_callback_info info) {
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

static void ExecuteRun(napi_env, void* data) { static_cast<RunCall*>(data)->Run(); }

static void CompleteRun(napi_env env, napi_status, void* data) {
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

}  // namespace rlg
