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
# # 06 · Sparse autoencoders: a code in which few units fire
#
# Instead of making the code *small*, a **sparse autoencoder** makes it *quiet*: a penalty
# in the loss pushes most code units to (near) zero for any one input, so each input is
# described by the few units that do fire. Two classic penalties: **L1** on the code
# activations (the Keras blog's version) and a **KL-divergence** target on each unit's average
# activation (Ng's lecture notes on sparse autoencoders).
#
# **After this notebook you can**
# - add an L1 or a KL sparsity penalty to a Keras autoencoder's code, with a value that does not
#   depend on the Keras version, and write such a penalty layer yourself;
# - measure sparsity: mean activation, share of near-zero activations, active units per input;
# - see which units fire for which digit, and what sparsity costs in reconstruction;
# - apply the same penalty to a rating autoencoder's code and measure its effect on RMSE.
#
# **What you should see** (each is printed as a verdict from your run's numbers):
# 1. L1 on the ReLU code: the larger weight (`L1 0.001`) makes the code sparser (lower
#    `mean_activation`, fewer `active_units`) and rebuilds digits worse (higher validation BCE)
#    than the basic ReLU model (section 2's verdicts).
# 2. A sigmoid code without a penalty *saturates*: most of its values sit above 0.99, where
#    training barely moves a sigmoid unit (the choice table). With the KL penalty and the same
#    optimizer, few values do, and the code is sparser and rebuilds digits better (section 2's
#    verdicts).
# 3. On ratings, the largest L1 weight (1e-2) more than halves the mean activation of
#    I-AutoRec's code and raises its validation RMSE (section 3's verdicts).
#
# **How long:** the notebook prints its own running time under *Results*; the README lists
# the minutes of its recorded runs.

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

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(MODE, 20, 2)
L1_WEIGHTS = smoke_or(MODE, [1e-4, 1e-3], [1e-3])  # L1 penalty weights on the ReLU code
KL_BETA = 0.01  # weight of the KL penalty (sigmoid code)
KL_RHO = 0.05  # target average activation of each code unit
SIGMOID_OPTIMIZERS = smoke_or(MODE, [("rmsprop", 1e-3), ("rmsprop", 1e-2), ("adam", 1e-2)],
                              [("rmsprop", 1e-3), ("adam", 1e-2)])  # for the basic sigmoid; KL gets its choice
N_TRAIN = by_mode(MODE, None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(MODE, None, 2)  # None = the plain I-AutoRec's own (30, helpers.autorec.VARIANTS)
RATING_L1 = smoke_or(MODE, [1e-4, 1e-3, 1e-2], [1e-3])
SMOKE_ITEMS = smoke_or(MODE, None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), L1_WEIGHTS=(L1_WEIGHTS, list), KL_BETA=(KL_BETA, float), KL_RHO=(KL_RHO, float),
             SIGMOID_OPTIMIZERS=(SIGMOID_OPTIMIZERS, list),
             N_TRAIN=(N_TRAIN, (int, type(None))), RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))),
             RATING_L1=(RATING_L1, list), SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from helpers import autorec, datasets, evaluation, losses, plots, runtime
from helpers.lecture_model import encoder_of, mnist_autoencoder  # written in notebook 01
from helpers.report import stack_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. Two penalties
# The lecture lists it among the techniques for boosting an autoencoder's performance:
# <!-- slide -->Add regularization term for loss (**Sparse autoencoder**)<!-- /slide -->. A sparsity penalty
# is such a term: it is added to the reconstruction loss.
#
# **L1 on the code.** Add $\lambda_1 \sum_j |h_j|$ to the loss for each example. A ReLU unit
# can bring its part of it to exactly zero by switching off (outputting 0) for that input.
#
# **KL target.** For sigmoid units, let $\hat\rho_j$ be unit $j$'s mean activation over a
# batch. Add $\beta \sum_j \mathrm{KL}(\rho \,\|\, \hat\rho_j)$, with
# $\mathrm{KL}(\rho\|\hat\rho) = \rho\log\frac{\rho}{\hat\rho} + (1-\rho)\log\frac{1-\rho}{1-\hat\rho}$,
# which is zero when every unit's mean activation is exactly $\rho$ (here `KL_RHO`).
#
# Both are averaged over the examples of a batch (the KL term is a batch statistic), like the
# BCE they are added to, so they do not grow with the batch size. Here they are in Keras
# operations, with the layer that adds them to a model's loss. The cells marked `#| export` are
# copied by `make sync` into `helpers/sparse.py`, from which the kit's AutoRec and benchmark
# build their sparse models.

# %%
#| default_exp sparse
#| export
import keras


