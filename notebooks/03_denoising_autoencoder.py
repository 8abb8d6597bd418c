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
# # 03 · Denoising autoencoders: rebuild the clean input from a damaged one
#
# A plain autoencoder can get a low loss by learning something close to the identity. A
# **denoising autoencoder** (Vincent et al., 2008) is fed a *corrupted* input and asked for
# the *clean* one, so it has to learn what digits (or tastes) look like in order to undo the
# damage. In recommendation the same idea is natural: hide some of a user's known ratings and
# ask the model to predict them back (the CDAE idea, Wu et al., 2016).
#
# **After this notebook you can**
# - train a denoising autoencoder with Gaussian and masking noise on its input (training only);
# - show that it rebuilds noisy digits better than the basic autoencoder of notebook 01;
# - see how the noise level trades clean-image quality for robustness;
# - apply the idea to ratings (dropping observed input ratings) and measure its effect on RMSE
#   and on Recall/NDCG@10 against plain I-AutoRec.

# %% [markdown]
# ## Setup
# The same cell opens every notebook. In Colab it mounts your Google Drive (unless you set
# `USE_DRIVE = False` because you cloned the kit into `/content` and need no Drive), finds the
# kit folder (on your Drive up to two folders deep under `MyDrive`, or a clone in `/content`);
# locally it finds the kit above `notebooks/`. `colab_setup.setup` then installs only what the
# runtime lacks and prints which runtime you are on and whether a GPU is available.

# %%
import sys
from pathlib import Path

USE_DRIVE = True  # Colab: mount Google Drive (where the kit and your runs live); False: a clone in /content, no Drive
if "google.colab" in sys.modules and USE_DRIVE:
    from google.colab import drive

    drive.mount(str(Path.cwd() / "drive"))  # Colab works in /content, so Drive appears at /content/drive
here = Path.cwd()
found = [p.parent for g in ("*", "drive/MyDrive/*", "drive/MyDrive/*/*") for p in sorted(here.glob(g + "/colab_setup.py"))]
kit = next((p for p in [here, *here.parents, *found] if (p / "colab_setup.py").is_file()), None)
if kit is None:
    raise FileNotFoundError("The course kit was not found: upload its folder to your Drive or clone it into /content.")
if str(kit) not in sys.path:
    sys.path.insert(0, str(kit))
import colab_setup

KIT = colab_setup.setup(use_drive=USE_DRIVE)

# %% [markdown]
# ## Parameters

# %% tags=["parameters"]
from helpers.runtime import smoke_or

EPOCHS = smoke_or(20, 1)  # the same epoch budget for every MNIST model
NOISE_LEVELS = smoke_or([0.1, 0.3, 0.5], [0.3])  # Gaussian noise standard deviations in the sweep
N_TRAIN = smoke_or(None, 2000)  # None = every training image
RATING_EPOCHS = smoke_or(None, 2)  # None = notebook 02's 30 epochs
DROP_RATES = smoke_or([0.25, 0.5, 0.75], [0.5])  # share of observed input ratings dropped in training
SMOKE_ITEMS = smoke_or(None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), NOISE_LEVELS=(NOISE_LEVELS, list), N_TRAIN=(N_TRAIN, (int, type(None))),
             RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))), DROP_RATES=(DROP_RATES, list),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, data, experiments, losses, models, plots, runtime
from helpers.report import save_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. Noise on digits
# Two kinds of corruption, applied to the *input* only (the target stays clean):
#
# - **Gaussian**: add $\mathcal N(0, \sigma^2)$ to every pixel (then clip to [0, 1]);
# - **masking**: set a share of the pixels to 0, as if parts of the digit were erased.
#
# For a fair test we corrupt the validation digits once, with a fixed seed, and feed the same
# damaged digits to every model.

