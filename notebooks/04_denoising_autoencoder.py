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
# # 04 · Denoising autoencoders: rebuild the clean input from a damaged one
#
# A plain autoencoder with a wide enough code can get a low loss by learning something close
# to the identity, copying its input without learning what it looks like. A
# **denoising autoencoder** (Vincent et al., 2008) is fed a *corrupted* input and asked for
# the *clean* one, so it has to learn what digits (or tastes) look like in order to undo the
# damage. In recommendation the same idea is natural: hide some of a user's known ratings and
# ask the model to predict them back (the CDAE idea, Wu et al., 2016).
#
# **After this notebook you can**
# - write Gaussian and masking noise as Keras layers that act in training only, and put them in
#   front of the lecture's autoencoder to make a denoising autoencoder;
# - measure whether it rebuilds noisy digits better than the basic autoencoder of notebook 01,
#   after checking that every model learned at all (the average-digit yardstick);
# - see how the noise level trades clean-image quality for robustness;
# - apply the idea to ratings (dropping observed input ratings), choose the drop rate on a
#   validation slice, and measure its effect on RMSE and on Recall/NDCG@10 against plain
#   I-AutoRec on the test ratings, once.
#
# **How long:** the notebook prints its own running time under *Results*; the README lists
# the times of the recorded runs in each mode.

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
# The knobs, set beforehand for each run mode (not chosen from any result). The MNIST noise
# levels are fixed, not chosen; the one choice this notebook makes, the rating models' drop
# rate, is made on a validation slice of `u1.base` (section 2).

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(MODE, 20, 2)  # the same epoch budget for every MNIST model
NOISE_LEVELS = smoke_or(MODE, [0.1, 0.3, 0.5], [0.3])  # Gaussian noise standard deviations in the sweep
N_TRAIN = by_mode(MODE, None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(MODE, None, 2)  # None = each configuration's own epochs (autorec.VARIANTS)
DROP_RATES = smoke_or(MODE, [0.25, 0.5, 0.75], [0.5])  # share of observed input ratings dropped in training
SMOKE_ITEMS = smoke_or(MODE, None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), NOISE_LEVELS=(NOISE_LEVELS, list), N_TRAIN=(N_TRAIN, (int, type(None))),
             RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))), DROP_RATES=(DROP_RATES, list),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, experiments, losses, plots, runtime
from helpers.lecture_model import encoder_of, mnist_autoencoder  # written in notebook 01
from helpers.report import stack_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. Noise on digits
# The lecture lists it among the techniques for boosting an autoencoder's performance:
# <!-- slide -->Add noise to input set (**Denoising autoencoder**)<!-- /slide -->.
#
# Two kinds of corruption, applied to the *input* only (the target stays clean):
#
# - **Gaussian**: add $\mathcal N(0, \sigma^2)$ to every pixel (then clip to [0, 1]);
# - **masking**: set a share of the pixels to 0, as if parts of the digit were erased.
#
# As in notebook 01, the last 10% of the training images are a **validation slice**: every
# model trains on the other 90%, and every comparison in this section is made on the
# validation slice. The test images are scored once, at the end of the MNIST part. For a fair
# comparison we corrupt the validation digits once, with a fixed seed, and feed the same
# damaged digits to every model.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, x_test = x_train[:N_TRAIN], x_test[: N_TRAIN // 4]
n_valid = len(x_train) // 10
x_fit, x_valid = x_train[:-n_valid], x_train[-n_valid:]
print(f"training: {x_fit.shape}, validation slice: {x_valid.shape}, test: {x_test.shape}")
noisy_valid = {"gaussian 0.3": experiments.add_noise(x_valid, "gaussian", 0.3, seed=SEED),
               "masking 0.5": experiments.add_noise(x_valid, "masking", 0.5, seed=SEED)}
plots.image_grid([x_valid, noisy_valid["gaussian 0.3"], noisy_valid["masking 0.5"]],
                 labels=["clean", "gaussian 0.3", "masking 0.5"], n=8)
plt.show()

