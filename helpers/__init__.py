"""The course kit's shared toolbox, one small module per job.

- runtime: Colab or local, Drive, GPU report, seeds, smoke mode, run folders
- data, download: MNIST and MovieLens loaders, strict rating files, toy matrices, rating matrices
- models, training, evaluation: autoencoder builders, masked loss and resumable fit, metrics and baselines
- autorec, experiments: AutoRec training and variants; the controlled MNIST experiments
- plots, report, params, exercises, demo: what the lessons show and check
- benchmark, runner, pairing, hygiene: the commands behind `make run`, `make test` and the benchmarks

Import the modules you need, e.g. `from helpers import data, runtime`; importing the
package itself is cheap (TensorFlow loads only when a module that needs it is used).
"""