# %%
(x_train, y_train), (x_test, y_test) = data.load_mnist()
if N_TRAIN is not None:
    x_train, x_test = x_train[:N_TRAIN], x_test[: N_TRAIN // 4]
noisy_tests = {"gaussian 0.3": experiments.add_noise(x_test, "gaussian", 0.3, seed=SEED),
               "masking 0.5": experiments.add_noise(x_test, "masking", 0.5, seed=SEED)}
plots.image_grid([x_test, noisy_tests["gaussian 0.3"], noisy_tests["masking 0.5"]],
                 labels=["clean", "gaussian 0.3", "masking 0.5"], n=8)
plt.show()

# %% [markdown]
# In Keras the noise is a layer between the input and the encoder: the kit's
# `ClippedGaussianNoise` (Keras's `GaussianNoise` plus the clip to [0, 1], so training sees
# the same corruption as our test digits) and `MaskingNoise`. Both act **only in training**; at
# prediction time they pass the input through untouched, so a noisy input is exactly what you
# feed in.

# %%
runtime.set_seed(SEED)
basic = models.mnist_autoencoder()
basic_run = experiments.fit_autoencoder(basic, x_train, x_test, epochs=EPOCHS)
denoisers = {}
for kind, level, label in (("gaussian", 0.3, "gaussian 0.3"), ("masking", 0.5, "masking 0.5")):
    runtime.set_seed(SEED)
    model = models.denoising_autoencoder(kind, level)
    denoisers[label] = experiments.fit_autoencoder(model, x_train, x_test, epochs=EPOCHS)
denoisers["gaussian 0.3"]["model"].summary()


# %%
def score_on(model, inputs: np.ndarray) -> float:
    """Mean BCE of the model's reconstructions of `inputs` against the clean digits."""
    return float(losses.bce_per_image(x_test, model.predict(inputs, verbose=0)).mean())


rows = []
for label, run in [("basic (notebook 01)", basic_run), *((f"denoising, {k}", r) for k, r in denoisers.items())]:
    rows.append({"model": label, "clean input": score_on(run["model"], x_test),
                 **{f"{k} input": score_on(run["model"], v) for k, v in noisy_tests.items()},
                 "seconds": run["seconds"]})
mnist_table = pd.DataFrame(rows)
mnist_table.round(4)

# %% [markdown]
# Each column is a kind of input; each number is the BCE against the **clean** digit (lower
# is better). Read down a column to compare models on the same damaged digits.

# %%
gauss_gain = mnist_table.loc[0, "gaussian 0.3 input"] - mnist_table.loc[1, "gaussian 0.3 input"]
mask_gain = mnist_table.loc[0, "masking 0.5 input"] - mnist_table.loc[2, "masking 0.5 input"]
print(f"on Gaussian-noisy digits the denoiser is better by {gauss_gain:.4f} BCE; on masked digits by {mask_gain:.4f}")
if not runtime.is_smoke():
    assert gauss_gain > 0, "the Gaussian denoiser should rebuild Gaussian-noisy digits better than the basic AE"
    assert mask_gain > 0, "the masking denoiser should rebuild masked digits better than the basic AE"

# %%
g = noisy_tests["gaussian 0.3"]
m = noisy_tests["masking 0.5"]
plots.image_grid([g, basic.predict(g, verbose=0), denoisers["gaussian 0.3"]["model"].predict(g, verbose=0), x_test],
                 labels=["noisy input", "basic AE", "denoising AE", "clean"], n=8)
plt.show()
plots.image_grid([m, basic.predict(m, verbose=0), denoisers["masking 0.5"]["model"].predict(m, verbose=0), x_test],
                 labels=["masked input", "basic AE", "denoising AE", "clean"], n=8)
plt.show()

# %% [markdown]
# ### How much noise?
# Train with Gaussian noise of several strengths and test each model on digits damaged by the
# same strength. The basic autoencoder (trained without noise) is the reference at each level.

# %%
sweep = []
for level in NOISE_LEVELS:
    runtime.set_seed(SEED)
    run = experiments.fit_autoencoder(models.denoising_autoencoder("gaussian", level), x_train, x_test, epochs=EPOCHS)
    noisy = experiments.add_noise(x_test, "gaussian", level, seed=SEED)
    sweep.append({"noise std": level, "denoising AE": score_on(run["model"], noisy), "basic AE": score_on(basic, noisy),
                  "denoising AE on clean input": score_on(run["model"], x_test)})
sweep = pd.DataFrame(sweep)
sweep.plot(x="noise std", y=["denoising AE", "basic AE", "denoising AE on clean input"], marker="o",
           ylabel="BCE vs clean digits", title="Gaussian noise: train and test at the same level")
plt.show()
sweep.round(4)

# %% [markdown]
# The more noise, the larger the denoiser's advantage on noisy digits. The price shows in the
# last column: trained on heavy noise, it rebuilds *clean* digits a little less sharply, since it
# learned to smooth.

# %% [markdown]
# ## 2. Noise on ratings
# For a rating autoencoder the corruption is **dropping observed ratings from the input** at
# training time: each epoch, a share of each item's known ratings is hidden (set to 0, the
# kit's "not rated"), while the masked loss still scores the model on *all* observed ratings. To
# rebuild a hidden rating the model must infer it from the others, which is exactly the task at
# test time. Keras's `Dropout` does this and scales the kept ratings by 1/(1 − rate) so their
# sum keeps its expected size (the CDAE recipe).
#
# Plain I-AutoRec (no corruption) against I-AutoRec with several drop rates, on MovieLens 100K
# `u1`, same architecture, λ, optimizer and epochs. The drop rate 0.5 used in notebook 02 was
# chosen on a validation slice there; here every rate is simply measured on `u1.test`.

# %%
train, test, index, fallback = autorec.prepare_split("u1", max_item_id=SMOKE_ITEMS)
plain_config = autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)
rating_rows = [autorec.evaluate_variant("I-AutoRec (no corruption)", plain_config, train, test, index, fallback, seed=SEED)]
for rate in DROP_RATES:
    config = autorec.VARIANTS["denoising"].with_(dropout=rate).with_epochs(RATING_EPOCHS)
    rating_rows.append(autorec.evaluate_variant(f"denoising I-AutoRec, drop {rate}", config, train, test, index,
                                                fallback, seed=SEED))
