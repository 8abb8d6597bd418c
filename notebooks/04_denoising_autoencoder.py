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
# # 04 · Denoising autoencoders: rebuild the clean input from a damaged one
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
#
# **How long:** the notebook prints its own running time under *Results*; the README lists
# the times of the recorded runs in each mode.

# %% [markdown]
# ## Setup
# `MODE` is the run mode: leave `None` for the practice-slot run on Colab (`"lecture"`: about
# 10 minutes a notebook), or write `"full"` for the whole lesson (`"smoke"` is the tests' quick
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
if "google.colab" in sys.modules:  # Colab: mount your Drive, which holds the kit and keeps your runs
    from google.colab import drive
    drive.mount(os.path.abspath("drive"))  # Colab works in /content: Drive is /content/drive
PLACES = [".", "..", "*", "drive/MyDrive/*", "drive/MyDrive/*/*"]  # where the kit's folder may be
sys.path[:0] = [os.path.dirname(f) for p in PLACES for f in glob.glob(p + "/colab_setup.py")]
import colab_setup  # not found? Put the kit folder on your Drive or clone it into /content; rerun
KIT = colab_setup.setup(mode=MODE)  # prints the runtime, the GPU and the run mode

# %% [markdown]
# ## Parameters

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(20, 2)  # the same epoch budget for every MNIST model
NOISE_LEVELS = smoke_or([0.1, 0.3, 0.5], [0.3])  # Gaussian noise standard deviations in the sweep
N_TRAIN = by_mode(None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(None, 2)  # None = notebook 03's 30 epochs (lecture too: at 20 dropout no longer helps)
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

from helpers import autorec, datasets, evaluation, experiments, losses, models, plots, ratings, runtime
from helpers.report import stack_results

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
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
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
print(f"on Gaussian-noisy digits the Gaussian denoiser is {'better' if gauss_gain > 0 else 'worse'} than the basic model "
      f"by {abs(gauss_gain):.4f} BCE; on masked digits the masking denoiser is {'better' if mask_gain > 0 else 'worse'} "
      f"by {abs(mask_gain):.4f}")
# A floor every working model clears, even on inputs it was not trained for: it beats the best
# constant guess, the mean training image (a collapsed model scores about that).
mean_image_bce = float(losses.bce_per_image(x_test, np.broadcast_to(x_train.mean(axis=0), x_test.shape)).mean())
print(f"mean-image guess: BCE {mean_image_bce:.4f}")
# A ReLU code unit that is 0 for every digit is dead: it carries nothing. Share of the 32 units alive:
alive = {label: losses.code_stats(models.encoder_of(run["model"]).predict(x_test, verbose=0))["share_alive"]
         for label, run in [("basic", basic_run), *denoisers.items()]}
print("share of code units alive (active on at least 1% of the digits):",
      ", ".join(f"{label} {share:.2f}" for label, share in alive.items()))
for label, run in [("basic", basic_run), *denoisers.items()]:  # cheap checks that hold at any size
    assert np.all(np.isfinite(run["history"]["loss"])), f"{label}: the loss is not finite"
    assert run["history"]["loss"][-1] < run["history"]["loss"][0], f"{label}: the training loss did not go down"
    assert alive[label] > 0, f"{label}: every code unit is dead"
if not runtime.is_smoke():
    assert gauss_gain > 0, "the Gaussian denoiser should rebuild Gaussian-noisy digits better than the basic AE"
    assert mask_gain > 0, "the masking denoiser should rebuild masked digits better than the basic AE"
    assert (mnist_table["clean input"] < mean_image_bce).all(), "a model rebuilds clean digits no better than a constant"

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
# Two questions for the sweep: does the denoiser's advantage on noisy digits grow with the noise,
# and what does training on noise cost on *clean* digits (last column, against the basic model's
# clean-input BCE)? The answers below are computed from the table above.

# %%
sweep["advantage on noisy input"] = sweep["basic AE"] - sweep["denoising AE"]
basic_clean = mnist_table.loc[0, "clean input"]
grows = bool(np.all(np.diff(sweep["advantage on noisy input"]) > 0))
print(f"The denoiser's advantage on noisy digits {'grows' if grows else 'does not grow steadily'} with the noise: "
      + ", ".join(f"{a:+.4f} at std {n}" for n, a in zip(sweep["noise std"], sweep["advantage on noisy input"])) + ".")
for _, row in sweep.iterrows():
    cost = row["denoising AE on clean input"] - basic_clean
    print(f"Trained on std {row['noise std']}: on clean digits it is {'worse' if cost > 0 else 'better'} than the basic "
          f"model by {abs(cost):.4f} BCE.")

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
# `u1`, same architecture, λ, optimizer and epochs. **The drop rate is a choice, so it is made
# on validation**: every model trains on `u1.base` less a 5% validation slice and is scored on
# that slice; the chosen rate and plain I-AutoRec are then refitted on all of `u1.base` and
# scored on `u1.test` once.

# %%
train, test, index, fallback = autorec.prepare_split("u1", max_item_id=SMOKE_ITEMS)
fit_part, valid = ratings.carve_validation(train, 0.05, seed=SEED)
valid_fallback = evaluation.BiasBaseline().fit(fit_part).predict(valid)
configs = {"I-AutoRec (no corruption)": autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)}
configs.update({f"denoising I-AutoRec, drop {rate}": autorec.VARIANTS["denoising"].with_(dropout=rate)
                .with_epochs(RATING_EPOCHS) for rate in DROP_RATES})