def l1_penalty(codes, weight: float):
    """weight * (sum over units of |h_j|), averaged over the examples of the batch."""
    return weight * keras.ops.mean(keras.ops.sum(keras.ops.abs(codes), axis=-1))


# %%
#| export
def kl_penalty(codes, rho: float, beta: float):
    """beta * sum over units j of KL(rho || rho_hat_j), rho_hat_j = unit j's mean activation over the batch."""
    rho_hat = keras.ops.clip(keras.ops.mean(codes, axis=0), 1e-6, 1 - 1e-6)  # keeps both logarithms finite
    kl = rho * keras.ops.log(rho / rho_hat) + (1 - rho) * keras.ops.log((1 - rho) / (1 - rho_hat))
    return beta * keras.ops.sum(kl)


# %%
#| export
class SparsityPenalty(keras.layers.Layer):
    """Passes the code through unchanged and adds its sparsity penalty to the model's loss."""

    def __init__(self, kind: str, weight: float, rho: float = 0.05, **kwargs):
        super().__init__(**kwargs)
        self.kind, self.weight, self.rho = kind, weight, rho

    def call(self, codes):
        if self.kind == "l1":
            self.add_loss(l1_penalty(codes, self.weight))
        else:
            self.add_loss(kl_penalty(codes, self.rho, self.weight))
        return codes


# %% [markdown]
# The penalty on a small batch, by hand and as the layer adds it:

# %%
demo_codes = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]], dtype="float32")
by_hand = 1e-3 * np.abs(demo_codes).sum(axis=1).mean()
layer = SparsityPenalty("l1", 1e-3)
layer(demo_codes)
print(f"by hand {by_hand:.6f}, added by the layer {float(layer.losses[0]):.6f}")
assert abs(float(layer.losses[0]) - by_hand) < 1e-7

# %% [markdown]
# **Why not `activity_regularizer`?** The Keras blog ("Building Autoencoders in Keras") adds the
# L1 version to its code layer with `activity_regularizer=regularizers.l1(10e-5)` (that is,
# 1e-4). That argument still works, but what it adds changed: up to Keras 3.13 Keras *summed*
# the penalty over the batch, from 3.14 it divides by the batch size, so the same line is as
# many times stronger on Keras 3.13 as there are images in a batch. The cell below measures what
# your Keras adds, on one batch of 128 codes:

# %%
probe_codes = np.random.default_rng(SEED).random((128, 32)).astype("float32")
probe = keras.layers.Activation("linear", activity_regularizer=keras.regularizers.L1(1e-4))
probe(probe_codes)
added = float(probe.losses[0])
batch_mean, batch_sum = float(l1_penalty(probe_codes, 1e-4)), 1e-4 * float(np.abs(probe_codes).sum())
reduction = ("the batch mean" if np.isclose(added, batch_mean, rtol=1e-4) else "the batch sum"
             if np.isclose(added, batch_sum, rtol=1e-4) else "neither the batch mean nor the batch sum")
print(f"Keras {keras.__version__}: activity_regularizer added {added:.6f}; the batch mean is {batch_mean:.6f}, "
      f"the batch sum {batch_sum:.6f} ({batch_sum / batch_mean:.0f} times as much): this Keras adds {reduction}.")

# %% [markdown]
# The layer above adds exactly the function's value on every Keras version. The sparse
# autoencoder is the lecture's 784 → 32 → 784 model with that layer after its code (for KL, a
# sigmoid code instead of ReLU).

# %%
#| export
def build_sparse(kind: str, weight: float, rho: float = 0.05, input_dim: int = 784,
                 code_dim: int = 32) -> keras.Model:
    """The lecture's autoencoder with a sparsity penalty on its code: L1 on ReLU units, KL on sigmoid units."""
    inputs = keras.Input(shape=(input_dim,), name="image")
    activation = "relu" if kind == "l1" else "sigmoid"
    code = keras.layers.Dense(code_dim, activation=activation, name="encoder")(inputs)
    code = SparsityPenalty(kind, weight, rho=rho, name="sparsity")(code)
    outputs = keras.layers.Dense(input_dim, activation="sigmoid", name="decoder")(code)
    return keras.Model(inputs, outputs, name="sparse_autoencoder")


# %%
print("Keras", keras.__version__)
build_sparse("l1", 1e-3).summary()

