"""The network compiled by OpenVINO for the CPU: ``NetEvaluator``'s ``openvino`` backend.

On a CPU with native bfloat16 (AVX-512 bf16, AMX) OpenVINO's convolutions run at
the hardware's peak, well ahead of torch's oneDNN path at the small batches
self-play uses (``dosaku bench net`` shows both side by side).

The torch module is converted directly (``openvino.convert_model`` traces it; no
ONNX file), with batch norms folded first and a dynamic batch dimension. Every
field of ``NetOutput`` that the network fills becomes an output of the compiled
model, so a head added to the network later goes through without a change here.

New weights are cheap. Tracing and converting costs about a second; compiling a
converted model about 50 ms. So the conversion is done once, from a *marker*
copy of the network whose every parameter holds distinct random numbers: each
float constant of the converted graph is matched to the parameter it came from
by its contents (OpenVINO names the weights but not the folded biases). New
weights then only replace those constants and recompile. If the matching ever
fails (a graph OpenVINO rewrote beyond recognition), every version is converted
afresh instead: slower, never wrong.
"""

from __future__ import annotations

import copy
import functools
import warnings

import numpy as np
import torch
from torch import nn

from nets.model import NetOutput

FIELDS = NetOutput._fields


class OpenVINOUnavailable(RuntimeError):
    """OpenVINO cannot run the network here; the message says why, in one line."""


@functools.lru_cache(maxsize=1)
def _core():
    import openvino as ov

    return ov.Core()


def openvino_problem() -> str | None:
    """Why OpenVINO cannot run on this machine (not installed, no CPU plugin), or None if it can."""
    try:
        core = _core()
    except ImportError:
        return "OpenVINO is not installed (pip install openvino)"
    except Exception as err:  # noqa: BLE001 (a broken install is a reason, not a crash)
        return f"OpenVINO does not start: {_one_line(err)}"
    try:
        devices = core.available_devices
    except Exception as err:  # noqa: BLE001
        return f"OpenVINO finds no device: {_one_line(err)}"
    if "CPU" not in devices:
        return "OpenVINO's CPU plugin does not support this processor"
    return None


def native_bf16() -> bool:
    """Whether OpenVINO computes in bfloat16 natively on this CPU."""
    try:
        return "BF16" in _core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # noqa: BLE001
        return False


class _Outputs(nn.Module):
    """The network with its ``NetOutput`` as a flat tuple of the fields it fills (tracing needs tensors)."""

    def __init__(self, net: nn.Module, fields: tuple[str, ...]):
        super().__init__()
        self.net, self.fields = net, fields

    def forward(self, planes: torch.Tensor) -> tuple[torch.Tensor, ...]:
        output = self.net(planes)
        return tuple(getattr(output, name) for name in self.fields)


class OpenVINORunner:
    """A folded ``DualNet`` compiled for the CPU; ``run(planes)`` gives a ``NetOutput`` of float32 tensors.

    ``precision``: ``"bf16"`` or ``"f32"`` (OpenVINO's inference precision);
    ``threads``: OpenVINO's inference threads (one per self-play worker; None: every core).
    Raises ``OpenVINOUnavailable`` when OpenVINO cannot compile the network.
    """

    def __init__(self, folded: nn.Module, precision: str = "bf16", threads: int | None = 1):
        problem = openvino_problem()
        if problem:
            raise OpenVINOUnavailable(problem)
        if precision not in ("bf16", "f32"):
            raise ValueError(f"precision must be bf16 or f32, got {precision!r}")
        self.precision, self.threads = precision, threads
        config = folded.config
        self.input_shape = (config.input_planes, config.board_size, config.board_size)
        self.full_conversions = 0  # versions converted from scratch (the first, or when matching failed)
        try:
            self._convert(folded)
            self.set_weights(folded)
        except OpenVINOUnavailable:
            raise
        except Exception as err:  # noqa: BLE001 (any conversion or compile failure means: use torch)
            raise OpenVINOUnavailable(f"OpenVINO could not compile the network: {_one_line(err)}") from None

    # --- conversion ----------------------------------------------------------

    def _convert(self, folded: nn.Module) -> None:
        """Convert once from a marker copy and find which graph constant holds which parameter."""
        marker = copy.deepcopy(folded).float().eval()
        generator = torch.Generator().manual_seed(20240607)
        with torch.no_grad():
            for parameter in marker.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator))
        import openvino as ov

        self.model, self.fields = self._trace(marker)
        self.full_conversions += 1
        names = {_key(p.detach().numpy()): name for name, p in marker.named_parameters()}
        self.constants: dict[str, object] = {}
        for op in self.model.get_ordered_ops():
            if op.get_type_name() == "Constant" and op.get_output_element_type(0) == ov.Type.f32:
                name = names.get(_key(op.get_data()))
                if name is not None:
                    self.constants[name] = op
        if len(self.constants) != len(names):
            self.constants = {}  # not every parameter found: convert each version afresh

    def _trace(self, net: nn.Module):
        import openvino as ov

        with torch.no_grad():
            probe = net(torch.zeros(1, *self.input_shape))
        fields = tuple(name for name in FIELDS if getattr(probe, name) is not None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer chatter about Python values in the graph
            model = ov.convert_model(
                _Outputs(net, fields),
                example_input=torch.zeros(1, *self.input_shape),
                input=[(ov.PartialShape([-1, *self.input_shape]), ov.Type.f32)],
            )
        return model, fields

    # --- weights -------------------------------------------------------------

    def set_weights(self, folded: nn.Module) -> None:
        """Compile the network with ``folded``'s weights (the same architecture as before)."""
        import openvino as ov

        parameters = {name: p.detach().float().cpu().numpy() for name, p in folded.named_parameters()}
        if self.constants:
            for name, old in self.constants.items():
                data = np.ascontiguousarray(parameters[name].reshape(tuple(old.get_output_shape(0))))
                new = ov.op.Constant(data)
                new.set_friendly_name(old.get_friendly_name())
                for target in list(old.output(0).get_target_inputs()):
                    target.replace_source_output(new.output(0))
                self.constants[name] = new
            model = self.model
        else:
            model, _fields = self._trace(copy.deepcopy(folded).float().eval())
            self.full_conversions += 1
        properties = {
            "INFERENCE_PRECISION_HINT": self.precision,
            "NUM_STREAMS": 1,
            # Pinned threads of two worker processes could share one core and halve both.
            "ENABLE_CPU_PINNING": False,
        }
        if self.threads is not None:
            properties["INFERENCE_NUM_THREADS"] = self.threads
        self.compiled = _core().compile_model(model, "CPU", properties)
        self.request = self.compiled.create_infer_request()

    # --- inference -----------------------------------------------------------

    def run(self, planes: torch.Tensor | np.ndarray) -> NetOutput:
        """The network's outputs for float32 ``planes`` ``[B, C, N, N]``, copied out of OpenVINO's buffers."""
        if isinstance(planes, torch.Tensor):
            planes = planes.numpy()
        results = self.request.infer({0: np.ascontiguousarray(planes, dtype=np.float32)})
        values = dict.fromkeys(FIELDS)
        for name, output in zip(self.fields, self.compiled.outputs):
            values[name] = torch.from_numpy(np.array(results[output], dtype=np.float32, copy=True))
        return NetOutput(**values)


def _key(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array, dtype=np.float32).tobytes()


def _one_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return (lines[0] if lines else type(err).__name__)[:200]