# %% [markdown]
# ### The noise as Keras layers
# In Keras the noise is a layer between the input and the encoder. Keras's own `GaussianNoise`
# does not clip to [0, 1], and its `Dropout` rescales the pixels it keeps; so we write the two
# layers we need. Both act **only in training**: Keras calls a layer with `training=True`
# inside `fit`, and at prediction time the layer passes its input through untouched, so a
# noisy input is exactly what you feed in. The second cell below shows what they do to four
# validation digits, in training and at prediction time. The `#| export` line at the top of the
# first cell (under `#| default_exp`) marks it for the kit's library: `make sync` copies it into
# `helpers/denoising.py`, which the kit's benchmark builds from.

# %%
#| default_exp denoising
#| export
import keras


class ClippedGaussianNoise(keras.layers.Layer):
    """In training: add N(0, stddev^2) to every input and clip to [0, 1]. Otherwise: pass through."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)  # a fresh draw at every step

    def call(self, inputs, training=None):
        if not training:
            return inputs
        noise = keras.random.normal(keras.ops.shape(inputs), stddev=self.stddev, seed=self.seed_generator)
        return keras.ops.clip(inputs + noise, 0.0, 1.0)


class MaskingNoise(keras.layers.Layer):
    """In training: set each input to 0 with probability `rate` (no rescaling). Otherwise: pass through."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * keras.ops.cast(keep, inputs.dtype)


# %%
four = x_valid[:4]
views = {"clean": four}
for layer in (ClippedGaussianNoise(0.3, seed=SEED), MaskingNoise(0.5, seed=SEED)):
    views[f"{type(layer).__name__}, training"] = np.asarray(layer(four, training=True))
    views[f"{type(layer).__name__}, prediction"] = np.asarray(layer(four))
    assert views[f"{type(layer).__name__}, training"].shape == four.shape
    np.testing.assert_array_equal(views[f"{type(layer).__name__}, prediction"], four)  # untouched
plots.image_grid(list(views.values()), labels=list(views), n=4)
plt.show()


# %% [markdown]
# ### The denoising autoencoder
# Notebook 01's model with one of these layers in front of the encoder. The noise layer has no
# weights, so the parameter count stays 50,992 ("Trainable params" below; for a trained model
# Keras's "Total params" also counts the optimizer's variables). This builder is exported too.

# %%
#| export
def denoising_autoencoder(noise: str = "gaussian", level: float = 0.3, code_dim: int = 32) -> keras.Model:
    """Input(784) -> noise (training only) -> Dense(code_dim, relu) -> Dense(784, sigmoid)."""
    if noise == "gaussian":
        corrupt = ClippedGaussianNoise(level, name="gaussian_noise")
    elif noise == "masking":
        corrupt = MaskingNoise(level, name="masking_noise")
    else:
        raise ValueError(f"noise={noise!r}: use 'gaussian' or 'masking'.")
    inputs = keras.Input(shape=(784,), name="image")
    code = keras.layers.Dense(code_dim, activation="relu", name="encoder")(corrupt(inputs))
    outputs = keras.layers.Dense(784, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name="denoising_autoencoder")


# %% [markdown]
# Three models, the same training: the basic autoencoder of notebook 01 (its
# `mnist_autoencoder`), a Gaussian denoiser (σ = 0.3) and a masking denoiser (rate 0.5),
# each trained for `EPOCHS` epochs with RMSprop and BCE, watched on the clean validation slice.

# %%
runtime.set_seed(SEED)
basic = mnist_autoencoder()
basic_run = experiments.fit_autoencoder(basic, x_fit, x_valid, epochs=EPOCHS)
denoisers = {}
for kind, level, label in (("gaussian", 0.3, "gaussian 0.3"), ("masking", 0.5, "masking 0.5")):
    runtime.set_seed(SEED)
    model = denoising_autoencoder(kind, level)
    denoisers[label] = experiments.fit_autoencoder(model, x_fit, x_valid, epochs=EPOCHS)
denoisers["gaussian 0.3"]["model"].summary()
assert denoisers["gaussian 0.3"]["model"].count_params() == basic.count_params()


