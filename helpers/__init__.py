"""The course's library for students.

Generated from the lessons (a cell marked `#| export`; `make sync` writes them, do not edit):
lecture_model (01), masked_loss (02), autorec_net (03), denoising (04), stacked (05), sparse (06),
kernel_autorec and ensemble (08). Written by hand, for what no lesson teaches: runtime (Colab,
Drive, GPU, seeds, run mode, run folders), download and datasets, ratings (rating files, index,
matrices, splits), training (the resumable, checkpointed fit), evaluation (metrics, baselines, the
split object), losses (metrics), autorec and experiments (how the lessons train their variants),
plots, report, params, grading and demo (what the lessons show and check). The benchmarks are in
tools/benchmark.py (`python -m helpers.benchmark ...`). Importing the package loads no TensorFlow.
"""
