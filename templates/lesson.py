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
# The same cell opens every notebook. In Colab it mounts your Google Drive and finds the kit
# folder you uploaded there (or cloned into `/content`); locally it finds the kit above
# `notebooks/`. It then prints which runtime you are on and whether a GPU is available.

# %%
import sys
from pathlib import Path

if "google.colab" in sys.modules:  # Colab: the kit is a folder on your Drive or a clone in /content
    from google.colab import drive

    drive.mount("/content/drive")
    places = ["content/*", "content/drive/MyDrive/*", "content/drive/MyDrive/*/*"]
    kits = [p.parent for pattern in places for p in sorted(Path("/").glob(pattern + "/colab_setup.py"))]
    if not kits:
        raise FileNotFoundError("Upload the kit folder to your Drive (or clone it into /content), then run this cell again.")
    kit = kits[0]
else:  # locally: the kit is the folder that holds colab_setup.py, above notebooks/
    kit = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "colab_setup.py").is_file())
if str(kit) not in sys.path:
    sys.path.insert(0, str(kit))

import colab_setup

KIT = colab_setup.setup()

# %% [markdown]
# ## Parameters
# All the knobs of this lesson. `COURSE_SMOKE=1` picks the small values.

# %% tags=["parameters"]
from helpers.runtime import smoke_or

EPOCHS = smoke_or(50, 2)
SEED = 42

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), SEED=(SEED, int, 0))

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
from helpers.exercises import check

check("Exercise 1", answer_1, 42, "a hint that does not give the answer away.")

# %% [markdown]
# ## What's next
# One or two sentences pointing at the next notebook.
