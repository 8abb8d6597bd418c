"""Stand-in for `google.colab.output`: the calls a notebook may make, harmless outside Colab's front end."""

from __future__ import annotations

from typing import Any


def enable_custom_widget_manager() -> None:
    """Colab switches on third-party ipywidgets; a Jupyter kernel has them already."""


def disable_custom_widget_manager() -> None:
    """See enable_custom_widget_manager."""


def clear(wait: bool = False, output_tags: Any = ()) -> None:
    """Clear the cell's output, as IPython does."""
    del output_tags
    from IPython.display import clear_output

    clear_output(wait=wait)


def eval_js(script: str, ignore_result: bool = False, timeout_sec: float | None = None) -> Any:
    """There is no browser behind the replica: JavaScript cannot run."""
    raise NotImplementedError("google.colab.output.eval_js needs Colab's browser front end; the replica has none.")