# %%
def rebuild(model: keras.Model, inputs: np.ndarray) -> np.ndarray:
    """The model's reconstructions of `inputs` (a direct call: the noise layers pass them through)."""
    return np.asarray(model(inputs))


def score_on(model: keras.Model, inputs: np.ndarray, clean: np.ndarray) -> float:
    """Mean BCE of the model's reconstructions of `inputs` against the clean digits."""
    return float(losses.bce_per_image(clean, rebuild(model, inputs)).mean())


rows = []
for label, run in [("basic (notebook 01)", basic_run), *((f"denoising, {k}", r) for k, r in denoisers.items())]:
    rows.append({"model": label, "clean input": score_on(run["model"], x_valid, x_valid),
                 **{f"{k} input": score_on(run["model"], v, x_valid) for k, v in noisy_valid.items()},
                 "seconds": run["seconds"]})
mnist_table = pd.DataFrame(rows)
mnist_table.round(4)

# %% [markdown]
# Each `... input` column is a kind of input; its numbers are the BCE against the **clean**
# validation digit (lower is better); `seconds` is the training time. Read down a column to
# compare models on the same damaged digits.
#
# **First, did each model learn?** The yardstick is the BCE of drawing the average training
# digit for every input. A model whose clean-input BCE is not at least `MARGIN` below it has
# learned nothing useful and is named as failed, not compared.

# %%
MARGIN = 0.005
average_digit = x_fit.mean(axis=0)
yardstick = float(losses.bce_per_image(x_valid, np.broadcast_to(average_digit, x_valid.shape)).mean())
print(f"average-digit yardstick on the validation slice: BCE {yardstick:.4f}")
mnist_table["learned"] = mnist_table["clean input"] < yardstick - MARGIN
for _, row in mnist_table.iterrows():
    print(f"- {row['model']}: clean-input BCE {row['clean input']:.4f}, "
          + ("learned" if row["learned"] else f"FAILED: not {MARGIN} below the yardstick"))
# A ReLU code unit that stays near 0 (below 0.01) on all but 1% of the digits is dead: it carries
# almost nothing. The share of the 32 units alive:
alive = {label: losses.code_stats(np.asarray(encoder_of(run["model"])(x_valid)))["share_alive"]
         for label, run in [("basic", basic_run), *denoisers.items()]}
print("share of code units alive (active on at least 1% of the digits):",
      ", ".join(f"{label} {share:.2f}" for label, share in alive.items()))
for label, run in [("basic", basic_run), *denoisers.items()]:  # cheap checks that hold at any size
    assert np.all(np.isfinite(run["history"]["loss"])), f"{label}: the loss is not finite"
    assert run["history"]["loss"][-1] < run["history"]["loss"][0], f"{label}: the training loss did not go down"

# %% [markdown]
# Now the comparison the section is about, computed from the table (and only between models
# that learned):

# %%
def compare(column: str, denoiser: str) -> str:
    """A printed verdict: the basic model against one denoiser on one kind of input."""
    table = mnist_table.set_index("model")
    basic_row, den_row = table.loc["basic (notebook 01)"], table.loc[f"denoising, {denoiser}"]
    if not (basic_row["learned"] and den_row["learned"]):
        return f"on {column}: not compared (a model did not learn)"
    gain = basic_row[column] - den_row[column]
    return (f"on {column} the {denoiser} denoiser is {'better' if gain > 0 else 'worse'} than the basic model by "
            f"{abs(gain):.4f} BCE ({den_row[column]:.4f} vs {basic_row[column]:.4f})")


print(compare("gaussian 0.3 input", "gaussian 0.3"))
print(compare("masking 0.5 input", "masking 0.5"))

# %% [markdown]
# The reconstructions of the same damaged digits by the basic model and by the denoiser. The two
# rows of reconstructions can look alike at this size, so the fourth row shows where they differ:
# the absolute difference between them, pixel by pixel, multiplied by 4 so that small
# differences are visible (white: they differ by 0.25 or more).

