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
# A plain autoencoder with a wide enough code can get a low loss by copying its input. A
# **denoising autoencoder** (Vincent et al., 2008) is fed a *corrupted* input and asked for the
# *clean* one, so it has to learn what digits (or tastes) look like to undo the damage. For
# ratings: hide some of a row's known ratings (a user's, or for I-AutoRec an item's) and ask the
# model to predict them back (the CDAE idea, Wu et al., 2016).
#
# **After this notebook you can**
# - write noise as a Keras layer that acts in training only, and put it in front of the
#   lecture's autoencoder;
# - measure on a validation slice whether the denoiser rebuilds damaged digits better than the
#   same autoencoder trained without noise, once every model has passed its yardstick;
# - drop observed input ratings the same way, choose the drop rate on validation, and score it
#   against plain I-AutoRec on the test ratings, once.
#
# **What you should see** (in the kit's recorded runs; the printed verdicts say whether in yours):
# - the Gaussian denoiser rebuilds Gaussian-noisy digits better than the basic model, and clean
#   digits worse (the *Results* verdicts; the figure of both models' reconstructions);
# - no free win: the masking denoiser does *not* beat the basic model on masked digits at this
#   epoch budget, and each denoiser loses to the basic model on the damage it was not trained
#   on (the *Results* verdicts);
# - the stronger the Gaussian noise, the larger the denoiser's advantage on noisy digits and
#   its cost on clean ones (*How much noise?*);
# - on ratings, the drop rate chosen on validation gives a slightly lower `u1.test` RMSE than
#   plain I-AutoRec (the verdict under the `u1.test` table).
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
MODE = None  # None: COURSE_MODE if set, else "lecture" on Colab and "full" elsewhere; or "full", "lecture", "smoke"

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
# The knobs, set beforehand for each run mode. The noise levels are fixed, not chosen; the one
# choice this notebook makes, the rating models' drop rate, is made on a validation slice
# (section 2).

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
from IPython.display import display

from helpers import autorec, datasets, evaluation, experiments, losses, plots, runtime
from helpers.lecture_model import mnist_autoencoder  # written in notebook 01
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
# As in notebook 01, every model trains on 90% of the training images and is compared on the
# other 10%, the **validation slice**; the test images are scored once, at the end of this
# section. The validation digits are damaged once, with a fixed seed, so that every model meets
# the same damaged digits.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, x_test = x_train[:N_TRAIN], x_test[: N_TRAIN // 4]
n_valid = len(x_train) // 10
x_fit, x_valid = x_train[:-n_valid], x_train[-n_valid:]
print(f"training: {x_fit.shape}, validation slice: {x_valid.shape}, test: {x_test.shape}")
noisy_valid = {"gaussian 0.3": experiments.add_noise(x_valid, "gaussian", 0.3, seed=SEED),
               "masking 0.5": experiments.add_noise(x_valid, "masking", 0.5, seed=SEED)}

# %% [markdown]
# ### The noise as Keras layers
# In Keras the noise is a layer between the input and the encoder. Keras's `GaussianNoise` does
# not clip to [0, 1] and its `Dropout` rescales the pixels it keeps, so we write the two layers
# we need. Both act **only in training**: inside `fit` Keras calls a layer with `training=True`;
# at prediction time the layer passes its input through untouched. The `#| export` line marks
# the cell for the kit's library: `make sync` copies it into `helpers/denoising.py`.

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
eight = x_valid[:8]
views = {"clean": eight}
for layer, label in ((ClippedGaussianNoise(0.3, seed=SEED), "Gaussian 0.3"),
                     (MaskingNoise(0.5, seed=SEED), "masking 0.5")):
    views[f"{label}, training"] = np.asarray(layer(eight, training=True))
    assert views[f"{label}, training"].shape == eight.shape
    np.testing.assert_array_equal(np.asarray(layer(eight)), eight)  # at prediction time: untouched
print("At prediction time both layers returned the digits unchanged.")
plots.image_grid(list(views.values()), labels=list(views), n=8)
plt.show()