rating_valid = pd.DataFrame([autorec.evaluate_variant(label, config, fit_part, valid, index, valid_fallback, seed=SEED)
                             for label, config in configs.items()])
rating_valid.round(4)

# %%
chosen = rating_valid.loc[rating_valid["rmse"].idxmin(), "variant"]
print(f"chosen on validation: {chosen} (validation RMSE {rating_valid['rmse'].min():.4f})")
finalists = dict.fromkeys(["I-AutoRec (no corruption)", chosen])  # plain I-AutoRec and the chosen one, once each
rating_table = pd.DataFrame([autorec.evaluate_variant(label, configs[label], train, test, index, fallback, seed=SEED)
                             for label in finalists])
rating_table.round(4)

# %%
plain = rating_table.set_index("variant", drop=False).loc["I-AutoRec (no corruption)"]
final = rating_table.set_index("variant", drop=False).loc[chosen]
global_mean_rmse = evaluation.rmse(test["rating"], np.full(len(test), train["rating"].mean()))
print(f"on u1.test: {final['variant']} RMSE {final['rmse']:.4f} vs {plain['rmse']:.4f} without corruption "
      f"({'better' if final['rmse'] < plain['rmse'] else 'not better'}); NDCG@10 {final['ndcg@10']:.4f} vs "
      f"{plain['ndcg@10']:.4f}; global mean {global_mean_rmse:.4f}")
assert np.all(np.isfinite(rating_table["rmse"])), "a rating model gave a non-finite RMSE"
if not runtime.is_smoke():
    assert chosen != "I-AutoRec (no corruption)", "on validation, some corruption should beat plain I-AutoRec"
    assert final["rmse"] < plain["rmse"], "the rate chosen on validation should also help on u1.test"
    assert (rating_table["rmse"] < global_mean_rmse).all(), "every rating model must beat the global mean"

# %% [markdown]
# ## Results

# %%
results = stack_results("04_denoising_autoencoder", {
    f"MNIST ({len(x_train)} train / {len(x_test)} validation), {EPOCHS} epochs": mnist_table.rename(columns={
        "model": "variant", "gaussian 0.3 input": "BCE, gaussian-noisy input", "masking 0.5 input": "BCE, masked input",
        "clean input": "BCE, clean input"}),
    "ML-100K u1, validation slice (95% of u1.base to train)": rating_valid,
    "ML-100K u1.test (trained on all of u1.base)": rating_table,
})
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** The measured answers first, printed from the tables of
# this run; the reasons after them.