# %%
for noise_label, kind in (("gaussian 0.3", "noisy input"), ("masking 0.5", "masked input")):
    damaged = noisy_valid[noise_label]
    from_basic = rebuild(basic, damaged)
    from_denoiser = rebuild(denoisers[noise_label]["model"], damaged)
    difference = np.clip(4 * np.abs(from_basic - from_denoiser), 0, 1)
    plots.image_grid([damaged, from_basic, from_denoiser, difference, x_valid],
                     labels=[kind, "basic AE", "denoising AE", "|difference| x 4", "clean"], n=8)
    plt.show()
    print(f"{noise_label}: mean absolute difference between the two reconstructions "
          f"{np.abs(from_basic - from_denoiser).mean():.4f} per pixel")

# %% [markdown]
# ### How much noise?
# Train with Gaussian noise of several strengths and score each model on validation digits
# damaged by the same strength. The basic autoencoder (trained without noise) is the reference
# at each level.

# %%
sweep = []
for level in NOISE_LEVELS:
    runtime.set_seed(SEED)
    run = experiments.fit_autoencoder(denoising_autoencoder("gaussian", level), x_fit, x_valid, epochs=EPOCHS)
    noisy = experiments.add_noise(x_valid, "gaussian", level, seed=SEED)
    clean_bce = score_on(run["model"], x_valid, x_valid)
    sweep.append({"noise std": level, "denoising AE": score_on(run["model"], noisy, x_valid),
                  "basic AE": score_on(basic, noisy, x_valid), "denoising AE on clean input": clean_bce,
                  "learned": clean_bce < yardstick - MARGIN})
sweep = pd.DataFrame(sweep)
sweep.plot(x="noise std", y=["denoising AE", "basic AE", "denoising AE on clean input"], marker="o",
           ylabel="BCE vs clean validation digits", title="Gaussian noise: train and score at the same level")
plt.show()
sweep.round(4)

# %% [markdown]
# Two questions for the sweep: does the denoiser's advantage on noisy digits grow with the noise,
# and what does training on noise cost on *clean* digits (the column "denoising AE on clean
# input", against the basic model's clean-input BCE)? The answers below are computed from the
# table above; a denoiser that did not learn is named, not compared.

# %%
sweep["advantage on noisy input"] = sweep["basic AE"] - sweep["denoising AE"]
basic_clean = mnist_table.loc[0, "clean input"]
compared = sweep[sweep["learned"]] if mnist_table.loc[0, "learned"] else sweep.iloc[:0]
for _, row in sweep[~sweep["learned"]].iterrows():
    print(f"Trained on std {row['noise std']}: did not learn "
          f"(not {MARGIN} below the average digit), not compared.")
if not mnist_table.loc[0, "learned"]:
    print("The basic model did not learn: the sweep's denoisers are not compared with it.")
if len(compared) > 1:
    grows = bool(np.all(np.diff(compared["advantage on noisy input"]) > 0))
    print(f"The denoiser's advantage on noisy digits {'grows' if grows else 'does not grow steadily'} with the noise: "
          + ", ".join(f"{a:+.4f} at std {n}" for n, a in zip(compared["noise std"], compared["advantage on noisy input"]))
          + ".")
for _, row in compared.iterrows():
    cost = row["denoising AE on clean input"] - basic_clean
    print(f"Trained on std {row['noise std']}: on clean digits it is {'worse' if cost > 0 else 'better'} than the basic "
          f"model by {abs(cost):.4f} BCE.")

# %% [markdown]
# ### The test digits, once
# The three models of the table, scored once on the test images, clean and damaged the same two
# ways (a fixed seed). Nothing was chosen in this section, and nothing is chosen from these
# numbers.

# %%
noisy_test = {"gaussian 0.3": experiments.add_noise(x_test, "gaussian", 0.3, seed=SEED),
              "masking 0.5": experiments.add_noise(x_test, "masking", 0.5, seed=SEED)}
test_yardstick = float(losses.bce_per_image(x_test, np.broadcast_to(average_digit, x_test.shape)).mean())
mnist_test = pd.DataFrame([
    {"model": label, "clean input": score_on(run["model"], x_test, x_test),
     **{f"{k} input": score_on(run["model"], v, x_test) for k, v in noisy_test.items()}}
    for label, run in [("basic (notebook 01)", basic_run), *((f"denoising, {k}", r) for k, r in denoisers.items())]])
