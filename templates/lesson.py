# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     provenance: []
#   jupytext:
#     cell_metadata_filter: tags,-all
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
# The same cell opens every notebook. In Colab it mounts your Google Drive (where the kit and
# your runs are kept; if you cloned the kit into `/content` and want no Drive, put a `#` before
# `drive.mount`), then finds the kit folder (on your Drive up to two folders deep under
# `MyDrive`, or a clone in `/content`; locally the folder above `notebooks/`).
# `colab_setup.setup` sets the run mode (`mode=None` keeps `COURSE_MODE`, default `"full"`; or
# `"lecture"`, about 10 minutes a notebook), installs only what the runtime lacks, and prints
# which runtime you are on and whether a GPU is available.

# %%
import sys
from pathlib import Path

if "google.colab" in sys.modules:  # Colab: Drive keeps the kit and your runs (cloned the kit, no Drive? put a # before drive.mount)
    from google.colab import drive

    drive.mount(str(Path.cwd() / "drive"))  # Colab works in /content, so Drive appears at /content/drive
# The kit's folder: this notebook's parent (locally), a clone in /content, or on Drive up to two folders under MyDrive.
sys.path[1:1] = [str(p.parent.resolve()) for g in ("", "../", "*/", "drive/MyDrive/*/", "drive/MyDrive/*/*/") for p in sorted(Path.cwd().glob(g + "colab_setup.py"))]
import colab_setup  # ModuleNotFoundError? Upload the kit folder to your Drive or clone it into /content, then run this cell again.

KIT = colab_setup.setup(mode=None)  # run mode: None = COURSE_MODE (default "full"), or "lecture" (about 10 min), "smoke"

# %% [markdown]
# ## Parameters
# All the knobs of this lesson. The run mode picks their values: `full` (the default), `lecture`
# (about 10 minutes on 2 CPU cores: fewer epochs or examples, every result's direction still
# shows) or `smoke` (what the automatic tests use: a slice of the data, one or two epochs).

# %% tags=["parameters"]
from helpers.runtime import by_mode, smoke_or

EPOCHS = by_mode(50, 20, 2)  # full, lecture, smoke
N_TRAIN = smoke_or(None, 2000)  # None = every training example; smoke_or(full, smoke) when lecture keeps full's value
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
save_results("NN_lesson_name", results)
results

# %% [markdown]
# ## Exercises
# **Exercise 1.** ...

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("NN.1", answer_1)  # register "NN.1" in helpers/exercises.py (hint, digest) and helpers/solutions.py

# %% [markdown]
# ## What's next
# One or two sentences pointing at the next notebook.
