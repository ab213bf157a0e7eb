// Running the graph: a session over it, and one TF_SessionRun per call, off
// the JS thread (async work) or on it (runSync, for small reads and writes).
// A run holds a reference to its session (handles.h), so closing the session
// or losing its handle during a run lets the run finish first.
#include <memory>
#include <string>
#include <vector>

#include "api.h"
#include "handles.h"
#include "tensors.h"

namespace rlg {
namespace {

struct SessionOptionsDeleter {
  void operator()(TF_SessionOptions* o) const { TF_DeleteSessionOptions(o); }
};

// Dimensions of `o` that the graph knows (-1 where it does not); empty with known_rank false if not even the rank.
std::vector<int64_t> StaticShape(TF_Graph* g, TF_Output o, bool* known_rank) {
  Status status;
  int rank = TF_GraphGetTensorNumDims(g, o, status.get());
  *known_rank = status.ok() && rank >= 0;
  if (!*known_rank) return {};
  std::vector<int64_t> dims(rank);
  TF_GraphGetTensorShape(g, o, dims.data(), rank, status.get());
  if (!status.ok()) *known_rank = false;
  return dims;
}

std::string ShapeText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// One TF_SessionRun: its arguments are read and copied on the JS thread, the
// run may happen on another thread, the results are copied to JS on the JS thread.
struct RunCall {
  std::shared_ptr<SessionBox> session;
  std::vector<TF_Output> feeds, fetches;
  std::vector<Tensor> feed_values, fetch_values;
  std::vector<TF_Operation*> targets;
  TF_Code code = TF_OK;
  std::string error;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;

  void Run() {
    std::vector<TF_Tensor*> in(feed_values.size()), out(fetches.size(), nullptr);
    for (size_t i = 0; i < in.size(); ++i) in[i] = feed_values[i].get();
    Status status;
    TF_SessionRun(session->session, nullptr, feeds.data(), in.data(), static_cast<int>(in.size()), fetches.data(),
                  out.data(), static_cast<int>(out.size()), targets.data(), static_cast<int>(targets.size()), nullptr,
                  status.get());
    for (TF_Tensor* t : out) fetch_values.emplace_back(t);
    if (!status.ok()) code = status.code(), error = std::string("run: ") + TF_Message(status.get());
  }

  napi_value Results(napi_env env) const {
    if (code != TF_OK) throw JsError(error, code);
    std::vector<napi_value> out(fetch_values.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (!fetch_values[i])
        throw JsError("run: TensorFlow returned no value for fetch " + std::to_string(i), TF_INTERNAL);
      out[i] = TensorToJs(env, fetch_values[i].get());
    }
    return Array(env, out);
  }
};

// A feed [opName, index, dtype, shape, data], checked against what the graph says of that output.
void ReadFeed(napi_env env, RunCall* call, napi_value value, const std::string& what) {
  std::vector<napi_value> f = GetTuple(env, value, 5, what, "a feed [opName, index, dtype, shape, data]");
  TF_Graph* g = call->session->graph->graph;
  TF_Output o = GetOutput(env, g, Array(env, {f[0], f[1]}), what);
  std::string where = what + " '" + TF_OperationName(o.oper) + ":" + std::to_string(o.index) + "'";
  TF_DataType dtype = GetDataType(env, f[2], where + " dtype");
  TF_DataType expected = TF_OperationOutputType(o);
  if (dtype != expected)
    throw JsError(where + " has data type " + std::to_string(expected) + ", the feed " + std::to_string(dtype));
  Tensor t = TensorFromJs(env, dtype, f[3], f[4], where);
  bool known_rank = false;
  std::vector<int64_t> graph_dims = StaticShape(g, o, &known_rank);
  std::vector<int64_t> dims(TF_NumDims(t.get()));
  for (size_t i = 0; i < dims.size(); ++i) dims[i] = TF_Dim(t.get(), static_cast<int>(i));
  bool fits = !known_rank || graph_dims.size() == dims.size();
  for (size_t i = 0; fits && known_rank && i < dims.size(); ++i) fits = graph_dims[i] < 0 || graph_dims[i] == dims[i];
  if (!fits) throw JsError(where + " has shape " + ShapeText(graph_dims) + ", the feed " + ShapeText(dims));
  call->feeds.push_back(o);
  call->feed_values.push_back(std::move(t));
}

// Reads (session, feeds, fetches, targets) into a RunCall.
std::unique_ptr<RunCall> PrepareRun(napi_env env, napi_callback_info info, const char* fn) {
  std::string usage = std::string(fn) + "(session, feeds, fetches, targets)";
  std::vector<napi_value> argv = Args(env, info, 4, 4, usage.c_str());
  auto call = std::make_unique<RunCall>();
  call->session = OpenSession(env, argv[0], fn);
  TF_Graph* g = call->session->graph->graph;
  std::vector<napi_value> feeds = GetArray(env, argv[1], std::string(fn) + ": feeds");
  for (size_t i = 0; i < feeds.size(); ++i)
    ReadFeed(env, call.get(), feeds[i], std::string(fn) + ": feed " + std::to_string(i));
  call->fetches = GetOutputs(env, g, argv[2], std::string(fn) + ": fetches");
  for (napi_value t : GetArray(env, argv[3], std::string(fn) + ": targets"))
    call->targets.push_back(FindOperation(env, g, t, std::string(fn) + ": target"));
  return call;
}

void ExecuteRun(napi_env, void* data) {
  static_cast<RunCall*>(data)->Run();
}

// The JS error for `e`, or nullptr (with a JS exception pending, or none) if even that fails.
napi_value ErrorValue(napi_env env, const JsError& e) noexcept {
  try {
    return MakeJsError(env, e);
  } catch (...) {
    return nullptr;
  }
}

// Settles the run's promise; the RunCall (and with it the run's reference to the session) goes.
void CompleteRun(napi_env env, napi_status status, void* data) {
  std::unique_ptr<RunCall> call(static_cast<RunCall*>(data));
  napi_value result = nullptr;
  bool resolved = false;
  try {
    if (status != napi_ok) throw JsError("run: cancelled before it ran", TF_CANCELLED);
    result = call->Results(env);
    resolved = true;
  } catch (const JsError& e) {
    result = ErrorValue(env, e);
  } catch (const PendingJsException&) {
  } catch (const std::exception& e) {
    result = ErrorValue(env, JsError(e.what(), TF_INTERNAL));
  }
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    resolved = false;
    if (napi_get_and_clear_last_exception(env, &result) != napi_ok) result = nullptr;
  }
  napi_status settled = !result    ? napi_generic_failure
                        : resolved ? napi_resolve_deferred(env, call->deferred, result)
                                   : napi_reject_deferred(env, call->deferred, result);
  // No JS caller is waiting on this callback: a promise that cannot be settled
  // becomes an uncaught exception rather than a run that never ends.
  if (settled != napi_ok) napi_throw_error(env, "INTERNAL", "run: could not settle the run's promise");
  if (napi_delete_async_work(env, call->work) != napi_ok)
    napi_throw_error(env, "INTERNAL", "run: could not delete the run's async work");
}

}  // namespace