# %% [markdown]
# ### The denoising autoencoder
# Notebook 01's model with one of these layers in front of the encoder (exported too). Three
# models, the same training (`EPOCHS` epochs, RMSprop, BCE): the **basic** autoencoder (01's
# `mnist_autoencoder`, trained here without noise), a Gaussian denoiser (σ = 0.3) and a masking
# denoiser (rate 0.5). The summary shows that the noise layer has no weights.

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


# %%
BASIC = "basic (no noise)"
builders = {BASIC: mnist_autoencoder,
            "denoising, gaussian 0.3": lambda: denoising_autoencoder("gaussian", 0.3),
            "denoising, masking 0.5": lambda: denoising_autoencoder("masking", 0.5)}
runs = {}
for label, build in builders.items():
    runtime.set_seed(SEED)
    model = build()
    if label == "denoising, gaussian 0.3":
        model.summary()
    runs[label] = experiments.fit_autoencoder(model, x_fit, x_valid, epochs=EPOCHS)
assert len({run["model"].count_params() for run in runs.values()}) == 1  # the noise layers add no weights
for label, run in runs.items():  # cheap checks that hold at any size
    assert np.all(np.isfinite(run["history"]["loss"])), f"{label}: the loss is not finite"
    assert run["history"]["loss"][-1] < run["history"]["loss"][0], f"{label}: the training loss did not go down"


# %% [markdown]
# Each `... input` column below is a kind of validation input; its numbers are the mean BCE of
# the reconstructions against the **clean** digits (lower is better). **First, did each model
# learn?** The yardstick is the BCE of drawing the average training digit for every input: a
# model whose clean-input BCE is not at least `MARGIN` below it is named as failed, not compared.
# Then each denoiser meets the basic model on the damage it was trained on.

# %%
def rebuild(model: keras.Model, inputs: np.ndarray) -> np.ndarray:
    """The model's reconstructions of `inputs` (a direct call: the noise layers pass them through)."""
    return np.asarray(model(inputs))


def score_on(model: keras.Model, inputs: np.ndarray, clean: np.ndarray) -> float:
    """Mean BCE of the model's reconstructions of `inputs` against the clean digits."""
    return float(losses.bce_per_image(clean, rebuild(model, inputs)).mean())


MARGIN = 0.005
average_digit = x_fit.mean(axis=0)
yardstick = float(losses.bce_per_image(x_valid, np.broadcast_to(average_digit, x_valid.shape)).mean())
mnist_table = pd.DataFrame([
    {"model": label, "clean input": score_on(run["model"], x_valid, x_valid),
     **{f"{k} input": score_on(run["model"], v, x_valid) for k, v in noisy_valid.items()},
     "seconds": run["seconds"]} for label, run in runs.items()])
mnist_table["learned"] = mnist_table["clean input"] < yardstick - MARGIN
print(f"average-digit yardstick on the validation slice: BCE {yardstick:.4f}")
for _, row in mnist_table.iterrows():
    print(f"- {row['model']}: clean-input BCE {row['clean input']:.4f}, "
          + ("learned" if row["learned"] else f"FAILED: not {MARGIN} below the yardstick"))


def compare(column: str, denoiser: str) -> str:
    """A printed verdict: the basic model against one denoiser on one kind of input."""
    table = mnist_table.set_index("model")
    basic_row, den_row = table.loc[BASIC], table.loc[denoiser]
    if not (basic_row["learned"] and den_row["learned"]):
        return f"{denoiser} on {column}: not compared (a model did not learn)"
    gain = basic_row[column] - den_row[column]
    return (f"{denoiser} on {column}: {'better' if gain > 0 else 'worse'} than the basic model by "
            f"{abs(gain):.4f} BCE ({den_row[column]:.4f} vs {basic_row[column]:.4f})")


print(compare("gaussian 0.3 input", "denoising, gaussian 0.3"))
print(compare("masking 0.5 input", "denoising, masking 0.5"))
mnist_table.round(4)