# %% [markdown]
# ## 2. Sparse codes for digits
# The models train on `x_fit`; every choice and comparison uses a **validation slice** carved
# from the training images (the last 10 %); the **test** images are scored once, at the end of
# the section. Each sparse model has a baseline of the same shape without the penalty (a ReLU
# code for L1, a sigmoid code for KL), trained with the same optimizer and learning rate, so
# that the penalty is the only difference. The ReLU models use the lecture's RMSprop (learning
# rate 0.001). For the basic sigmoid model the optimizer and learning rate are chosen on the
# validation slice among `SIGMOID_OPTIMIZERS` (lowest validation BCE), and the KL model trains
# with the same. `KL_BETA`, `KL_RHO` and the L1 weights are set beforehand, not chosen.
#
# **Did each model learn?** The yardstick needs no learning: answer every image with the
# average training image. A model whose validation BCE is not lower than that by more than
# `LEARN_MARGIN` has not learned: it is flagged FAILED and not compared.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
    x_test, y_test = x_test[: N_TRAIN // 4], y_test[: N_TRAIN // 4]
n_valid = len(x_train) // 10
x_fit, x_valid, y_valid = x_train[:-n_valid], x_train[-n_valid:], y_train[-n_valid:]
print(f"training: {x_fit.shape}, validation slice: {x_valid.shape}, test: {x_test.shape}")
assert x_fit.shape[1] == x_valid.shape[1] == x_test.shape[1] == 784

LEARN_MARGIN = 0.005
mean_image = np.broadcast_to(x_fit.mean(axis=0), x_valid.shape)
mean_image_bce = float(losses.bce_per_image(x_valid, mean_image).mean())
print(f"average-image yardstick: validation BCE {mean_image_bce:.4f}")

# %%
OPTIMIZERS = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}


def fit_quiet(model: keras.Model, optimizer: str, learning_rate: float) -> dict[str, list[float]]:
    """Train on x_fit (binary cross-entropy, batches of 128), following the validation slice; no log."""
    model.compile(optimizer=OPTIMIZERS[optimizer](learning_rate=learning_rate), loss="binary_crossentropy")
    return model.fit(x_fit, x_fit, batch_size=128, epochs=EPOCHS, shuffle=True,
                     validation_data=(x_valid, x_valid), verbose=0).history


