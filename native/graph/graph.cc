// Building the graph: ops with their inputs and attributes, and TensorFlow's
// own gradients (TF_AddGradientsWithPrefix). See addon.cc for the JS API.
//
// addOp reads and checks everything it was given before it asks TensorFlow
// for an operation description: once one exists, only TF_FinishOperation
// frees it (c_api.h), so a description is always finished, and one that must
// not join the graph is finished in a state TensorFlow refuses (Description).
#include <memory>
#include <string>
#include <vector>

#include "api.h"
#include "handles.h"
#include "tensors.h"

namespace rlg {
namespace {

// One attribute, read from [name, kind, value] and checked before use.
struct Attr {
  std::string name, kind;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<int64_t> ints;
  bool unknown_rank = false;
  Tensor tensor;
};

Attr ReadAttr(napi_env env, napi_value value, const std::string& what) {
  std::vector<napi_value> a = GetTuple(env, value, 3, what, "an attribute [name, kind, value]");
  Attr attr;
  attr.name = GetString(env, a[0], what + " name");
  attr.kind = GetString(env, a[1], what + " kind");
  std::string about = what + " " + attr.name + " (" + attr.kind + ")";
  napi_value v = a[2];
  if (attr.kind == "int") {
    attr.i = GetInt(env, v, about);
  } else if (attr.kind == "type") {
    attr.i = GetDataType(env, v, about);
  } else if (attr.kind == "float") {
    attr.f = GetNumber(env, v, about);
  } else if (attr.kind == "bool") {
    attr.b = GetBool(env, v, about);
  } else if (attr.kind == "string") {
    attr.s = GetString(env, v, about);
  } else if (attr.kind == "ints") {
    attr.ints = GetInts(env, v, about);
  } else if (attr.kind == "shape") {
    // null: unknown rank; -1 in a dimension: unknown size.
    if (TypeOf(env, v) == napi_null)
      attr.unknown_rank = true;
    else
      attr.ints = GetInts(env, v, about);
  } else if (attr.kind == "tensor") {
    TF_DataType dtype = GetDataType(env, GetProperty(env, v, "dtype", about), about + " dtype");
    attr.tensor =
        TensorFromJs(env, dtype, GetProperty(env, v, "shape", about), GetProperty(env, v, "data", about), about);
  } else {
    throw TypeError(what + " " + attr.name + ": unknown kind '" + attr.kind +
                    "' (int, float, bool, type, shape, ints, string or tensor)");
  }
  return attr;
}

// An input: one output, or a list of them (AddN, Pack, ConcatV2).
struct Input {
  bool is_list = false;
  std::vector<TF_Output> outputs;
};

Input ReadInput(napi_env env, TF_Graph* g, napi_value value, const std::string& what) {
  std::vector<napi_value> items = GetArray(env, value, what);
  Input in;
  in.is_list = items.empty() || IsArray(env, items[0]);
  if (in.is_list)
    in.outputs = GetOutputs(env, g, value, what);
  else
    in.outputs.push_back(GetOutput(env, g, value, what));
  return in;
}

// An operation description, always finished: by Finish, or, if abandoned, by
// the destructor, which first adds one input more than the op declares, so
// that TensorFlow refuses the node ("More Input() calls than ...") and frees
// the description. (addOp adds every input it was given before anything can
// fail; with fewer than declared, finishing fails on the missing ones anyway.)
class Description {
 public:
  Description(TF_Graph* g, const std::string& type, const std::string& name)
      : desc_(TF_NewOperation(g, type.c_str(), name.c_str())) {}
  ~Description() {
    if (!desc_) return;
    TF_AddInputList(desc_, nullptr, 0);
    Status discarded;
    TF_FinishOperation(desc_, discarded.get());
  }
  Description(const Description&) = delete;
  Description& operator=(const Description&) = delete;

  TF_OperationDescription* get() const { return desc_; }
  void Finish(const std::string& context) {
    Status status;
    TF_OperationDescription* desc = desc_;
    desc_ = nullptr;  // freed by TF_FinishOperation, whatever its outcome
    TF_FinishOperation(desc, status.get());
    status.Check(context);
  }

