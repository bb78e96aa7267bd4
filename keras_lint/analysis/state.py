"""Flow-sensitive state of the interpreter and how two paths' states merge."""

from __future__ import annotations

from collections.abc import Sequence

from keras_lint.analysis.values import ModelInfo, ModelValue, Tri, Value, fresh_id, join_values


class State:
    """Flow-sensitive state: variable bindings and each model's compile state."""

    __slots__ = ("env", "compiled")

    def __init__(self, env: dict[str, Value], compiled: dict[int, Tri]) -> None:
        self.env = env
        self.compiled = compiled

    def copy(self) -> State:
        return State(dict(self.env), dict(self.compiled))

    @staticmethod
    def join(states: Sequence[State]) -> State:
        first, *rest = states
        env = dict(first.env)
        compiled = dict(first.compiled)
        for other in rest:
            for name, value in other.env.items():
                if name not in env:
                    env[name] = value
                    continue
                mine = env[name]
                if isinstance(mine, ModelValue) and isinstance(value, ModelValue):
                    env[name] = merge_models([(mine, compiled), (value, other.compiled)], compiled)
                else:
                    env[name] = join_values(mine, value)
            for model_id, tri in other.compiled.items():
                compiled[model_id] = compiled[model_id].join(tri) if model_id in compiled else tri
        return State(env, compiled)


def merge_models(
    candidates: Sequence[tuple[ModelValue, dict[int, Tri]]], into: dict[int, Tri]
) -> ModelValue:
    """One model standing for "one of these" (``model = load_model(p) if ... else build()``).

    Its compile state, written into ``into``, joins theirs; its layers are unknown.
    """
    first = candidates[0][0]
    if all(value.info is first.info for value, _ in candidates):
        return first
    state: Tri | None = None
    for value, compiled in candidates:
        tri = compiled.get(value.info.id, value.info.initial_compiled)
        state = tri if state is None else state.join(tri)
    info = ModelInfo(fresh_id(), "merged", None, [], None, Tri.UNKNOWN)
    into[info.id] = state if state is not None else Tri.UNKNOWN
    return ModelValue(info)