# %%
for label in denoisers:
    row = mnist_table.set_index("model").loc[f"denoising, {label}"]
    basic_row = mnist_table.set_index("model").loc["basic (notebook 01)"]
    for column in ("clean input", "gaussian 0.3 input", "masking 0.5 input"):
        diff = row[column] - basic_row[column]
        print(f"- The {label} denoiser on {column}: BCE {row[column]:.4f} vs {basic_row[column]:.4f} for the basic "
              f"model ({'worse' if diff > 0 else 'better'} by {abs(diff):.4f}).")
best_valid = rating_valid.set_index("variant")["rmse"]
print("- On ratings (validation): " + "; ".join(f"{k} {v:.4f}" for k, v in best_valid.items()) + ".")
print(f"- The highest validation NDCG@10 comes from '{rating_valid.loc[rating_valid['ndcg@10'].idxmax(), 'variant']}', "
      f"the lowest validation RMSE from '{chosen}'.")

# %% [markdown]
# **Why.** A denoiser that was trained on a kind of damage learned what digits look like rather
# than copying pixels, so on inputs damaged that way it can do better than the basic model; the
# basic model's 32-number bottleneck already throws away much of the noise, so the margins are
# modest. On inputs it was not trained for, a denoiser may do worse: it learned to expect and
# correct a particular damage. A denoiser should be trained on the noise it will meet. On
# ratings, hiding observed ratings is a close rehearsal of the real job (predicting ratings the
# model cannot see) and regularises a model with far more weights than MovieLens 100K has
# ratings; hiding too many leaves too little input to infer from. Rating accuracy (RMSE) and
# ranking (NDCG@10) are different goals, so the rate best for one need not be best for the other.

# %% [markdown]
# ## Exercises
# **Exercise 1.** With masking noise of rate 0.5, how many of a digit's 784 pixels are set to 0
# in each training step on average (the expected number)?

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("04.1", answer_1)

# %% [markdown]
# **Exercise 2.** Keras's `Dropout(0.25)` scales the ratings it keeps. By what factor? Give
# three decimal places.

# %%
answer_2 = None

# %%
exercises.check("04.2", answer_2)

# %% [markdown]
# **Exercise 3.** From `rating_valid`, which drop rate gave the lowest *validation* RMSE? Give
# the rate (0 if no corruption was best).

# %%
answer_3 = None

# %%
exercises.check("04.3", answer_3, rating_valid=rating_valid, DROP_RATES=DROP_RATES)


# %% [markdown]
# **Exercise 4 (write code).** Write masking noise yourself: `mask_noise(x, rate, seed)` returns
# a copy of the array `x` in which each entry is set to 0 with probability `rate`, independently
# of the others, drawing from `np.random.default_rng(seed)`. The kept entries keep their values
# (no rescaling) and `x` itself stays unchanged. The check runs it on new random images and
# rates (0 and 1 included), counts the zeros, and tries the same seed twice and another seed.
# Then look at what it does: `plots.image_grid([x_test, mask_noise(x_test, 0.5, SEED)], n=8)`.

# %%
def mask_noise(x: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """A copy of x with each entry set to 0 with probability `rate`."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("04.4", mask_noise)

# %% [markdown]
# **Exercise 5 (open).** Train a denoiser with *one fixed* corruption: fit
# `models.mnist_autoencoder()` with `mask_noise(x_train, 0.5, SEED)` as the input and the clean
# `x_train` as the target (`model.fit(x_noisy, x_train, ...)`). It sees the same damaged digits
# every epoch, while the `MaskingNoise` layer draws a new mask each time. Which rebuilds
# `noisy_tests["masking 0.5"]` better, and why?
#
# **Exercise 6 (open).** Train the Gaussian denoiser on σ = 0.5 and test it on σ = 0.1 digits.
# Is a model trained on strong noise good on mild noise? What does that suggest for choosing
# the training noise when you do not know the test noise?
#
# ## What's next
# Notebook **05** makes the autoencoder deeper (stacked), **06** makes its code sparse.
