"""Keras 3's SavedModel export: ``Model.export``, ``keras.export.ExportArchive`` and
``keras.layers.TFSMLayer``, on ``cf.saved_model`` (cuflow's own directory format).

    >>> import cuflow as cf, tempfile, os
    >>> keras = cf.keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "exported")
    >>> model.export(path, verbose=False)
    >>> reloaded = cf.saved_model.load(path)
    >>> reloaded.serve(cf.ones((1, 3))).shape
    TensorShape([1, 2])
    >>> layer = keras.layers.TFSMLayer(path, call_endpoint="serve")
    >>> layer(cf.ones((4, 3))).shape
    TensorShape([4, 2])
"""
from __future__ import annotations

from .. import nest
from ..tensor import Tensor, Variable
from ..tensor_spec import TensorSpec
from .layers.base import InputSpec, Layer

DEFAULT_ENDPOINT_NAME = "serve"
_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert")


def make_tf_tensor_spec(x):
    """A TensorSpec from a TensorSpec, InputSpec, KerasTensor or tensor (batch dim None
    for the last two, as Keras's ``make_input_spec``)."""
    from .keras_tensor import KerasTensor
    if isinstance(x, TensorSpec):
        return x
    if isinstance(x, InputSpec):
        if x.shape is None or x.dtype is None:
            raise ValueError(f"The `shape` and `dtype` must be provided. Received: x={x}")
        return TensorSpec(tuple(x.shape), str(x.dtype), name=x.name)
    if isinstance(x, (KerasTensor, Tensor)):
        shape = tuple(x.shape)
        shape = (None,) + shape[1:] if shape else shape
        return TensorSpec(shape, str(getattr(x.dtype, "name", x.dtype)),
                          name=x.name if isinstance(x, KerasTensor) else None)
    raise TypeError(f"Unsupported x={x} of the type ({type(x)}). Supported types are: "
                    "`keras.InputSpec`, `keras.KerasTensor` and backend tensor.")


def get_input_signature(model):
    """The specs ``model.export`` traces with (Keras's rule per model kind)."""
    from .models import Model, Sequential
    from .models.functional import Functional
    if not isinstance(model, Model):
        raise TypeError(f"The model must be a `keras.Model`. Received: model={model} of the "
                        f"type {type(model)}")
    if not model.built:
        raise ValueError("The model provided has not yet been built. It must be built "
                         "before export.")
    if isinstance(model, Functional) and "_nested_inputs" in model.__dict__:
        return [nest.map_structure(make_tf_tensor_spec, model._nested_inputs)]
    if isinstance(model, Sequential) and getattr(model, "inputs", None):
        return [make_tf_tensor_spec(x) for x in model.inputs]
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        raise ValueError("The model provided has never called. It must be called at least "
                         "once before export.")
    dtype = model.compute_dtype

    def spec(s):
        s = tuple(s)
        return TensorSpec((None,) + s[1:] if s else s, dtype)
    if isinstance(shape, (list, tuple)) and shape and not isinstance(shape[0], (int,
                                                                              type(None))):
        return [[spec(s) for s in shape]]
    return [spec(shape)]


def default_serving_function(model):
    """``cf.saved_model.save(model, path)`` without signatures: the model's inference
    call on its input specs (TF names the argument ``inputs``)."""
    from ..graph.function import function
    specs = get_input_signature(model)
    if len(specs) != 1:
        return function(lambda *inputs: model(list(inputs), training=False),
                        input_signature=specs, autograph=False)

    def serve(inputs):
        return model(inputs, training=False)
    if isinstance(specs[0], TensorSpec):     # TF names a single input after the argument
        specs = [TensorSpec(specs[0].shape, specs[0].dtype)]
    return function(serve, input_signature=specs, autograph=False)


def export_model(model, filepath, format="tf_saved_model", verbose=None,
                 input_signature=None, **kwargs):
    """``Model.export``: the ``serve`` endpoint (plus ``serving_default``)."""
    if format not in _FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats are: "
                         f"{list(_FORMATS)}.")
    if format != "tf_saved_model":
        raise ValueError(f"format={format!r}: cuflow exports the 'tf_saved_model' format "
                         "(its own SavedModel directory) only")
    archive = ExportArchive()
    if input_signature is None:
        input_signature = get_input_signature(model)
    archive.track_and_add_endpoint(DEFAULT_ENDPOINT_NAME, model, input_signature, **kwargs)
    archive.write_out(filepath, verbose=True if verbose is None else verbose)