mnist_test["learned"] = mnist_test["clean input"] < test_yardstick - MARGIN
print(f"average-digit yardstick on the test images: BCE {test_yardstick:.4f}; models that beat it by more than "
      f"{MARGIN}: {', '.join(mnist_test.loc[mnist_test['learned'], 'model']) or 'none'}")
assert np.isfinite(mnist_test.drop(columns=["model", "learned"]).to_numpy()).all()
mnist_test.round(4)

# %% [markdown]
# ## 2. Noise on ratings
# For a rating autoencoder the corruption is **dropping observed ratings from the input** at
# training time: at every training step each input rating is hidden with probability `rate`
# (set to 0, the kit's "not rated"), while the masked loss still scores the model on *all*
# observed ratings. To rebuild a hidden rating the model must infer it from the others, which
# is exactly the task at test time. Keras's `Dropout` layer does this, and it rescales the
# ratings it keeps so that their sum keeps its expected size (the CDAE recipe). The rating
# models are notebook 03's I-AutoRec configuration (`autorec.VARIANTS`): the plain one without
# the input dropout that configuration has, the denoising ones with a `Dropout` layer of each
# rate on their input.
#
# Plain I-AutoRec (no corruption) against I-AutoRec with several drop rates, on MovieLens 100K
# `u1`, same architecture, λ, optimizer and epochs. **The drop rate is a choice, so it is made
# on validation**: every model trains on `u1.base` less a 5% validation slice and is scored on
# that slice; the chosen rate and plain I-AutoRec are then refitted on all of `u1.base` and
# scored on `u1.test` once. The yardstick for ratings is the bias baseline (global mean plus a
# user and an item bias, fitted on the same training ratings): a model whose RMSE is not at
# least `MARGIN` below it did not learn, and is neither chosen nor compared.

# %%
split = evaluation.load_split("u1", seed=SEED, max_item_id=SMOKE_ITEMS)  # u1.base, u1.test, a validation slice
train, test, index, fallback = split.train, split.test, split.index, split.fallback
fit_part, valid, valid_fallback = split.fit, split.valid, split.valid_fallback
configs = {"I-AutoRec (no corruption)": autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)}
configs.update({f"denoising I-AutoRec, drop {rate}": autorec.VARIANTS["denoising"].with_(dropout=rate)
                .with_epochs(RATING_EPOCHS) for rate in DROP_RATES})
rating_valid = pd.DataFrame([autorec.evaluate_variant(label, config, fit_part, valid, index, valid_fallback, seed=SEED)
                             for label, config in configs.items()])
bias_valid = evaluation.rmse(valid["rating"], valid_fallback)
rating_valid["learned"] = rating_valid["rmse"] < bias_valid - MARGIN
print(f"bias-baseline yardstick on the validation slice: RMSE {bias_valid:.4f}")
for _, row in rating_valid.iterrows():
    print(f"- {row['variant']}: validation RMSE {row['rmse']:.4f}, "
          + ("learned" if row["learned"] else f"FAILED: not {MARGIN} below the bias baseline"))
rating_valid.round(4)

# %%
learned_valid = rating_valid[rating_valid["learned"]]
if len(learned_valid):
    chosen = learned_valid.loc[learned_valid["rmse"].idxmin(), "variant"]
    print(f"chosen on validation: {chosen} (validation RMSE {learned_valid['rmse'].min():.4f})")
else:
    chosen = rating_valid.loc[rating_valid["rmse"].idxmin(), "variant"]
    print(f"no rating model beat the bias baseline on validation by more than {MARGIN}; the lowest RMSE, {chosen}, "
          "is kept only to finish the run, and it counts as failed")
finalists = dict.fromkeys(["I-AutoRec (no corruption)", chosen])  # plain I-AutoRec and the chosen one, once each
rating_table = pd.DataFrame([autorec.evaluate_variant(label, configs[label], train, test, index, fallback, seed=SEED)
                             for label in finalists])
rating_table.round(4)