napi_value NewSession(napi_env env, napi_callback_info info) {
  std::vector<napi_value> argv = Args(env, info, 1, 2, "newSession(graph, configProto?)");
  std::shared_ptr<GraphBox> g = Unwrap<GraphHandle>(env, argv[0], "newSession").box;
  std::unique_ptr<TF_SessionOptions, SessionOptionsDeleter> opts(TF_NewSessionOptions());
  Status status;
  if (TypeOf(env, argv[1]) != napi_undefined) {
    bool is_typed = false;
    NAPI_CALL(env, napi_is_typedarray(env, argv[1], &is_typed));
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* bytes = nullptr;
    if (is_typed) NAPI_CALL(env, napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, nullptr, nullptr));
    if (!is_typed || type != napi_uint8_array)
      throw TypeError("newSession: the config must be a Uint8Array (a serialized ConfigProto)");
    TF_SetConfig(opts.get(), bytes, length, status.get());
    status.Check("newSession: the config");
  }
  TF_Session* session = TF_NewSession(g->graph, opts.get(), status.get());
  status.Check("newSession");
  auto handle = std::make_unique<SessionHandle>();
  handle->box = std::make_shared<SessionBox>(g, session);
  return Wrap(env, std::move(handle));
}

napi_value CloseSession(napi_env env, napi_callback_info info) {
  std::vector<napi_value> argv = Args(env, info, 1, 1, "closeSession(session)");
  // Closing twice is harmless; runs in flight keep the session until they end.
  Unwrap<SessionHandle>(env, argv[0], "closeSession").box.reset();
  return Undefined(env);
}

napi_value RunSync(napi_env env, napi_callback_info info) {
  std::unique_ptr<RunCall> call = PrepareRun(env, info, "runSync");
  call->Run();
  return call->Results(env);
}

napi_value Run(napi_env env, napi_callback_info info) {
  std::unique_ptr<RunCall> call = PrepareRun(env, info, "run");
  napi_value promise;
  NAPI_CALL(env, napi_create_promise(env, &call->deferred, &promise));
  NAPI_CALL(env, napi_create_async_work(env, nullptr, String(env, "resnet-lab-graph-run"), ExecuteRun, CompleteRun,
                                        call.get(), &call->work));
  if (napi_queue_async_work(env, call->work) != napi_ok) {
    napi_delete_async_work(env, call->work);  // the error below says what matters
    throw JsError("run: napi_queue_async_work failed", TF_INTERNAL);
  }
  call.release();  // CompleteRun owns it now
  return promise;
}

napi_value Version(napi_env env, napi_callback_info) {
  return String(env, TF_Version());
}

}  // namespace rlg
