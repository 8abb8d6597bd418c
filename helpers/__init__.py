"""The course's library for students. Generated from the lessons' cells marked `#| export` (`make sync`;
do not edit): lecture_model (01), masked_loss (02), autorec_net (03), denoising (04), stacked (05), sparse
(06), kernel_autorec and ensemble (08). Written by hand, for what no lesson teaches: runtime, download,
datasets, ratings, training, evaluation, losses, autorec, experiments, plots, report, params, grading and
demo. The benchmarks are tools/benchmark.py (`python -m helpers.benchmark`). Importing it loads no TensorFlow.
"""