rating_table = pd.DataFrame(rating_rows)
rating_table.round(4)

# %%
best = rating_table.iloc[rating_table["rmse"].idxmin()]
plain = rating_table.iloc[0]
print(f"best: {best['variant']} (RMSE {best['rmse']:.4f} vs {plain['rmse']:.4f} without corruption; "
      f"NDCG@10 {best['ndcg@10']:.4f} vs {plain['ndcg@10']:.4f})")
if not runtime.is_smoke():
    assert rating_table["rmse"].iloc[1:].min() < plain["rmse"], "some corruption should help I-AutoRec on u1"

# %% [markdown]
# ## Results

# %%
results = pd.concat([
    mnist_table.rename(columns={"model": "variant", "gaussian 0.3 input": "BCE, gaussian-noisy input",
                                "masking 0.5 input": "BCE, masked input", "clean input": "BCE, clean input"})
    .assign(data=f"MNIST ({len(x_train)} train / {len(x_test)} validation), {EPOCHS} epochs"),
    rating_table.assign(data="ML-100K u1"),
], ignore_index=True)
save_results("03_denoising_autoencoder", results)
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** On digits, each denoiser wins where it was trained
# to: on inputs damaged the way it was trained, it beats the basic autoencoder, because it
# learned what digits look like rather than copying pixels. The margins are modest here: the
# basic model's 32-number bottleneck already throws away much of the noise. On *clean* inputs
# the denoisers are clearly worse than the basic model: they learned to expect noise and to
# correct for it (for example to darken a background that is never grey in training data it
# sees), so they distort inputs that carry none. A denoiser should be trained on the noise it
# will meet. On ratings, corruption is the single most useful change to AutoRec in this course:
# hiding observed ratings is a close rehearsal of the real job, predicting ratings the model
# cannot see, and it regularises a model with far more weights than MovieLens 100K has ratings.
# Too much corruption (0.75) leaves too little input to infer from, and RMSE rises again, yet
# on this split it *ranks* best (highest Recall and NDCG@10): rating accuracy and ranking are
# different goals, and a model tuned for one is not automatically best at the other.

# %% [markdown]
# ## Exercises
# **Exercise 1.** With masking noise of rate 0.5, about how many of a digit's 784 pixels are set
# to 0 in each training step? (The expected number.)

# %%
answer_1 = None

# %%
from helpers.exercises import check

check("Exercise 1", answer_1, 392, "each pixel is dropped with probability 0.5.", tol=1)

# %% [markdown]
# **Exercise 2.** Keras's `Dropout(0.25)` scales the ratings it keeps. By what factor?

# %%
answer_2 = None

# %%
check("Exercise 2", answer_2, 1 / (1 - 0.25), "the kept share is 1 - rate; the scaling keeps the expected sum unchanged.",
      tol=1e-3)

# %% [markdown]
# **Exercise 3.** From `rating_table`, which drop rate gave the lowest test RMSE? Give the rate
# (0 if no corruption was best).

# %%
answer_3 = None

# %%
best_rate = 0.0 if rating_table["rmse"].idxmin() == 0 else DROP_RATES[int(rating_table["rmse"].idxmin()) - 1]
check("Exercise 3", answer_3, best_rate, "look at the rmse column of rating_table.")

# %% [markdown]
# **Exercise 4 (open).** Train the Gaussian denoiser on σ = 0.5 and test it on σ = 0.1 digits.
# Is a model trained on strong noise good on mild noise? What does that suggest for choosing
# the training noise when you do not know the test noise?
#
# ## What's next
# Notebook **04** makes the autoencoder deeper (stacked), **05** makes its code sparse.