# %%
bias_test = evaluation.rmse(test["rating"], fallback)
rating_table["learned"] = rating_table["rmse"] < bias_test - MARGIN
print(f"bias-baseline yardstick on u1.test: RMSE {bias_test:.4f}")
for _, row in rating_table.iterrows():
    print(f"- {row['variant']}: u1.test RMSE {row['rmse']:.4f}, NDCG@10 {row['ndcg@10']:.4f}, "
          + ("beats the bias baseline" if row["learned"] else f"does NOT beat the bias baseline by more than {MARGIN}"))
plain = rating_table.set_index("variant", drop=False).loc["I-AutoRec (no corruption)"]
final = rating_table.set_index("variant", drop=False).loc[chosen]
if chosen == plain["variant"]:
    print("validation chose no corruption: there is no denoising model to compare on u1.test")
elif plain["learned"] and final["learned"]:
    print(f"on u1.test the chosen {chosen} is {'better' if final['rmse'] < plain['rmse'] else 'not better'} than "
          f"plain I-AutoRec by RMSE ({final['rmse']:.4f} vs {plain['rmse']:.4f})")
else:
    print("on u1.test the two are not compared: at least one of them did not learn")
assert np.all(np.isfinite(rating_table["rmse"])), "a rating model gave a non-finite RMSE"

# %% [markdown]
# ## Results

# %%
mnist_columns = {"model": "variant", "gaussian 0.3 input": "BCE, gaussian-noisy input",
                 "masking 0.5 input": "BCE, masked input", "clean input": "BCE, clean input"}
results = stack_results("04_denoising_autoencoder", MODE, {
    f"MNIST validation slice ({len(x_fit)} train / {len(x_valid)} validation), {EPOCHS} epochs":
        mnist_table.rename(columns=mnist_columns),
    f"MNIST test images ({len(x_test)}), scored once": mnist_test.rename(columns=mnist_columns),
    "ML-100K u1, validation slice (95% of u1.base to train)": rating_valid,
    "ML-100K u1.test (trained on all of u1.base)": rating_table,
})
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** The measured answers first, printed from the
# validation tables of this run (models that did not learn are named, not compared); the
# reasons after them.

# %%
table = mnist_table.set_index("model")
basic_row = table.loc["basic (notebook 01)"]
for label in denoisers:
    row = table.loc[f"denoising, {label}"]
    if not (row["learned"] and basic_row["learned"]):
        print(f"- The {label} denoiser: not compared (it or the basic model did not learn).")
        continue
    for column in ("clean input", "gaussian 0.3 input", "masking 0.5 input"):
        diff = row[column] - basic_row[column]
        print(f"- The {label} denoiser on {column}: BCE {row[column]:.4f} vs {basic_row[column]:.4f} for the basic "
              f"model ({'worse' if diff > 0 else 'better'} by {abs(diff):.4f}).")
print("- On ratings (validation RMSE): " + "; ".join(
    f"{r['variant']} {r['rmse']:.4f}{'' if r['learned'] else ' (did not learn)'}" for _, r in rating_valid.iterrows()) + ".")
if len(learned_valid):
    print(f"- Among the rating models that learned, the highest validation NDCG@10 comes from "
          f"'{learned_valid.loc[learned_valid['ndcg@10'].idxmax(), 'variant']}', the lowest validation RMSE from '{chosen}'.")

# %% [markdown]
# **Why (reasons to weigh against the numbers above, not measured here).** A denoiser trained on
# a kind of damage has to learn what digits look like rather than copy pixels, so on inputs
# damaged that way it can do better than the basic model. The basic model's 32-number
# bottleneck also discards part of the noise on its own, which can keep the margin small. On
# inputs it was not trained for, a denoiser may do worse: it learned to expect and correct a
# particular damage, so a denoiser should be trained on the noise it will meet. On ratings,
# hiding observed ratings rehearses the real job (predicting ratings the model cannot see) and
# regularises a model with far more weights than MovieLens 100K has ratings; hiding too many
# can leave too little input to infer from. Rating accuracy (RMSE) and ranking (NDCG@10) are
# different goals, so the rate best for one need not be best for the other.

