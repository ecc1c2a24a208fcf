"""Nested structures (``tf.nest``): lists, tuples, namedtuples and dicts of leaves.

Dicts flatten in sorted key order, as TF does; ``None`` is a leaf.
"""
from __future__ import annotations

from collections.abc import Mapping


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, Mapping))


is_sequence = is_nested


def _children(x):
    if isinstance(x, Mapping):
        return [x[k] for k in _sorted_keys(x)]
    return list(x)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return sorted(d, key=repr)


def flatten(structure, expand_composites=False):
    """The leaves of ``structure`` in TF's order.

    >>> from cuflow import nest
    >>> nest.flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    """
    if not is_nested(structure):
        out = [structure]
    else:
        out = []
        stack = [structure]
        while stack:
            x = stack.pop()
            if is_nested(x):
                stack.extend(reversed(_children(x)))
            else:
                out.append(x)
    if expand_composites:
        out = [c for x in out for c in _components(x)]
    return out


def _components(x):
    """A composite leaf's tensors (expand_composites): IndexedSlices -> values, indices
    and dense_shape; RaggedTensor -> flat_values and row splits; SparseTensor ->
    indices, values, dense_shape, as TF."""
    from .indexed_slices import IndexedSlices
    if isinstance(x, IndexedSlices):
        return [x.values, x.indices] + ([] if x.dense_shape is None else [x.dense_shape])
    if getattr(type(x), "_is_composite", False):
        return x._type_spec._to_components(x)
    return [x]


def _rebuild(template, children):
    if isinstance(template, Mapping):
        keys = _sorted_keys(template)
        made = dict(zip(keys, children))
        try:
            return type(template)((k, made[k]) for k in template)
        except TypeError:
            return {k: made[k] for k in template}
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*children)
    if isinstance(template, tuple):
        return tuple(children)
    if isinstance(template, list):
        return list(children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds ``structure``'s shape from a flat list of leaves."""
    flat = list(flat_sequence)
    if expand_composites:
        flat = _regroup(flatten(structure), flat)
    if not is_nested(structure):
        if len(flat) != 1:
            raise ValueError(f"Structure is a scalar but {len(flat)} values were given")
        return flat[0]
    out, used = _build(structure, flat, 0)
    if used != len(flat):
        raise ValueError(f"Structure had {used} leaves but {len(flat)} values were given")
    return out


def _regroup(leaves, flat):
    """``flat`` (expanded components) regrouped into one value per leaf of ``leaves``."""
    from .indexed_slices import IndexedSlices
    out, it = [], iter(flat)
    for leaf in leaves:
        n = len(_components(leaf))
        parts = [next(it) for _ in range(n)]
        if isinstance(leaf, IndexedSlices):
            out.append(IndexedSlices(*parts))
        elif getattr(type(leaf), "_is_composite", False):
            out.append(leaf._type_spec._from_components(parts))
        else:
            out.append(parts[0])
    out.extend(it)   # a count mismatch is reported by the caller
    return out


def _build(template, flat, pos):
    """(rebuilt template, next position); a plain recursive function, so no closure keeps
    the rebuilt values alive in a reference cycle."""
    if not is_nested(template):
        if pos >= len(flat):
            raise ValueError(f"Structure has more leaves than the {len(flat)} values given")
        return flat[pos], pos + 1
    children = []
    for child in _children(template):
        value, pos = _build(child, flat, pos)
        children.append(value)
    return _rebuild(template, children), pos


def assert_same_structure(a, b, check_types=True, expand_composites=False):
    def check(x, y, path):
        if is_nested(x) != is_nested(y):
            raise ValueError(f"The two structures don't have the same nested structure at "
                             f"{path or 'the top'}: {type(x).__name__} vs {type(y).__name__}")
        if not is_nested(x):
            return
        if check_types and type(x) is not type(y) and not (
                isinstance(x, Mapping) and isinstance(y, Mapping)):
            raise TypeError(f"The two structures don't have the same sequence type at "
                            f"{path or 'the top'}: {type(x).__name__} vs {type(y).__name__}")
        if isinstance(x, Mapping) and set(x) != set(y):
            raise ValueError(f"The two dictionaries don't have the same keys at {path}: "
                             f"{sorted(map(str, x))} vs {sorted(map(str, y))}")
        cx, cy = _children(x), _children(y)
        if len(cx) != len(cy):
            raise ValueError(f"The two structures don't have the same number of elements at "
                             f"{path or 'the top'}: {len(cx)} vs {len(cy)}")
        for i, (u, v) in enumerate(zip(cx, cy)):
            check(u, v, f"{path}[{i}]")
    check(a, b, "")


def map_structure(func, *structures, check_types=True, expand_composites=False):
    """Applies ``func`` leaf-wise over structures of the same shape."""
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s, check_types=check_types)
    flats = [flatten(s, expand_composites) for s in structures]
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)],
                            expand_composites=expand_composites)


def map_structure_up_to(shallow, func, *structures):
    return map_structure(func, *structures)


def flatten_with_paths(structure):
    out = []

    def walk(x, path):
        if is_nested(x):
            keys = _sorted_keys(x) if isinstance(x, Mapping) else range(len(x))
            for k, c in zip(keys, _children(x)):
                walk(c, path + (k,))
        else:
            out.append((path, x))
    walk(structure, ())
    return out
