"""The course kit's shared toolbox: runtime, data, models, training, evaluation, plots.

Import the modules you need, e.g. `from helpers import data, runtime`; importing the
package itself is cheap (TensorFlow loads only when a module that needs it is used).
"""

__all__ = ["data", "download", "evaluation", "models", "plots", "report", "runtime", "training"]