# %% [markdown]
# What the Gaussian denoiser does differently, digit by digit. Below are the four noisy
# validation digits on which its reconstruction gains most over the basic model's, then the
# four on which it loses most; the number under each reconstruction is its BCE against the
# clean digit. The line under the figure says on what share of all validation digits it wins.

# %%
DENOISER = "denoising, gaussian 0.3"
if mnist_table.set_index("model").loc[[BASIC, DENOISER], "learned"].all():
    damaged = noisy_valid["gaussian 0.3"]
    rebuilt = {label: rebuild(runs[label]["model"], damaged) for label in (BASIC, DENOISER)}
    per_digit = {label: losses.bce_per_image(x_valid, images) for label, images in rebuilt.items()}
    gain = per_digit[BASIC] - per_digit[DENOISER]  # > 0: the denoiser is closer to the clean digit
    shown = np.r_[np.argsort(gain)[::-1][:4], np.argsort(gain)[:4]]  # its 4 largest wins, its 4 largest losses
    fig = plots.image_grid([damaged[shown], rebuilt[BASIC][shown], rebuilt[DENOISER][shown], x_valid[shown]],
                           labels=["noisy input", "basic (BCE)", "denoiser (BCE)", "clean"], n=len(shown))
    for row, label in ((1, BASIC), (2, DENOISER)):
        for col, i in enumerate(shown):
            fig.axes[row * len(shown) + col].set_xlabel(f"{per_digit[label][i]:.3f}")
    fig.axes[0].set_title("the denoiser's largest wins", loc="left")
    fig.axes[len(shown) // 2].set_title("its largest losses", loc="left")
    fig.tight_layout()
    plt.show()
    print(f"The Gaussian denoiser's reconstruction is closer to the clean digit (lower BCE) on "
          f"{np.mean(gain > 0):.0%} of the {len(gain)} noisy validation digits.")
else:
    print("Not shown: the basic model or the Gaussian denoiser did not learn.")

# %% [markdown]
# ### How much noise?
# Gaussian denoisers trained on several noise levels, each scored on validation digits damaged
# at its own level and on clean digits, beside the basic model (dashed: on clean digits). The
# verdicts under the plot say whether the denoiser's advantage on noisy digits, and its cost on
# clean ones, grow with the noise.

# %%
sweep = []
for level in NOISE_LEVELS:
    runtime.set_seed(SEED)
    run = experiments.fit_autoencoder(denoising_autoencoder("gaussian", level), x_fit, x_valid, epochs=EPOCHS)
    noisy = experiments.add_noise(x_valid, "gaussian", level, seed=SEED)
    clean_bce = score_on(run["model"], x_valid, x_valid)
    sweep.append({"noise std": level, "denoiser, noisy input": score_on(run["model"], noisy, x_valid),
                  "basic, noisy input": score_on(runs[BASIC]["model"], noisy, x_valid),
                  "denoiser, clean input": clean_bce, "learned": clean_bce < yardstick - MARGIN})
sweep = pd.DataFrame(sweep)
basic_clean = mnist_table.set_index("model").loc[BASIC, "clean input"]
ax = sweep.plot(x="noise std", y=["denoiser, noisy input", "basic, noisy input", "denoiser, clean input"],
                marker="o", figsize=(7, 3.5), xlabel="Gaussian noise std (training and scoring)",
                ylabel="BCE vs clean validation digits")
ax.axhline(basic_clean, color="gray", linestyle="--", label="basic, clean input")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.tight_layout()
plt.show()
basic_learned = bool(mnist_table.set_index("model").loc[BASIC, "learned"])
compared = sweep[sweep["learned"]] if basic_learned else sweep.iloc[:0]
for _, row in sweep[~sweep["learned"]].iterrows():
    print(f"Trained on std {row['noise std']}: did not learn (not {MARGIN} below the average digit), not compared.")
if not basic_learned:
    print("The basic model did not learn: the sweep's denoisers are not compared with it.")
if len(compared) > 1:
    advantage = compared["basic, noisy input"] - compared["denoiser, noisy input"]
    cost = compared["denoiser, clean input"] - basic_clean
    for name, values in (("advantage on noisy digits", advantage), ("cost on clean digits", cost)):
        grows = bool(np.all(np.diff(values) > 0))
        print(f"The denoiser's {name} {'grows' if grows else 'does not grow steadily'} with the noise: "
              + ", ".join(f"{v:+.4f} at std {n}" for n, v in zip(compared["noise std"], values)) + " BCE.")
sweep.round(4)

# %% [markdown]
# ### The test digits, once
# The three models of the table, scored once on the test images, clean and damaged the same two
# ways. Nothing was chosen in this section, and nothing is chosen from these numbers.

# %%
noisy_test = {"gaussian 0.3": experiments.add_noise(x_test, "gaussian", 0.3, seed=SEED),
              "masking 0.5": experiments.add_noise(x_test, "masking", 0.5, seed=SEED)}
test_yardstick = float(losses.bce_per_image(x_test, np.broadcast_to(average_digit, x_test.shape)).mean())
mnist_test = pd.DataFrame([
    {"model": label, "clean input": score_on(run["model"], x_test, x_test),
     **{f"{k} input": score_on(run["model"], v, x_test) for k, v in noisy_test.items()}}
    for label, run in runs.items()])
mnist_test["learned"] = mnist_test["clean input"] < test_yardstick - MARGIN
print(f"average-digit yardstick on the test images: BCE {test_yardstick:.4f}; models that beat it by more than "
      f"{MARGIN}: {', '.join(mnist_test.loc[mnist_test['learned'], 'model']) or 'none'}")
assert np.isfinite(mnist_test.drop(columns=["model", "learned"]).to_numpy()).all()
mnist_test.round(4)

# %% [markdown]
# ## 2. Noise on ratings
# For a rating autoencoder the corruption is **dropping observed ratings from the input** in
# training: at every step each input rating is hidden (set to 0, "not rated") with probability
# `rate`, while the masked loss still scores *all* observed ratings. To rebuild a hidden rating
# the model must infer it from the others, as at test time. Keras's `Dropout` does this, and
# rescales the ratings it keeps so that their sum keeps its expected size (the CDAE recipe).
# The models are notebook 03's I-AutoRec configuration (`autorec.VARIANTS`) with no input
# dropout (plain) or a `Dropout` of each rate on its input; otherwise the same.
#
# **The drop rate is a choice, so it is made on validation**: every model trains on `u1.base`
# less a 5% slice and is scored on that slice; the chosen rate and plain I-AutoRec are refitted
# on all of `u1.base` and scored on `u1.test` once. The yardstick is the bias baseline (global
# mean plus user and item biases): a model not `MARGIN` below its RMSE did not learn, and is
# neither chosen nor compared.

# %%
split = evaluation.load_split("u1", seed=SEED, max_item_id=SMOKE_ITEMS)  # u1.base, u1.test, a validation slice
train, test, index, fallback = split.train, split.test, split.index, split.fallback
fit_part, valid, valid_fallback = split.fit, split.valid, split.valid_fallback
configs = {"I-AutoRec (no corruption)": autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)}
configs.update({f"denoising I-AutoRec, drop {rate}": autorec.VARIANTS["denoising"].with_(dropout=rate)
                .with_epochs(RATING_EPOCHS) for rate in DROP_RATES})
