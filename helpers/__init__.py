"""The course's library for students, one small module per job.

- runtime: Colab or local, Drive, GPU report, seeds, smoke mode, run folders
- download, datasets: checked downloads; MNIST, MovieLens and the slides' toy matrices
- ratings: strict rating files, the id index, rating matrices (dense or sparse), splits
- losses: masked loss and RMSE, the lecture's L2 objective, sparsity penalties, per-image BCE, code statistics
- models, training, evaluation: autoencoder builders, resumable fit, metrics and baselines
- autorec, experiments: AutoRec training and variants; the controlled MNIST experiments
- plots, report, params, grading, demo: what the lessons show, record and check (grading: the exercises'
  Otter-Grader checks)
- benchmark: `python -m helpers.benchmark ...`, the figures in the README

Import the modules you need, e.g. `from helpers import datasets, runtime`; importing the
package itself is cheap (TensorFlow loads only when a module that needs it is used).
The kit's own tooling (running notebooks, pairing, hygiene, the Colab replica) is in tools/.
"""
