"""``section_view``: a slice of a kernel's array that costs nothing to make.

A Numba slice is a view, but it holds a counted reference to its array's memory:
making one costs an atomic increment and its end a decrement. The rules' kernels
take the board's sections (``rules.board_arrays``) as views on every call, several
per move of a random playout, where those counts cost a third of the speed.
A section view holds no reference: it lives inside the kernel that made it,
while the caller's array is alive anyway, and the reference counting of a null
reference is folded away. It must never be handed back to Python.
"""

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


@intrinsic
def section_view(typingctx, array, start, length):
    """``array[start : start + length]`` of a 1-D C-contiguous array, as a view that
    holds no reference to the array's memory (see the module docstring)."""
    if not (isinstance(array, types.Array) and array.ndim == 1 and array.layout == "C"):
        return None
    view_type = types.Array(array.dtype, 1, "C")

    def codegen(context, builder, signature, args):
        source_value, start_value, length_value = args
        source = make_array(signature.args[0])(context, builder, source_value)
        view = make_array(view_type)(context, builder)
        itemsize = context.get_constant(types.intp, context.get_abi_sizeof(context.get_data_type(array.dtype)))
        data = cgutils.gep_inbounds(builder, source.data, start_value)
        populate_array(view, data=data, shape=[length_value], strides=[itemsize], itemsize=itemsize, meminfo=None)
        return view._getvalue()

    return view_type(array, types.intp, types.intp), codegen