for label, config in configs.items():
    print(f"{label} = {config.describe()}; trained on the fitting part (95% of u1.base)")
CODE_COLUMNS = ["code mean activation", "code share alive"]  # not this lesson's subject
rating_valid = pd.DataFrame([autorec.evaluate_variant(label, config, fit_part, valid, index, valid_fallback, seed=SEED)
                             for label, config in configs.items()]).drop(columns=CODE_COLUMNS)
bias_valid = evaluation.rmse(valid["rating"], valid_fallback)
rating_valid["learned"] = rating_valid["rmse"] < bias_valid - MARGIN
print(f"bias-baseline yardstick on the validation slice: RMSE {bias_valid:.4f}")
for _, row in rating_valid.iterrows():
    print(f"- {row['variant']}: validation RMSE {row['rmse']:.4f}, "
          + ("learned" if row["learned"] else f"FAILED: not {MARGIN} below the bias baseline"))
learned_valid = rating_valid[rating_valid["learned"]]
if len(learned_valid):
    chosen = learned_valid.loc[learned_valid["rmse"].idxmin(), "variant"]
    print(f"chosen on validation: {chosen} (validation RMSE {learned_valid['rmse'].min():.4f})")
else:
    chosen = rating_valid.loc[rating_valid["rmse"].idxmin(), "variant"]
    print(f"no rating model beat the bias baseline on validation by more than {MARGIN}; the lowest RMSE, {chosen}, "
          "is kept only to finish the run, and it counts as failed")