 private:
  TF_OperationDescription* desc_;
};

void SetAttr(TF_OperationDescription* desc, const Attr& a, const std::string& context) {
  const char* n = a.name.c_str();
  if (a.kind == "int") {
    TF_SetAttrInt(desc, n, a.i);
  } else if (a.kind == "type") {
    TF_SetAttrType(desc, n, static_cast<TF_DataType>(a.i));
  } else if (a.kind == "float") {
    TF_SetAttrFloat(desc, n, static_cast<float>(a.f));
  } else if (a.kind == "bool") {
    TF_SetAttrBool(desc, n, a.b ? 1 : 0);
  } else if (a.kind == "string") {
    TF_SetAttrString(desc, n, a.s.data(), a.s.size());
  } else if (a.kind == "ints") {
    TF_SetAttrIntList(desc, n, a.ints.data(), static_cast<int>(a.ints.size()));
  } else if (a.kind == "shape") {
    TF_SetAttrShape(desc, n, a.unknown_rank ? nullptr : a.ints.data(),
                    a.unknown_rank ? -1 : static_cast<int>(a.ints.size()));
  } else {  // tensor: the only setter that can fail
    Status status;
    TF_SetAttrTensor(desc, n, a.tensor.get(), status.get());
    status.Check(context + ": attribute " + a.name);
  }
}

}  // namespace

napi_value NewGraph(napi_env env, napi_callback_info) {
  return Wrap(env, std::make_unique<GraphHandle>());
}

napi_value AddOp(napi_env env, napi_callback_info info) {
  std::vector<napi_value> argv = Args(env, info, 5, 6, "addOp(graph, type, name, inputs, attrs, controlInputs?)");
  std::shared_ptr<GraphBox> g = Unwrap<GraphHandle>(env, argv[0], "addOp").box;
  std::string type = GetString(env, argv[1], "addOp: the op type");
  std::string name = GetString(env, argv[2], "addOp: the op name");
  std::string context = "addOp " + type + " '" + name + "'";

  std::vector<Input> inputs;
  std::vector<napi_value> in = GetArray(env, argv[3], context + ": inputs");
  for (size_t i = 0; i < in.size(); ++i)
    inputs.push_back(ReadInput(env, g->graph, in[i], context + ": input " + std::to_string(i)));
  std::vector<Attr> attrs;
  for (napi_value a : GetArray(env, argv[4], context + ": attrs"))
    attrs.push_back(ReadAttr(env, a, context + ": attribute"));
  std::vector<TF_Operation*> controls;
  if (TypeOf(env, argv[5]) != napi_undefined)
    for (napi_value c : GetArray(env, argv[5], context + ": control inputs"))
      controls.push_back(FindOperation(env, g->graph, c, context + ": control input"));

  Description desc(g->graph, type, name);
  for (const Input& input : inputs) {
    if (input.is_list)
      TF_AddInputList(desc.get(), input.outputs.data(), static_cast<int>(input.outputs.size()));
    else
      TF_AddInput(desc.get(), input.outputs[0]);
  }
  for (const Attr& a : attrs) SetAttr(desc.get(), a, context);
  for (TF_Operation* op : controls) TF_AddControlInput(desc.get(), op);
  desc.Finish(context);
  return Undefined(env);
}

napi_value AddGradients(napi_env env, napi_callback_info info) {
  std::vector<napi_value> argv = Args(env, info, 4, 4, "addGradients(graph, prefix, ys, xs)");
  std::shared_ptr<GraphBox> g = Unwrap<GraphHandle>(env, argv[0], "addGradients").box;
  std::string prefix = GetString(env, argv[1], "addGradients: the prefix");
  std::vector<TF_Output> ys = GetOutputs(env, g->graph, argv[2], "addGradients: ys");
  std::vector<TF_Output> xs = GetOutputs(env, g->graph, argv[3], "addGradients: xs");
  std::vector<TF_Output> dxs(xs.size());
  Status status;
  TF_AddGradientsWithPrefix(g->graph, prefix.c_str(), ys.data(), static_cast<int>(ys.size()), xs.data(),
                            static_cast<int>(xs.size()), nullptr, status.get(), dxs.data());
  status.Check("addGradients '" + prefix + "'");
  std::vector<napi_value> out(dxs.size());
  for (size_t i = 0; i < dxs.size(); ++i) {
    if (!dxs[i].oper)
      throw JsError("addGradients '" + prefix + "': " + TF_OperationName(xs[i].oper) + " has no gradient path to ys");
    out[i] = OutputToJs(env, dxs[i]);
  }
  return Array(env, out);
}

namespace {
struct BufferDeleter {
  void operator()(TF_Buffer* b) const { TF_DeleteBuffer(b); }
};
}  // namespace

napi_value GraphDef(napi_env env, napi_callback_info info) {
  std::vector<napi_value> argv = Args(env, info, 1, 1, "graphDef(graph)");
  std::shared_ptr<GraphBox> g = Unwrap<GraphHandle>(env, argv[0], "graphDef").box;
  std::unique_ptr<TF_Buffer, BufferDeleter> buf(TF_NewBuffer());
  Status status;
  TF_GraphToGraphDef(g->graph, buf.get(), status.get());
  status.Check("graphDef");
  napi_value out;
  void* copy = nullptr;
  NAPI_CALL(env, napi_create_buffer_copy(env, buf->length, buf->data, &copy, &out));
  return out;
}

}  // namespace rlg