def outputs_of(model: keras.Model, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """The model's outputs for x, by direct calls in batches (predict would compile a function per model)."""
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def code_of(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The 32-unit code the model's encoder gives each image."""
    return outputs_of(encoder_of(model), x)


def bce_of(model: keras.Model) -> float:
    """The model's mean binary cross-entropy on the validation slice."""
    return float(losses.bce_per_image(x_valid, outputs_of(model, x_valid)).mean())


trained, histories, chosen, seconds = {}, {}, {}, {}


def train_digits(label: str, build, optimizer: str, learning_rate: float) -> None:
    """Train a fresh model from `build` and keep it (and its history, setting, seconds) under `label`."""
    runtime.set_seed(SEED)
    start = time.perf_counter()
    model = build()
    histories[label] = fit_quiet(model, optimizer, learning_rate)
    trained[label], chosen[label] = model, f"{optimizer} {learning_rate:g}"
    seconds[label] = time.perf_counter() - start


train_digits("basic ReLU (notebook 01)", mnist_autoencoder, "rmsprop", 1e-3)
for w in L1_WEIGHTS:
    train_digits(f"L1 {w:g}", lambda w=w: build_sparse("l1", w), "rmsprop", 1e-3)

# %%
kl_label = f"KL rho={KL_RHO}, beta={KL_BETA:g}"
candidates, runs = [], {}
for setting in SIGMOID_OPTIMIZERS:  # the basic sigmoid's setting, chosen on the validation slice
    train_digits("basic sigmoid", lambda: mnist_autoencoder(encoder_activation="sigmoid"), *setting)
    runs[setting] = (trained["basic sigmoid"], histories["basic sigmoid"], seconds["basic sigmoid"])
    bce, code = bce_of(trained["basic sigmoid"]), code_of(trained["basic sigmoid"], x_valid)
    candidates.append({"optimizer": chosen["basic sigmoid"], "validation BCE": bce,
                       "learned": "yes" if mean_image_bce - bce > LEARN_MARGIN else "FAILED",
                       "share of code values > 0.99": float((code > 0.99).mean())})
sigmoid_setting = SIGMOID_OPTIMIZERS[int(np.argmin([c["validation BCE"] for c in candidates]))]
trained["basic sigmoid"], histories["basic sigmoid"], seconds["basic sigmoid"] = runs.pop(sigmoid_setting)
chosen["basic sigmoid"] = candidates[SIGMOID_OPTIMIZERS.index(sigmoid_setting)]["optimizer"]
train_digits(kl_label, lambda: build_sparse("kl", KL_BETA, rho=KL_RHO), *sigmoid_setting)
print(f"basic sigmoid: {chosen['basic sigmoid']} chosen (lowest validation BCE); {kl_label} trains with it")
pd.DataFrame(candidates).round(4)

# %% [markdown]
# The basic sigmoid model with each candidate setting. A sigmoid unit outputs nearly 1 when its
# input is large; there its slope, σ(z)(1 − σ(z)), is below 0.01, so training barely moves it.
# The last column says how much of the code sits there, on the validation slice; the verdicts
# below print the same share for the KL model.

# %%
codes = {label: code_of(model, x_valid) for label, model in trained.items()}  # validation codes
val_bce = {label: bce_of(model) for label, model in trained.items()}
learned = {label: mean_image_bce - bce > LEARN_MARGIN for label, bce in val_bce.items()}
for label, bce in val_bce.items():
    print(f"{label}: validation BCE {bce:.4f}, "
          + (f"beats the yardstick by more than {LEARN_MARGIN:g}" if learned[label]
             else f"FAILED: not better than the average digit by more than {LEARN_MARGIN:g}"))
for label, h in histories.items():  # checks that hold on any hardware and seed
    assert np.all(np.isfinite(h["loss"])), f"{label}: the loss is not finite"
    assert h["loss"][-1] < h["loss"][0], f"{label}: the training loss did not go down"
mnist_table = pd.DataFrame([{"model": label, "optimizer": chosen[label], "validation BCE": val_bce[label],
                             "learned": "yes" if learned[label] else "FAILED", **losses.code_stats(codes[label]),
                             "seconds": seconds[label]} for label in trained])
mnist_table.round(4)

# %% [markdown]
# `mean_activation` is the average code value; `share_near_zero` the share of code values
# below 0.01; `active_units` how many of the 32 units are at least 0.01 for one image, on
# average; `share_alive` the share of units that reach 0.01 on at least 1% of the images (a
# unit that does on fewer counts as *dead*: it carries almost nothing). All on the validation
# slice. Each sparse model against its baseline (same optimizer and learning rate):

# %%
headline_l1 = f"L1 {max(L1_WEIGHTS):g}"
stats = mnist_table.set_index("model")
pairs = [("basic ReLU (notebook 01)", f"L1 {w:g}") for w in L1_WEIGHTS] + [("basic sigmoid", kl_label)]
for basic, sparse in pairs:
    if not (learned[basic] and learned[sparse]):
        failed = " and ".join(m for m in (basic, sparse) if not learned[m])
        print(f"{sparse} vs {basic}: not compared, {failed} did not learn")
        continue
    ratio = stats.loc[basic, "mean_activation"] / stats.loc[sparse, "mean_activation"]
    cost = val_bce[sparse] - val_bce[basic]
    print(f"{sparse} vs '{basic}' ({chosen[sparse]} for both): mean activation "
          f"{stats.loc[sparse, 'mean_activation']:.3f} vs {stats.loc[basic, 'mean_activation']:.3f} "
          f"({ratio:.1f} times lower: {'sparser' if ratio > 1 else 'not sparser'}); active units "
          f"{stats.loc[sparse, 'active_units']:.1f} vs {stats.loc[basic, 'active_units']:.1f}; validation BCE "
          f"{val_bce[sparse]:.4f} vs {val_bce[basic]:.4f} ({'worse' if cost > 0 else 'better'} by {abs(cost):.4f}); "
          f"{stats.loc[sparse, 'share_alive']:.0%} of its units alive")
saturated = {label: float((codes[label] > 0.99).mean()) for label in ("basic sigmoid", kl_label)}
print(f"share of code values above 0.99: {saturated['basic sigmoid']:.0%} for the basic sigmoid ("
      + ("most of them: saturated" if saturated["basic sigmoid"] > 0.5 else "not most") + f"), "
      f"{saturated[kl_label]:.0%} for {kl_label}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
for ax, (a, b) in zip(axes, [("basic ReLU (notebook 01)", headline_l1), ("basic sigmoid", kl_label)]):
    top = max(codes[a].max(), codes[b].max())
    bins = np.linspace(0, top, 40)
    ax.hist(codes[a].ravel(), bins=bins, alpha=0.6, label=f"{a}{'' if learned[a] else ' (did not learn)'}")
    ax.hist(codes[b].ravel(), bins=bins, alpha=0.6, label=f"{b}{'' if learned[b] else ' (did not learn)'}")
    ax.set_yscale("log")
    ax.set_xlabel("code activation (validation slice)")
    ax.legend(fontsize=8, ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))  # above the bars
axes[0].set_ylabel("count (log scale)")
fig.suptitle("activation histograms: each code against its baseline", y=1.08)
plt.show()

# %% [markdown]
# ### Which units fire for which digit?
# The mean code per digit on the validation slice, for the basic ReLU and the L1-sparse model
# with the largest weight, `headline_l1` (one row per digit, one column per code unit).

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
shown = [d for d in range(10) if np.any(y_valid == d)]
maps = {label: np.stack([codes[label][y_valid == d].mean(axis=0) for d in shown])
        for label in ["basic ReLU (notebook 01)", headline_l1]}
top = max(float(m.max()) for m in maps.values())  # one colour scale for both, so they compare
for ax, (label, per_digit) in zip(axes, maps.items()):
    im = ax.imshow(per_digit, aspect="auto", cmap="magma", vmin=0, vmax=top)
    ax.set(title=label, xlabel="code unit", ylabel="digit", yticks=range(len(shown)), yticklabels=shown)
    fig.colorbar(im, ax=ax, label="mean activation")
plt.show()

# %%
plots.image_grid([x_valid, *(outputs_of(model, x_valid) for model in trained.values())],
                 labels=["original", *(f"{label} ({val_bce[label]:.3f})" for label in trained)], n=8)
plt.show()

# %%
# The test images, scored once now that nothing is left to choose.
mnist_table.insert(3, "test BCE", [float(losses.bce_per_image(x_test, outputs_of(trained[label], x_test)).mean())
                                   for label in mnist_table["model"]])
mnist_table[["model", "optimizer", "validation BCE", "test BCE", "learned"]].round(4)

# %% [markdown]
# ## 3. A sparse code for ratings
# The same L1 penalty on I-AutoRec's 500-unit sigmoid code (`autorec.train_autorec` builds notebook
# 03's `autorec_network` with this lesson's `SparsityPenalty` as its `code_layer`), without input
# dropout so that the penalty is the only regulariser added to plain I-AutoRec;
# same λ, optimizer and epochs. The weights in `RATING_L1` are set beforehand. The models train
# on 95 % of `u1.base` and are compared on the other 5 % (the validation slice); `u1.test` is
# scored once per model and reported, not chosen by.

# %%
split = evaluation.load_split("u1", seed=SEED, max_item_id=SMOKE_ITEMS)  # u1.base, u1.test, a validation slice
train, test, fit_ratings, valid_ratings, fit_index = split.train, split.test, split.fit, split.valid, split.fit_index
valid_fallback = split.valid_fallback  # the bias baseline fitted on the fitting part
test_fallback = evaluation.BiasBaseline().fit(fit_ratings).predict(test)  # the same baseline, for the test pairs
base = autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)
rating_variants = [("I-AutoRec (no sparsity)", base)]
rating_variants += [(f"I-AutoRec, code L1 {w:g}", base.with_(code_l1=w)) for w in RATING_L1]
valid_rows, test_rows = [], []
for label, config in rating_variants:
    print(f"{label} = {config.describe()}; trained on the fitting part (95% of u1.base)")
    model = autorec.train_autorec(fit_ratings, fit_index, config, seed=SEED)
    valid_rows.append(autorec.variant_scores(label, model, fit_ratings, valid_ratings, valid_fallback))
    test_rows.append(autorec.variant_scores(label, model, train, test, test_fallback))
rating_valid = pd.DataFrame(valid_rows)
rating_valid.round(4)

# %%
bias_rmse = evaluation.score(valid_ratings, valid_fallback).rmse
print(f"bias yardstick on the validation slice: RMSE {bias_rmse:.4f}")
rows = rating_valid.set_index("variant")
rating_learned = {v: bias_rmse - r > LEARN_MARGIN for v, r in rows["rmse"].items()}
for variant, rmse in rows["rmse"].items():
    print(f"{variant}: validation RMSE {rmse:.4f}, "
          + (f"beats the bias yardstick by more than {LEARN_MARGIN:g}" if rating_learned[variant]
             else f"FAILED: not better than the bias yardstick by more than {LEARN_MARGIN:g}"))
plain_label = "I-AutoRec (no sparsity)"
plain_row = rows.loc[plain_label]
for label, row in rows.drop(index=plain_label).iterrows():
    if not (rating_learned[label] and rating_learned[plain_label]):
        print(f"{label}: not compared with plain I-AutoRec, one of them did not learn")
        continue
    d_rmse, d_ndcg = row["rmse"] - plain_row["rmse"], row["ndcg@10"] - plain_row["ndcg@10"]
    print(f"{label}: code mean activation {plain_row['code mean activation']:.3f} -> {row['code mean activation']:.3f}; "
          f"RMSE {plain_row['rmse']:.4f} -> {row['rmse']:.4f} ({'worse' if d_rmse > 0 else 'better'} by {abs(d_rmse):.4f}); "
          f"NDCG@10 {plain_row['ndcg@10']:.4f} -> {row['ndcg@10']:.4f} ({'better' if d_ndcg > 0 else 'worse'}); "
          f"the activation {'more than halves' if row['code mean activation'] < plain_row['code mean activation'] / 2 else 'does not halve'}")
assert np.all(np.isfinite(rating_valid["rmse"])), "a rating model gave a non-finite RMSE"

# %% [markdown]
# RMSE and NDCG@10 need not agree: RMSE scores every held-out rating, NDCG only the order of
# each user's top 10, so a code that predicts ratings less well can still rank better (compare
# the lines above). The same models on `u1.test`, once, for the record; they were trained on the
# fitting part (95 % of `u1.base`) and not refitted on all of it, so they score a little
# worse on test than a refitted model would.

# %%
METRICS = ["rmse", "mae", "n_fallback", "recall@10", "ndcg@10"]
rating_table = pd.DataFrame(test_rows).rename(columns={m: f"test {m}" for m in METRICS})
rating_table.insert(1, "validation rmse", rating_valid["rmse"].to_numpy())
rating_table.insert(2, "learned", ["yes" if rating_learned[v] else "FAILED" for v in rating_table["variant"]])
rating_table.round(4)

# %% [markdown]
# ## Results

# %%
MNIST_COLUMNS = ["model", "optimizer", "validation BCE", "test BCE", "learned", "mean_activation",
                 "active_units", "seconds"]
RATING_COLUMNS = ["variant", "validation rmse", "learned", "test rmse", "test ndcg@10", "code mean activation",
                  "seconds"]
mnist_key, rating_key = f"MNIST ({len(x_fit)} training images), {EPOCHS} epochs", "ML-100K u1"
results = stack_results("06_sparse_autoencoder", MODE, {  # saved as one table, shown as two
    mnist_key: mnist_table[MNIST_COLUMNS].rename(columns={"model": "variant"}),
    rating_key: rating_table[RATING_COLUMNS]})
for key, columns in ((mnist_key, MNIST_COLUMNS), (rating_key, RATING_COLUMNS)):
    print(key)
    display(results.loc[results["data"] == key, ["variant", *columns[1:]]].round(4))

# %% [markdown]
# **Reading the results.** The sentences below are printed from this run's validation numbers,
# so they say what your run measured (a model that did not learn is not compared):

# %%
relu, sig = "basic ReLU (notebook 01)", "basic sigmoid"
if learned[relu] and learned[sig]:
    print(f"- The sigmoid code rebuilds digits {'worse' if val_bce[sig] > val_bce[relu] else 'better'} than the "
          f"ReLU code at {EPOCHS} epochs (BCE {val_bce[sig]:.4f} vs {val_bce[relu]:.4f}).")
for basic, sparse in pairs:
    if learned[basic] and learned[sparse]:
        verdict = "sparser" if stats.loc[sparse, "mean_activation"] < stats.loc[basic, "mean_activation"] else "not sparser"
        cost = val_bce[sparse] - val_bce[basic]
        print(f"- {sparse} is {verdict} than {basic} and rebuilds digits {'worse' if cost > 0 else 'better'} "
              f"(BCE {cost:+.4f}; both {chosen[sparse]}).")
for label in trained:
    if not learned[label]:
        print(f"- {label} did not learn (not better than the average digit by more than "
              f"{LEARN_MARGIN:g}): it is not compared.")
learned_ratings = rating_valid[rating_valid["variant"].map(rating_learned)]
if len(learned_ratings):
    best_rmse = learned_ratings.loc[learned_ratings["rmse"].idxmin(), "variant"]
    best_ndcg = learned_ratings.loc[learned_ratings["ndcg@10"].idxmax(), "variant"]
    print(f"- On ratings, of the models that learned, the lowest validation RMSE comes from '{best_rmse}', "
          f"the highest NDCG@10 from '{best_ndcg}'.")
else:
    print(f"- On ratings, no model beat the bias yardstick by more than {LEARN_MARGIN:g}: "
          "none is compared.")

# %% [markdown]
# ## Exercises
# Each exercise has an answer cell. In the students' edition a `grader.check(...)` cell under it
# runs the public checks, which only say whether the answer has the right form (answered, a
# number, a function that returns an array of the right shape), never whether it is right; the
# instructor's grading runs hidden tests. Open questions are answered in words in the markdown
# cell under them and graded by hand.

# %%
from helpers import grading

grader = grading.grader("06_sparse_autoencoder")

# %% [markdown] question={"name": "q06_1", "points": 3}
# **Exercise 1 (write Keras code).** Another sparsity penalty: like the KL target, it asks each
# code unit's mean activation over the batch, ρ̂ⱼ, to be ρ, but it measures the gap by its
# absolute value: `weight` × Σⱼ |ρ̂ⱼ − ρ|. Write the `call` of the layer `TargetRatePenalty`
# in Keras operations (`keras.ops`), without this lesson's functions: it adds the penalty to the
# model's loss with `self.add_loss` and returns the codes unchanged. Its value must not change
# when the batch holds the same codes twice. The grading compares it with a NumPy computation
# on new random codes, doubles a batch, and trains a small model with the layer.

# %% tags=["solution"]
class TargetRatePenalty(keras.layers.Layer):
    """Passes the code through and adds weight * sum over units of |batch mean activation - rho|."""

    def __init__(self, rho: float, weight: float, **kwargs):
        super().__init__(**kwargs)
        self.rho, self.weight = rho, weight

    def call(self, codes):
        # BEGIN SOLUTION
        rate = keras.ops.mean(codes, axis=0)  # each unit's mean activation over the batch
        self.add_loss(self.weight * keras.ops.sum(keras.ops.abs(rate - self.rho)))
        return codes
        # END SOLUTION


# %% tags=["test"]
def test_q06_1_form(TargetRatePenalty):  # noqa: N803 (the answer's own name)
    import numpy as np
    codes = np.full((4, 3), 0.5, dtype="float32")
    assert TargetRatePenalty(0.1, 1.0).call(codes) is not None, "not answered yet: write the body of call"
    layer = TargetRatePenalty(0.1, 1.0)
    assert tuple(layer(codes).shape) == codes.shape, "call returns the codes, shape (examples, units)"
    assert len(layer.losses) == 1, "call adds one penalty with self.add_loss"
    assert np.ndim(layer.losses[0]) == 0, "the penalty is one number"
test_q06_1_form(TargetRatePenalty)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q06_1_behaviour(TargetRatePenalty):  # noqa: N803 (the answer's own name)
    import keras
    import numpy as np
    from helpers import grading

    used = grading.kit_names_used(TargetRatePenalty)  # the lesson's own kl_penalty and SparsityPenalty too
    assert not used, f"write the Keras code yourself: it calls the kit's {', '.join(used)}"
    def value(codes, rho, weight):
        layer = TargetRatePenalty(rho, weight)
        out = keras.ops.convert_to_numpy(layer(codes))
        assert np.allclose(out, codes), "the layer returns the codes unchanged"
        assert len(layer.losses) == 1, "the layer adds one penalty with self.add_loss"
        return float(layer.losses[0])

    rng = np.random.default_rng()
    for _ in range(4):
        shape = (int(rng.integers(3, 200)), int(rng.integers(2, 40)))
        codes = (rng.random(shape) ** rng.uniform(1.0, 4.0, size=shape[1])).astype("float32")
        rho, weight = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.01, 3.0))
        expected = weight * np.abs(codes.mean(axis=0, dtype=float) - rho).sum()
        assert np.isclose(value(codes, rho, weight), expected, rtol=1e-4, atol=1e-6), \
            "not the penalty's value"
        twice = np.concatenate([codes, codes])
        assert np.isclose(value(twice, rho, weight), expected, rtol=1e-4, atol=1e-6), \
            "the value changes when the batch holds the same codes twice"
    x = rng.random((256, 12)).astype("float32")  # a small autoencoder with the layer on its code
    inputs = keras.Input((12,))
    code = keras.layers.Dense(6, activation="sigmoid")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(12)(TargetRatePenalty(0.1, 1.0)(code)))
    encoder = keras.Model(inputs, code)

    def gap():
        return float(np.abs(keras.ops.convert_to_numpy(encoder(x)).mean(axis=0) - 0.1).sum())

    before = gap()
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, x, batch_size=64, epochs=25, verbose=0).history
    assert np.all(np.isfinite(history["loss"])), "training with the layer gave a non-finite loss"
    assert gap() < 0.5 * before, "training does not pull the units' mean activation towards rho"