# %% [markdown]
# ## Exercises
# Each exercise has a cell for your answer. In the students' edition a `grader.check(...)`
# cell under it runs the public checks, which only say whether your answer has the right form
# (answered, a number, a function that returns an array of the right shape), never whether it
# is right: the instructor's grading runs hidden tests on it. Open questions are answered in
# words in the markdown cell under them and graded by hand.

# %%
from helpers import grading

grader = grading.grader("04_denoising_autoencoder")

# %% [markdown] question={"name": "q04_1", "points": 2}
# **Exercise 1.** Masking noise of rate 0.5 sets each pixel to 0 with probability 0.5. On
# average over the validation digits (`x_valid`), how many of a digit's 784 pixel **values**
# does it actually change? Think about which pixels it cannot change, then compute the expected
# number from `x_valid` (a number; no need to round).

# %% tags=["solution"]
answer_1 = float(0.5 * (x_valid > 0).sum(axis=1).mean())  # SOLUTION

# %% tags=["test"]
def test_q04_1_form(answer_1):
    import numbers

    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_1, numbers.Real) and not isinstance(answer_1, bool), "the answer is a number"
    assert 0 <= answer_1 <= 784, "a count of a digit's pixels lies between 0 and 784"

test_q04_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q04_1_value(answer_1, x_valid):
    import numpy as np

    expected = 0.5 * float(np.mean(np.sum(np.asarray(x_valid) > 0, axis=1)))
    assert abs(answer_1 - expected) <= 0.01 * expected, "not the expected number of changed pixel values"

test_q04_1_value(answer_1, x_valid)  # IGNORE

# %% [markdown] question={"name": "q04_2", "points": 2}
# **Exercise 2.** A denoising I-AutoRec reads its input through Keras's `Dropout(0.25)`, and its
# inputs are MovieLens ratings from 1 to 5 (0 where unrated). During training, what is the
# **largest** value one input entry can have after the `Dropout` layer? Work it out from what
# section 2 says `Dropout` keeps unchanged on average, and give three decimal places.

# %% tags=["solution"]
answer_2 = round(5 / (1 - 0.25), 3)  # SOLUTION

# %% tags=["test"]
def test_q04_2_form(answer_2):
    import numbers

    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_2, numbers.Real) and not isinstance(answer_2, bool), "the answer is a number"

test_q04_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q04_2_value(answer_2):
    assert abs(answer_2 - 5 / 0.75) < 1e-3, "not the largest value a kept rating can take"

test_q04_2_value(answer_2)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q04_3", "points": 2}
# **Exercise 3 (open).** Suppose the drop rate chosen on the validation slice does *not* beat
# plain I-AutoRec on `u1.test`, while another rate from the list would have. May you report
# that other rate's `u1.test` RMSE as the notebook's result? Explain why not, and name two
# things you could do instead to make the choice of the drop rate more reliable.

# %% [markdown] tags=["solution"]
# Model answer for the instructor: no. Choosing the rate by its `u1.test` score makes the test
# set part of the training decisions; the reported score is then the best of several tries on
# the same ratings and is biased low (optimistic), so it no longer estimates how the model does
# on ratings it has never met. A test score that disappoints is reported as it is. More reliable
# choices: a larger validation slice, or k-fold cross-validation within `u1.base` (the average
# over folds varies less than one slice); several seeds per rate, averaged; a finer grid of
# rates; or prefer the simpler model when the validation differences are within the seed-to-seed
# spread. (Any two sensible ones earn the points.)

# %% [markdown] question={"name": "q04_4", "points": 3}
# **Exercise 4 (write code).** Write masking noise yourself, in NumPy and without the kit's
# helpers: `mask_noise(x, rate, seed)` returns a copy of the array `x` in which each entry is set
# to 0 with probability `rate`, independently of the others, drawing from
# `np.random.default_rng(seed)`. The kept entries keep their values (no rescaling) and `x`
# itself stays unchanged. The grading runs it on new random
# images and rates (0 and 1 included), counts the zeros, and tries the same seed twice and
# another seed. Then look at what it does: `plots.image_grid([x_valid, mask_noise(x_valid, 0.5,
# SEED)], n=8)`.