class ExportArchive:
    """Collects endpoints and variables, then writes a SavedModel (Keras 3's class)."""

    def __init__(self):
        from ..export.saved_model import AutoTrackable
        self._endpoint_names: list = []
        self._endpoint_signatures: dict = {}
        self._positional: set = set()      # endpoints on a layer's __call__(*args)
        self._tracked: list = []
        self._tf_trackable = AutoTrackable()
        self._tf_trackable.variables = []
        self._tf_trackable.trainable_variables = []
        self._tf_trackable.non_trainable_variables = []

    @property
    def variables(self):
        return self._tf_trackable.variables

    @property
    def trainable_variables(self):
        return self._tf_trackable.trainable_variables

    @property
    def non_trainable_variables(self):
        return self._tf_trackable.non_trainable_variables

    def track(self, resource):
        """Tracks a layer's or model's variables (saved with the endpoints)."""
        if isinstance(resource, Layer) and not resource.built:
            raise ValueError("The layer provided has not yet been built. It must be built "
                             "before export.")
        if not isinstance(resource, Layer):
            raise ValueError("Invalid resource type. Expected a Keras `Layer` or `Model` or "
                             f"a TensorFlow `Trackable` object. Received object {resource} "
                             f"of type '{type(resource)}'. ")
        self._tracked.append(resource)
        t = self._tf_trackable
        t.variables += resource.variables
        t.trainable_variables += resource.trainable_variables
        t.non_trainable_variables += resource.non_trainable_variables

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Registers ``fn`` (traced on ``input_signature``) as endpoint ``name``."""
        from ..graph.function import Function, function
        if name in self._endpoint_names:
            raise ValueError(f"Endpoint name '{name}' is already taken.")
        if "jax2tf_kwargs" in kwargs or "is_static" in kwargs:
            raise ValueError("'jax2tf_kwargs' and 'is_static' are only supported with the "
                             "jax backend. Current backend: tensorflow")
        if input_signature is None:
            if not isinstance(fn, Function):
                raise ValueError(
                    "If the `fn` argument provided is not a `tf.function`, you must provide "
                    "an `input_signature` argument to specify the shape and dtype of the "
                    "function arguments.")
            from ..export.saved_model import _traces
            if not _traces(fn):
                raise ValueError(
                    f"The provided tf.function '{fn}' has never been called. To specify the "
                    "expected shape and dtype of the function's arguments, you must either "
                    "provide a function that has been called at least once, or "
                    "alternatively pass an `input_signature` argument in `add_endpoint()`.")
            decorated = fn
        else:
            input_signature = nest.map_structure(make_tf_tensor_spec, input_signature)
            decorated = function(fn, input_signature=input_signature, autograph=False)
            self._endpoint_signatures[name] = input_signature
        setattr(self._tf_trackable, name, decorated)
        self._endpoint_names.append(name)
        return decorated

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        self.track(resource)
        fn = self.add_endpoint(name, resource.__call__, input_signature, **kwargs)
        self._positional.add(name)
        return fn

    def add_variable_collection(self, name, variables):
        """Saves ``variables`` as the attribute ``name`` of the reloaded object."""
        if not isinstance(variables, (list, tuple, set)):
            raise ValueError("Expected `variables` to be a list/tuple/set. Received instead "
                             f"object of type '{type(variables)}'.")
        if not all(isinstance(v, Variable) for v in variables):
            raise ValueError("Expected all elements in `variables` to be `tf.Variable` "
                             "instances. Found instead the following types: "
                             f"{list({type(v) for v in variables})}")
        setattr(self._tf_trackable, name, list(variables))

    def _concrete(self, name):
        from ..export.saved_model import _traces
        fn = getattr(self._tf_trackable, name)
        return fn if name in self._endpoint_signatures else _traces(fn)[0]

    def write_out(self, filepath, options=None, verbose=True):
        """Writes the SavedModel; the first endpoint is also ``serving_default``."""
        from ..export import saved_model
        if not self._endpoint_names:
            raise ValueError("No endpoints have been set yet. Call add_endpoint().")
        signatures = {name: self._concrete(name) for name in self._endpoint_names}
        if "serving_default" not in self._endpoint_names:
            signatures["serving_default"] = self._concrete(self._endpoint_names[0])
        saved_model.save(self._tf_trackable, filepath, signatures=signatures,
                         options=options)
        if verbose:
            from .utils import io_utils
            io_utils.print_msg(
                f"Saved artifact at '{filepath}'. The following endpoints are available:"
                "\n\n" + "\n\n".join(self._describe(n) for n in self._endpoint_names))

    def _describe(self, name):
        """TF's endpoint text: the parameters with the input_signature's specs (a layer's
        ``__call__(*args)`` shows them as ``args_0 (POSITIONAL_ONLY)``), the output type
        and the captured variables."""
        from ..export.saved_model import _traces
        c = _traces(getattr(self._tf_trackable, name))[0]
        lines = c.pretty_printed_signature().split("\n")
        specs = self._endpoint_signatures.get(name)
        if specs is not None and "Output Type:" in lines:
            params = getattr(c, "_params", None) or []
            shown = []
            for i, spec in enumerate(specs):
                if name in self._positional or i >= len(params):
                    head = f"args_{i} (POSITIONAL_ONLY)"
                else:
                    head = f"{params[i].name} ({params[i].kind})"
                shown.append(f"  {head}: {_spec_text(spec)}")
            lines = ["Input Parameters:"] + shown + lines[lines.index("Output Type:"):]
        return "\n".join([f"* Endpoint '{name}'"] + lines[1:])


def _spec_text(x):
    """A spec structure as TF prints it in a signature, names kept."""
    if isinstance(x, dict):
        return "Dict[" + ", ".join(f"[{k!r}, {_spec_text(v)}]" for k, v in x.items()) + "]"
    if isinstance(x, (list, tuple)):
        kind = "Tuple" if isinstance(x, tuple) else "List"
        return f"{kind}[" + ", ".join(_spec_text(v) for v in x) + "]"
    return repr(x)


def _variables_used_by(fns):
    trainable, other, seen = [], [], set()
    for fn in fns:
        concretes = fn.concrete_functions if hasattr(fn, "concrete_functions") else [fn]
        for c in concretes:
            for v in c.variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    (trainable if v.trainable else other).append(v)
    return trainable, other


class TFSMLayer(Layer):
    """A reloaded SavedModel endpoint as a Keras layer (Keras 3's ``TFSMLayer``).

    Its weights are the reloaded variables the endpoint uses, so training the layer
    changes what the endpoint computes."""

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        from ..export import saved_model
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        self._reloaded_obj = saved_model.load(filepath)
        self.filepath = filepath
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        self.call_endpoint_fn = self._endpoint(call_endpoint, True)
        fns = [self.call_endpoint_fn]
        if call_training_endpoint:
            self.call_training_endpoint_fn = self._endpoint(call_training_endpoint, False)
            fns.append(self.call_training_endpoint_fn)
        trainable_vars, other = _variables_used_by(fns)
        self._trainable_weights.extend(trainable_vars)
        self._non_trainable_weights.extend(other)
        self.built = True

    def _endpoint(self, name, main):
        obj = self._reloaded_obj
        if name in vars(obj):
            return getattr(obj, name)
        if name in obj.signatures:
            return obj.signatures[name]
        hint = " Select another endpoint via the `call_endpoint` argument." if main else ""
        raise ValueError(f"The endpoint '{name}' is neither an attribute of the reloaded "
                         "SavedModel, nor an entry in the `signatures` field of the "
                         f"reloaded SavedModel.{hint} Available endpoints for this "
                         f"SavedModel: {list(obj.signatures.keys())}")

    def call(self, inputs, training=False, **kwargs):
        if training and self.call_training_endpoint:
            return self.call_training_endpoint_fn(inputs, **kwargs)
        return self.call_endpoint_fn(inputs, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(filepath=self.filepath, call_endpoint=self.call_endpoint,
                      call_training_endpoint=self.call_training_endpoint)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Refused in safe mode, as Keras: a reloaded SavedModel is code-like input (in
        cuflow it cannot run Python, but Keras's rule is kept)."""
        from . import config as _kconfig
        safe = safe_mode if safe_mode is not None else _safe_mode_default(_kconfig)
        if safe is not False:
            raise ValueError(
                "Requested the deserialization of a `TFSMLayer`, which loads an external "
                "SavedModel. This carries a potential risk of arbitrary code execution and "
                "thus it is disallowed by default. If you trust the source of the artifact, "
                "you can override this error by passing `safe_mode=False` to the loading "
                "function, or calling `keras.config.enable_unsafe_deserialization()`.")
        return cls(**config)


def _safe_mode_default(kconfig):
    return not kconfig.unsafe_deserialization_enabled()


# Keras 3's name for the module of ExportArchive (keras.export.ExportArchive)
__all__ = ["ExportArchive", "TFSMLayer", "export_model", "get_input_signature"]