test_q06_1_behaviour(TargetRatePenalty)  # IGNORE

# %% [markdown] question={"name": "q06_2", "points": 2}
# **Exercise 2.** In this run's L1-sparse model (`headline_l1`), how many of the 32 code units
# stay below 0.01 on *every* validation image of the digit 1? Compute it from `codes` and
# `y_valid` (a whole number).

# %% tags=["solution"]
answer_2 = int((codes[headline_l1][y_valid == 1].max(axis=0) < 0.01).sum())  # SOLUTION

# %% tags=["test"]
def test_q06_2_form(answer_2):
    import numbers
    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_2, numbers.Integral), "the answer is a whole number"
    assert 0 <= answer_2 <= 32, "the code has 32 units"
test_q06_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q06_2_value(answer_2, codes, y_valid, headline_l1):
    import numpy as np
    ones = np.asarray(codes[headline_l1])[np.asarray(y_valid) == 1]
    assert answer_2 == int(np.sum(np.all(ones < 0.01, axis=0))), "not this run's count"
test_q06_2_value(answer_2, codes, y_valid, headline_l1)  # IGNORE

# %% [markdown] question={"name": "q06_3", "points": 3}
# **Exercise 3 (write code).** Training needs the KL penalty's gradient. Write
# `kl_gradient(codes, rho, beta)` in NumPy: for a batch of sigmoid codes (shape (examples,
# units), values strictly between 0 and 1), the derivative of β Σⱼ KL(ρ ‖ ρ̂ⱼ) with respect to
# each code value, as an array of the same shape as `codes`. (ρ̂ⱼ is unit j's mean activation
# over the batch.) The grading compares it with a numerical derivative on new random codes.