# %% tags=["solution"]
def mask_noise(x: np.ndarray, rate: float, seed: int) -> np.ndarray:
    """A copy of x with each entry set to 0 with probability `rate`."""
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    return x * (rng.random(x.shape) >= rate)
    # END SOLUTION


# %% tags=["test"]
def test_q04_4_form(mask_noise):
    import numpy as np

    x = np.full((3, 5), 0.5)
    assert mask_noise(x, 0.5, 0) is not None, "not answered yet: write the function's body"
    out = np.asarray(mask_noise(x, 0.5, 0))
    assert out.shape == x.shape, f"for x of shape {x.shape} the function returned shape {out.shape}"

test_q04_4_form(mask_noise)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q04_4_random_images(mask_noise):
    import numpy as np

    rng = np.random.default_rng()
    x = rng.uniform(0.05, 1.0, size=(int(rng.integers(64, 96)), 784)).astype("float32")
    for rate in [float(r) for r in rng.uniform(0.1, 0.9, size=3)] + [0.0, 1.0]:
        seed = int(rng.integers(2**31))
        before = x.copy()
        out = np.asarray(mask_noise(x, rate, seed))
        assert np.array_equal(x, before), "the function changed its input x"
        assert out.shape == x.shape, f"for x of shape {x.shape} the function returned shape {out.shape}"
        zero = out == 0
        assert np.all(zero | np.isclose(out, x, rtol=1e-6, atol=0.0)), (
            f"with rate={rate:.2f} some entries came back neither 0 nor unchanged")
        share = float(zero.mean())
        assert abs(share - rate) <= 0.025, f"with rate={rate:.2f} the function set {share:.1%} of the entries to 0"
        if 0 < rate < 1:
            assert np.array_equal(np.asarray(mask_noise(x, rate, seed)), out), "the same seed gave two different masks"
            assert not np.array_equal(np.asarray(mask_noise(x, rate, seed + 1)), out), "two seeds gave the same mask"

test_q04_4_random_images(mask_noise)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q04_5", "points": 2}
# **Exercise 5 (open).** Train a denoiser with *one fixed* corruption: fit
# `mnist_autoencoder()` with `mask_noise(x_fit, 0.5, SEED)` as the input and the clean
# `x_fit` as the target (`model.fit(x_noisy, x_fit, ...)`). It sees the same damaged digits
# every epoch, while the `MaskingNoise` layer draws a new mask at every step. Which rebuilds
# `noisy_valid["masking 0.5"]` better, and why?

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the student reports both validation BCEs from their own run.
# Expected reasoning: with a fixed mask the model sees one damaged version of each digit, so it
# can fit those particular holes (memorise how each damaged image maps to its clean one) and
# learns less about damage in general; the layer shows a new mask every step, a much larger
# and more varied training set for the same images, which usually generalises better to new
# masks such as the fixed validation mask. With few epochs the gap can be small, and the fixed
# version is cheaper per epoch; the answer should rest on the measured numbers.

# %% [markdown] question={"manual": true, "name": "q04_6", "points": 2}
# **Exercise 6 (open).** Train the Gaussian denoiser on σ = 0.5 and score it on validation digits
# damaged with σ = 0.1. Is a model trained on strong noise good on mild noise? What does that
# suggest for choosing the training noise when you do not know the noise the model will meet?

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the student compares the σ = 0.5 denoiser with the σ = 0.1
# denoiser (or the basic model) on σ = 0.1 digits, with their own numbers. Expected reasoning: a
# model trained on strong noise learns to smooth hard and to rebuild from little evidence; on
# mild noise it can throw away detail that was still there, so it is often worse than a model
# trained on mild noise, though usually better than a model that never saw noise. When the
# test noise is unknown: train on a mix or a range of noise levels, or choose the level on a
# validation set damaged the way the real inputs are expected to be.

# %% [markdown]
# ## What's next
# Notebook **05** makes the autoencoder deeper (stacked), **06** makes its code sparse.