rating_valid.round(4)

# %%
finalists = dict.fromkeys(["I-AutoRec (no corruption)", chosen])  # plain I-AutoRec and the chosen one, once each
rating_table = pd.DataFrame([autorec.evaluate_variant(label, configs[label], train, test, index, fallback, seed=SEED)
                             for label in finalists]).drop(columns=CODE_COLUMNS)
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
rating_table.round(4)

# %% [markdown]
# ## Results
# One table per kind of model, digits (BCE against the clean digits) and ratings; `data` says
# what scored each row. This run's verdicts follow.

# %%
mnist_columns = {"model": "variant", "gaussian 0.3 input": "BCE, gaussian-noisy input",
                 "masking 0.5 input": "BCE, masked input", "clean input": "BCE, clean input"}
results = stack_results("04_denoising_autoencoder", MODE, {
    f"MNIST validation slice ({len(x_fit)} train / {len(x_valid)} validation), {EPOCHS} epochs":
        mnist_table.drop(columns="seconds").rename(columns=mnist_columns),
    f"MNIST test images ({len(x_test)}), scored once": mnist_test.rename(columns=mnist_columns),
    "ML-100K u1, validation slice (95% of u1.base to train)": rating_valid,
    "ML-100K u1.test (trained on all of u1.base)": rating_table,
    "MNIST validation slice, Gaussian noise sweep (How much noise?)": sweep.assign(basic_clean=basic_clean).rename(
        columns={"basic_clean": "basic, clean input"}),
})
for data, rows in results.groupby("data", sort=False):  # one table per kind of row (the sweep is above)
    if "sweep" in data:
        continue
    rows = rows.dropna(axis=1, how="all")
    print(data)
    display(rows[[c for c in rows if c not in ("learned", "data")] + ["learned"]].round(4))
table = mnist_table.set_index("model")
for label in list(runs)[1:]:
    if not (table.loc[label, "learned"] and table.loc[BASIC, "learned"]):
        print(f"- {label}: not compared (it or the basic model did not learn).")
        continue
    columns = ["clean input", *(f"{k} input" for k in noisy_valid)]
    diffs = {c: table.loc[label, c] - table.loc[BASIC, c] for c in columns}
    print(f"- {label}, BCE minus the basic model's (validation): "
          + ", ".join(f"{c} {d:+.4f} ({'worse' if d > 0 else 'better'})" for c, d in diffs.items()) + ".")
print("- On ratings (validation RMSE): " + "; ".join(
    f"{r['variant']} {r['rmse']:.4f}{'' if r['learned'] else ' (did not learn)'}" for _, r in rating_valid.iterrows())
      + f"; chosen: {chosen}.")