# %% tags=["solution"]
def kl_gradient(codes: np.ndarray, rho: float, beta: float) -> np.ndarray:
    """d/d codes[i, j] of beta * sum over units of KL(rho || mean activation of the unit over the batch)."""
    # BEGIN SOLUTION
    codes = np.asarray(codes, dtype=float)
    rho_hat = codes.mean(axis=0)
    per_unit = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))  # d/d rho_hat_j
    return np.broadcast_to(per_unit / len(codes), codes.shape).copy()  # d rho_hat_j / d codes[i, j] = 1 / n
    # END SOLUTION


# %% tags=["test"]
def test_q06_3_form(kl_gradient):
    import numpy as np
    codes = np.array([[0.2, 0.5, 0.9], [0.4, 0.5, 0.7]])
    assert kl_gradient(codes, 0.05, 1.0) is not None, "not answered yet: write the function's body"
    assert np.shape(kl_gradient(codes, 0.05, 1.0)) == codes.shape, "one derivative per code value: the shape of codes"
test_q06_3_form(kl_gradient)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q06_3_value(kl_gradient):
    import numpy as np

    def penalty(c, rho, beta):
        rho_hat = c.mean(axis=0)
        return beta * np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))

    rng = np.random.default_rng()
    for _ in range(5):
        shape = (int(rng.integers(4, 65)), int(rng.integers(2, 41)))
        codes = rng.uniform(0.01, 0.99, size=shape) ** rng.uniform(1.0, 4.0, size=shape[1])  # units of various means
        rho, beta = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.01, 3.0))
        got = np.asarray(kl_gradient(codes.copy(), rho, beta), dtype=float)
        assert got.shape == codes.shape, "one derivative per code value"
        for i, j in zip(rng.integers(0, shape[0], 6), rng.integers(0, shape[1], 6)):
            step = np.zeros(shape)
            step[i, j] = 1e-6
            numeric = (penalty(codes + step, rho, beta) - penalty(codes - step, rho, beta)) / 2e-6
            assert np.isclose(got[i, j], numeric, rtol=1e-4, atol=1e-6), f"entry ({i}, {j}) is not the derivative"
