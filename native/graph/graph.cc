// Building the graph: ops with their inputs and attributes, and TensorFlow's
// own gradients (TF_AddGradientsWithPrefix). See addon.cc for the JS API.
#include "api.h"
#include "napi_tf.h"

namespace rlg {

static bool SetAttr(napi_env env, TF_OperationDescription* desc, napi_value attr) {
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

}  // namespace rlg
