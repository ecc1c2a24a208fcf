"""``cf.keras.tree``: Keras 3's nested-structure utilities.

Leaves order as ``cf.nest`` (dict keys sorted); ``None`` is a leaf. Lists, tuples,
namedtuples and dicts are structures.

    >>> import cuflow as cf
    >>> cf.keras.tree.flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
"""
from __future__ import annotations

from collections.abc import Mapping

from .. import nest as _nest

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"]


class MAP_TO_NONE:
    """Special value for :func:`traverse`: replace the sub-tree by None."""


def is_nested(structure):
    """Whether ``structure`` is a list, tuple or dict (not a leaf)."""
    return _nest.is_nested(structure)


def flatten(structure):
    """The leaves of ``structure``, dict values in sorted-key order."""
    return _nest.flatten(structure)


def _children(x):
    if isinstance(x, Mapping):
        keys = _nest._sorted_keys(x)
        return keys, [x[k] for k in keys]
    return list(range(len(x))), list(x)


def flatten_with_path(structure):
    """[(path, leaf)], each path a tuple of keys and indices."""
    out = []

    def walk(x, path):
        if is_nested(x):
            for k, v in zip(*_children(x)):
                walk(v, path + (k,))
        else:
            out.append((path, x))
    walk(structure, ())
    return out


def map_structure(func, *structures, none_is_leaf=True):
    """``func`` applied leaf-wise across same-structured ``structures``."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s, check_types=False)
    if len(structures) > 1:
        return _map_n(func, structures)
    if not none_is_leaf:
        def f(*xs):
            return None if all(x is None for x in xs) else func(*xs)
        return _nest.map_structure(f, *structures, check_types=False)
    return _nest.map_structure(func, *structures, check_types=False)


def _map_n(func, structures):
    first = structures[0]
    if not is_nested(first):
        return func(*structures)
    kids = [_children(s)[1] for s in structures]
    return _rebuild(first, [_map_n(func, [k[i] for k in kids]) for i in range(len(kids[0]))])


def map_structure_up_to(shallow_structure, func, *structures):
    """``func`` applied to the sub-trees of ``structures`` at ``shallow_structure``'s
    leaves."""
    def walk(shallow, subs):
        if not is_nested(shallow):
            return func(*subs)
        for s in subs:
            if not is_nested(s) or len(s) != len(shallow):
                raise ValueError(f"The structure {s} does not match the shallow structure "
                                 f"{shallow}")
        kids = [_children(s)[1] for s in subs]
        return _rebuild(shallow, [walk(c, [k[i] for k in kids])
                                  for i, c in enumerate(_children(shallow)[1])])
    return walk(shallow_structure, structures)


def assert_same_structure(a, b, check_types=None):
    """Raises ValueError when ``a`` and ``b`` nest differently (or, unless
    ``check_types`` is False, with different sequence types)."""
    check = check_types is not False

    def walk(x, y):
        nx, ny = is_nested(x), is_nested(y)
        if nx != ny:
            raise ValueError(f"The two structures don't have the same nested structure: "
                             f"{a} and {b}")
        if not nx:
            return
        if check and type(x) is not type(y) and not (
                isinstance(x, Mapping) and isinstance(y, Mapping)):
            raise ValueError(f"The two structures don't have the same sequence type. "
                             f"Expected an instance of {type(x).__name__}, got {y}.")
        if isinstance(x, Mapping) != isinstance(y, Mapping) or len(x) != len(y):
            raise ValueError(f"The two structures don't have the same nested structure: "
                             f"{a} and {b}")
        kx, cx = _children(x)
        ky, cy = _children(y)
        if isinstance(x, Mapping) and kx != ky:
            raise ValueError(f"The two structures don't have the same keys: {a} and {b}")
        for u, v in zip(cx, cy):
            walk(u, v)
    walk(a, b)


def assert_same_paths(a, b):
    """Raises ValueError when ``a`` and ``b`` have different leaf paths."""
    pa = {p for p, _ in flatten_with_path(a)}
    pb = {p for p, _ in flatten_with_path(b)}
    if pa != pb:
        raise ValueError(f"`a` and `b` don't have the same paths. `a` is missing "
                         f"{sorted(pb - pa)}, `b` is missing {sorted(pa - pb)}")


def pack_sequence_as(structure, flat_sequence):
    """``flat_sequence`` rebuilt into ``structure``'s nesting."""
    return _nest.pack_sequence_as(structure, list(flat_sequence))


def lists_to_tuples(structure):
    """``structure`` with every list turned into a tuple."""
    if isinstance(structure, list):
        return tuple(lists_to_tuples(x) for x in structure)
    if isinstance(structure, Mapping):
        return type(structure)((k, lists_to_tuples(v)) for k, v in structure.items())
    if isinstance(structure, tuple) and not hasattr(structure, "_fields"):
        return tuple(lists_to_tuples(x) for x in structure)
    if isinstance(structure, tuple):
        return type(structure)(*(lists_to_tuples(x) for x in structure))
    return structure


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(v is None or isinstance(v, int) for v in x) \
        and not (isinstance(x, tuple) and hasattr(x, "_fields"))


def map_shape_structure(func, structure):
    """``func`` applied to each shape tuple (ints and Nones) in ``structure``."""
    if _is_shape(structure):
        return func(tuple(structure))
    if isinstance(structure, Mapping):
        return type(structure)((k, map_shape_structure(func, v)) for k, v in structure.items())
    if isinstance(structure, (list, tuple)):
        out = [map_shape_structure(func, v) for v in structure]
        return type(structure)(out) if not hasattr(structure, "_fields") else \
            type(structure)(*out)
    return func(structure)


def _rebuild(x, children):
    if isinstance(x, Mapping):
        keys, _ = _children(x)
        made = dict(zip(keys, children))
        return type(x)((k, made[k]) for k in x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*children)
    return type(x)(children)


def traverse(func, structure, top_down=True):
    """Depth-first traversal applying ``func`` to every sub-tree (see Keras's rules:
    a non-None result replaces the sub-tree; ``MAP_TO_NONE`` replaces it by None)."""
    def fix(v):
        return None if v is MAP_TO_NONE else v

    def down(x):
        r = func(x)
        if r is not None:
            return fix(r)
        if not is_nested(x):
            return x
        return _rebuild(x, [down(c) for c in _children(x)[1]])

    def up(x):
        if is_nested(x):
            x = _rebuild(x, [up(c) for c in _children(x)[1]])
        r = func(x)
        return x if r is None else fix(r)
    return down(structure) if top_down else up(structure)