test_q06_3_value(kl_gradient)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q06_4", "points": 2}
# **Exercise 4 (open).** Give the L1-sparse model a wider code with the same L1 weight,
# `build_sparse("l1", max(L1_WEIGHTS), code_dim=128)`: train it in the code cell as section 2
# trains its ReLU models (`train_digits`, then `bce_of` and `losses.code_stats`). Does it rebuild
# validation digits better than the 32-unit basic model while staying sparse? Write what you
# measured in the text cell. (A sparsity penalty also allows codes as wide as the input or
# wider, *overcomplete*: there it is what keeps the code from simply copying its input.)

# %% tags=["solution"]
# BEGIN SOLUTION
wide = "L1, 128 units"
train_digits(wide, lambda: build_sparse("l1", max(L1_WEIGHTS), code_dim=128), "rmsprop", 1e-3)
wide_bce, wide_stats = bce_of(trained[wide]), losses.code_stats(code_of(trained[wide], x_valid))
print(f"{wide}: validation BCE {wide_bce:.4f} (yardstick {mean_image_bce:.4f}, basic ReLU "
      f"{val_bce['basic ReLU (notebook 01)']:.4f}); {wide_stats['active_units']:.1f} of 128 units "
      f"active per image, mean activation {wide_stats['mean_activation']:.3f}")
# END SOLUTION

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the student trains the 128-unit model as in the cell above,
# checks that it beats the average-image yardstick, and compares its validation BCE with the
# basic ReLU row and its `code_stats` (mean activation, active units, share alive) with the
# 32-unit models. Any conclusion that matches the student's own numbers, on the validation
# slice, is right.

# %% [markdown]
# ## What's next
# Back to notebook **03** for the full rating model, **07** to check your Colab GPU runtime, or
# **08** for the kernel layers and blends that go beyond AutoRec.
