# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: tags,question,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: accelerator,colab,kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # NN · Title of the lesson
#
# One paragraph: what this lesson is about and why it matters for recommender systems.
#
# **After this notebook you can**
# - ...
# - ...

# %% [markdown]
# ## Setup
# `MODE` is the run mode: leave `None` for the practice-slot run on Colab (`"lecture"`: sized
# for a 10-minute slot), or write `"full"` for the whole lesson (`"smoke"` is the tests' quick
# slice). Locally, `None` means the `COURSE_MODE` variable, or `"full"`. The setup cell below is
# the same in every notebook: in Colab it mounts your Google Drive (put a `#` before
# `drive.mount` if you cloned the kit into `/content` and want no Drive), finds the kit folder
# (locally the folder above `notebooks/`; in Colab a clone in `/content` or a folder on your
# Drive up to two levels under `MyDrive`), and `colab_setup.setup` installs only what the
# runtime lacks and prints the runtime, the GPU and the run mode.

# %% tags=["parameters"]
MODE = None  # None: "lecture" on Colab, else COURSE_MODE or "full"; or "full", "lecture", "smoke"

# %%
import glob, os, sys
if "google.colab" in sys.modules:  # Colab: mount your Drive, which holds the kit and your runs
    from google.colab import drive
    drive.mount(os.path.abspath("drive"))  # Colab works in /content: Drive is /content/drive
PLACES = [".", "..", "*", "drive/MyDrive/*", "drive/MyDrive/*/*"]  # where the kit's folder may be
sys.path[:0] = [os.path.dirname(f) for p in PLACES for f in glob.glob(p + "/colab_setup.py")]
import colab_setup  # not found? Put the kit folder on your Drive or clone it into /content; rerun
KIT, MODE = colab_setup.setup(MODE)  # prints the runtime, the GPU and the run mode

# %% [markdown]
# ## Parameters
# All the knobs of this lesson. The run mode picks their values: `full` (the default), `lecture`
# (sized for a 10-minute slot on 2 CPU cores: fewer epochs or examples, every result's direction
# still shows) or `smoke` (what the automatic tests use: a slice of the data, one or two epochs).

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = by_mode(MODE, 50, 20, 2)  # full, lecture, smoke
N_TRAIN = smoke_or(MODE, None, 2000)  # None = every training example; smoke_or(MODE, full, smoke) when lecture keeps full's value
SEED = 42

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), N_TRAIN=(N_TRAIN, (int, type(None))), SEED=(SEED, int, 0))

# %%
from helpers import runtime

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. First section (follows the lecture)
# Prose between short cells; shapes stated once; assertions state what must hold.

# %% [markdown]
# ## Results

# %%
import pandas as pd

from helpers.report import save_results

results = pd.DataFrame([{"model": "...", "metric": float("nan")}])
save_results("NN_lesson_name", MODE, results)
results

# %% [markdown]
# ## Exercises
# Each exercise has a cell for your answer and, in the students' edition, a `grader.check(...)`
# cell under it that runs the public checks (form only, never whether the answer is right).

# %%
from helpers import grading

grader = grading.grader("NN_lesson_name")

# %% [markdown] question={"name": "qnn_1", "points": 2}
# **Exercise 1.** How many weights and biases has `Dense(3)` on 4 inputs? (An example: the
# `question` metadata is Otter Assign's question config; an open question adds `"manual": true`
# and has a markdown model answer tagged `solution`; tools/exercise_cells.py has the format.)

# %% tags=["solution"]
answer_1 = 4 * 3 + 3  # SOLUTION

# %% tags=["test"]
def test_qnn_1_form(answer_1):  # public: the form only, 0 points (make student gives it a "form only" message)
    import numbers

    import numpy as np

    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    value = answer_1.item() if np.ndim(answer_1) == 0 and hasattr(answer_1, "item") else answer_1
    assert isinstance(value, numbers.Integral) and not isinstance(value, bool), "the answer is a whole number"

test_qnn_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_qnn_1_value(answer_1):  # hidden: all of the question's points
    assert answer_1 == 15, "not the right count"

test_qnn_1_value(answer_1)  # IGNORE

# %% [markdown]
# ## What's next
# One or two sentences pointing at the next notebook.