# %% [markdown]
# **Why (reasons to weigh against the verdicts, not measured here).** A denoiser trained on a
# kind of damage must learn what digits look like rather than copy pixels, so on digits damaged
# that way it can beat the basic model; it pays on clean digits, which it never met in training.
# No guarantee: in the kit's recorded runs the masking denoiser rebuilt masked digits no better
# than the basic model (whose 32-number bottleneck may already fill in erased strokes) and lost
# on clean ones; more epochs might change that. On damage it was not trained for, a denoiser can
# lose to no denoiser at all: train on the noise the model will meet. On ratings, hiding
# observed ratings rehearses the real job (predicting unseen ratings) and regularises a model
# with far more weights than MovieLens 100K has ratings; hiding too many leaves too little to
# infer from.

# %% [markdown]
# ## Exercises
# Each exercise has a cell for your answer. In the students' edition the `grader.check(...)`
# cell under it checks only the form of your answer (answered, a number, the right shape),
# never whether it is right: the instructor's grading runs hidden tests on it. Open questions
# are answered in words in the markdown cell under them and graded by hand.

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

    import numpy as np

    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_1, numbers.Real) and not isinstance(answer_1, bool) and np.ndim(answer_1) == 0, (
        "the answer is a number")
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

# %% [markdown] question={"name": "q04_2", "points": 4}
# **Exercise 2 (write code).** **Salt-and-pepper** noise sets each entry, independently, to 0
# with probability `rate / 2`, to 1 with probability `rate / 2`, and leaves it unchanged
# otherwise. Write the `call` of the Keras layer below: in training it applies this noise,
# drawn afresh at every call (`keras.random` with the layer's `seed_generator`); otherwise it
# returns its input unchanged. Shape and dtype stay. Use `keras.ops` and `keras.random`, not the
# kit's layers: the hidden tests run it on new random inputs, count the 0s and 1s, and train a
# small model with it.

# %% tags=["solution"]
class SaltAndPepperNoise(keras.layers.Layer):
    """In training: each input becomes 0 with probability rate/2 and 1 with probability rate/2."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        # BEGIN SOLUTION
        if not training:
            return inputs
        draw = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
        pepper = draw < self.rate / 2
        salt = keras.ops.logical_and(draw >= self.rate / 2, draw < self.rate)
        noisy = keras.ops.where(pepper, keras.ops.zeros_like(inputs), inputs)
        return keras.ops.where(salt, keras.ops.ones_like(inputs), noisy)
        # END SOLUTION


# %% tags=["test"]
def test_q04_2_form(SaltAndPepperNoise):  # noqa: N803 (the name of the answer it tests)
    import numpy as np

    x = np.full((3, 5), 0.5, dtype="float32")
    assert SaltAndPepperNoise(0.2, seed=0).call(x, training=True) is not None, (
        "not answered yet: write the body of call")
    out = np.asarray(SaltAndPepperNoise(0.2, seed=0)(x, training=True))
    assert out.shape == x.shape, f"for an input of shape {x.shape} the layer returned shape {out.shape}"

test_q04_2_form(SaltAndPepperNoise)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q04_2_noise(SaltAndPepperNoise):  # noqa: N803 (the name of the answer it tests)
    import keras
    import numpy as np

    from helpers import grading

    assert not grading.kit_names_used(SaltAndPepperNoise), "write the Keras code yourself: it uses the kit's code"
    rng = np.random.default_rng()
    for rate in [float(r) for r in rng.uniform(0.1, 0.7, size=3)]:
        shape = (int(rng.integers(150, 250)), int(rng.integers(60, 100)))
        x = rng.uniform(0.05, 0.95, size=shape).astype("float32")
        layer = SaltAndPepperNoise(rate, seed=int(rng.integers(2**31)))
        out = layer(x, training=True)
        assert keras.backend.standardize_dtype(out.dtype) == "float32", f"float32 in, {out.dtype} out"
        out = np.asarray(out)
        assert out.shape == x.shape, f"for an input of shape {x.shape} the layer returned shape {out.shape}"
        zero, one = out == 0, out == 1
        kept = ~(zero | one)
        assert np.allclose(out[kept], x[kept], rtol=1e-6, atol=0), "entries neither 0 nor 1 must keep their values"
        margin = 5 * np.sqrt(rate / 2 * (1 - rate / 2) / x.size) + 0.002
        for name, hit in (("0", zero), ("1", one)):
            assert abs(hit.mean() - rate / 2) <= margin, (f"with rate={rate:.2f} the layer set {hit.mean():.1%} "
                                                          f"of the entries to {name}, not about {rate / 2:.1%}")
        assert not np.array_equal(np.asarray(layer(x, training=True)), out), "two training calls drew the same noise"
        for out in (layer(x), layer(x, training=False)):
            np.testing.assert_array_equal(np.asarray(out), x, err_msg="at prediction time the input must pass unchanged")

test_q04_2_noise(SaltAndPepperNoise)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q04_2_in_a_model(SaltAndPepperNoise):  # noqa: N803 (the name of the answer it tests)
    import keras
    import numpy as np

    from helpers import grading

    assert not grading.kit_names_used(SaltAndPepperNoise), "write the Keras code yourself: it uses the kit's code"
    rng = np.random.default_rng()
    d = int(rng.integers(8, 24))
    x = rng.uniform(0.05, 0.95, size=(256, d)).astype("float32")
    inputs = keras.Input(shape=(d,))
    decoder = keras.layers.Dense(d, activation="sigmoid")
    model = keras.Model(inputs, decoder(SaltAndPepperNoise(0.3)(inputs)))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    loss = model.fit(x, x, epochs=15, batch_size=32, verbose=0).history["loss"]
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0], f"a model with the layer did not train: loss {loss}"
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(decoder(x)), rtol=1e-5, atol=1e-6,
                               err_msg="at prediction time the layer inside a model must pass its input unchanged")
    assert not np.allclose(np.asarray(model(x, training=True)), np.asarray(model(x, training=True))), (
        "in training the layer inside a model drew no noise")

test_q04_2_in_a_model(SaltAndPepperNoise)  # IGNORE

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

# %% [markdown] question={"manual": true, "name": "q04_4", "points": 2}
# **Exercise 4 (open).** In the code cell, train the Gaussian denoiser on σ = 0.5 as section 1
# trains its denoisers and score it on validation digits damaged with σ = 0.1. Is a model trained
# on strong noise good on mild noise? What does that suggest for choosing the training noise when
# you do not know the noise the model will meet? Write what you measured in the text cell.

# %% tags=["solution"]
# BEGIN SOLUTION
runtime.set_seed(SEED)
strong = experiments.fit_autoencoder(denoising_autoencoder("gaussian", 0.5), x_fit, x_valid, epochs=EPOCHS)
mild = experiments.add_noise(x_valid, "gaussian", 0.1, seed=SEED)
at_01 = sweep.set_index("noise std")["denoiser, noisy input"].get(0.1)  # None if 0.1 is not in NOISE_LEVELS
print(f"BCE on σ = 0.1 validation digits: σ = 0.5 denoiser {score_on(strong['model'], mild, x_valid):.4f} "
      f"(clean input {score_on(strong['model'], x_valid, x_valid):.4f}, yardstick {yardstick:.4f}), basic "
      f"{score_on(runs[BASIC]['model'], mild, x_valid):.4f}, σ = 0.1 denoiser "
      + (f"{at_01:.4f}" if at_01 is not None else "not trained in this run"))
# END SOLUTION

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the student compares the σ = 0.5 denoiser with the σ = 0.1
# denoiser (or the basic model) on σ = 0.1 digits, with their own numbers. Expected reasoning: a
# model trained on strong noise learns to smooth hard and to rebuild from little evidence; on
# mild noise it can throw away detail that was still there, so it can lose to a model trained
# on mild noise and even to one that never saw noise: the answer follows the student's numbers. When the
# test noise is unknown: train on a mix or a range of noise levels, or choose the level on a
# validation set damaged the way the real inputs are expected to be.

# %% [markdown]
# ## What's next
# Notebook **05** makes the autoencoder deeper (stacked), **06** makes its code sparse.
