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
# # 06 · Sparse autoencoders: a code in which few units fire
#
# Instead of making the code *small*, a **sparse autoencoder** makes it *quiet*: a penalty
# in the loss pushes most code units to (near) zero for any one input, so each input is
# described by the few units that do fire. Sparse codes tend to be easier to read (units that
# stand for parts of a digit) and can regularise. Two classic penalties: **L1** on the code
# activations (the Keras blog's version) and a **KL-divergence** target on each unit's average
# activation (Ng's lecture notes on sparse autoencoders).
#
# **After this notebook you can**
# - add an L1 or a KL sparsity penalty to a Keras autoencoder's code, with a value that does not
#   depend on the Keras version;
# - measure sparsity: mean activation, share of near-zero activations, active units per input,
#   and the activation histogram;
# - see which units fire for which digit, and what sparsity costs in reconstruction;
# - apply the same penalty to a rating autoencoder's code and measure its effect on RMSE.
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

EPOCHS = smoke_or(20, 2)
L1_WEIGHTS = smoke_or([1e-4, 1e-3], [1e-3])  # L1 penalty weights on the ReLU code
KL_BETA = 0.01  # weight of the KL penalty (sigmoid code)
KL_RHO = 0.05  # target average activation of each code unit
N_TRAIN = by_mode(None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(None, 2)  # None = 30, as in notebook 03 (lecture too, as in notebooks 04 and 05)
RATING_L1 = smoke_or([1e-4, 1e-3, 1e-2], [1e-3])
SMOKE_ITEMS = smoke_or(None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), L1_WEIGHTS=(L1_WEIGHTS, list), KL_BETA=(KL_BETA, float), KL_RHO=(KL_RHO, float),
             N_TRAIN=(N_TRAIN, (int, type(None))), RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))),
             RATING_L1=(RATING_L1, list), SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, experiments, losses, models, plots, runtime
from helpers.report import stack_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. Two penalties
# **L1 on the code.** Add $\lambda_1 \sum_j |h_j|$ to the loss for each example. With ReLU
# units, the cheapest way to lower it is to switch units off entirely.
#
# **KL target.** For sigmoid units, let $\hat\rho_j$ be unit $j$'s mean activation over a
# batch. Add $\beta \sum_j \mathrm{KL}(\rho \,\|\, \hat\rho_j)$, with
# $\mathrm{KL}(\rho\|\hat\rho) = \rho\log\frac{\rho}{\hat\rho} + (1-\rho)\log\frac{1-\rho}{1-\hat\rho}$,
# which is zero when every unit is active a share $\rho$ (here 5%) of the time on average.
#
# Both are averaged over the examples of a batch (the KL term is already a batch statistic),
# so the penalty's strength does not depend on the batch size.
#
# **Why not `activity_regularizer`?** The Keras blog writes the L1 version as
# `Dense(32, activity_regularizer=keras.regularizers.l1(1e-4))`. That call still runs, but its
# meaning changed: up to Keras 3.13 Keras *summed* the penalty over the batch, from 3.14 it
# divides by the batch size. With 128 images a batch, the same line is 128 times stronger on
# Keras 3.13 (Colab's runtime in 2026) than on 3.15: the code dies (every unit stays at zero)
# and the model rebuilds the same blurry average digit for every input. The kit therefore adds
# the penalty itself, with a layer that passes the code through and adds exactly
# `losses.l1_code_penalty` (or `losses.kl_sparsity_penalty`) to the loss, on every Keras version.
# Here is the L1-sparse model built in view; `models.sparse_autoencoder` builds the same.

# %%
print("Keras", keras.__version__)
inputs = keras.Input(shape=(784,), name="image")
code = keras.layers.Dense(32, activation="relu", name="encoder")(inputs)
code = losses.SparsityPenalty("l1", 1e-3, name="sparsity")(code)  # adds 1e-3 * mean over the batch of sum_j |h_j|
outputs = keras.layers.Dense(784, activation="sigmoid", name="decoder")(code)
in_view = keras.Model(inputs, outputs, name="l1_sparse_autoencoder")
in_view.summary()

# %% [markdown]
# The penalty on a small batch, by hand and as the layer adds it:

# %%
demo_codes = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]], dtype="float32")
by_hand = 1e-3 * np.abs(demo_codes).sum(axis=1).mean()
layer = losses.SparsityPenalty("l1", 1e-3)
layer(demo_codes)
print(f"by hand {by_hand:.6f}, added by the layer {float(layer.losses[0]):.6f}")
assert abs(float(layer.losses[0]) - by_hand) < 1e-7

# %% [markdown]
# The baselines have the same shape without the penalty: ReLU for L1, sigmoid for KL.

# %%
(x_train, y_train), (x_test, y_test) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, y_train, x_test, y_test = x_train[:N_TRAIN], y_train[:N_TRAIN], x_test[: N_TRAIN // 4], y_test[: N_TRAIN // 4]

builders = {"basic ReLU (notebook 01)": lambda: models.mnist_autoencoder()}
builders.update({f"L1 {w:g}": (lambda w=w: models.sparse_autoencoder("l1", w)) for w in L1_WEIGHTS})
builders["basic sigmoid"] = lambda: models.mnist_autoencoder(encoder_activation="sigmoid")
builders[f"KL rho={KL_RHO}, beta={KL_BETA:g}"] = lambda: models.sparse_autoencoder("kl", KL_BETA, rho=KL_RHO)

runs, codes = {}, {}
for label, build in builders.items():
    runtime.set_seed(SEED)
    runs[label] = experiments.fit_autoencoder(build(), x_train, x_test, epochs=EPOCHS)
    model = runs[label]["model"]
    codes[label] = keras.Model(model.input, model.get_layer("encoder").output).predict(x_test, verbose=0)
mnist_table = pd.DataFrame([{"model": k, "val BCE": r["val_bce"], **losses.code_stats(codes[k]),
                             "seconds": r["seconds"]} for k, r in runs.items()])
mnist_table.round(4)

# %% [markdown]
# `mean_activation` is the average code value; `share_near_zero` the share of code values
# below 0.01; `active_units` how many of the 32 units are at least 0.01 for a typical digit;
# `share_alive` the share of units that reach 0.01 for at least 1% of the digits (a unit below
# that for every digit is *dead*: it carries nothing).
#
# The notebook checks what it claims. In full mode each sparse code must be at least 2x quieter
# than its basic code, rebuild digits at most 1.5x worse in BCE, and keep a tenth of its units
# alive. (On Keras 3.13 with an `activity_regularizer`, the L1 model scored BCE 0.44 against
# 0.15 with 0.5% of its units alive: these checks would stop the notebook there.)

# %%
headline_l1 = f"L1 {max(L1_WEIGHTS):g}"
kl_label = f"KL rho={KL_RHO}, beta={KL_BETA:g}"
stats = mnist_table.set_index("model")
ratio_l1 = stats.loc["basic ReLU (notebook 01)", "mean_activation"] / stats.loc[headline_l1, "mean_activation"]
ratio_kl = stats.loc["basic sigmoid", "mean_activation"] / stats.loc[kl_label, "mean_activation"]
BCE_MARGIN = 1.5  # a sparse model may rebuild digits at most 1.5x worse (in BCE) than its basic model
ALIVE_FLOOR = 0.1  # at least a tenth of the code units (4 of 32) must fire for some digits (no dead code)
pairs = [("basic ReLU (notebook 01)", f"L1 {w:g}") for w in L1_WEIGHTS] + [("basic sigmoid", kl_label)]
for basic, sparse in pairs:
    ratio = stats.loc[basic, "mean_activation"] / stats.loc[sparse, "mean_activation"]
    cost = stats.loc[sparse, "val BCE"] / stats.loc[basic, "val BCE"] - 1
    print(f"{sparse}: mean activation {ratio:.1f}x lower than '{basic}', validation BCE "
          f"{stats.loc[sparse, 'val BCE']:.4f} vs {stats.loc[basic, 'val BCE']:.4f} "
          f"({'a cost' if cost > 0 else 'a gain'} of {abs(cost):.0%}); "
          f"{stats.loc[sparse, 'share_alive']:.0%} of the units fire for some digits")
for label, run in runs.items():  # cheap checks that hold at any size
    assert np.all(np.isfinite(run["history"]["loss"])), f"{label}: the loss is not finite"
    assert run["history"]["loss"][-1] < run["history"]["loss"][0], f"{label}: the training loss did not go down"
    assert stats.loc[label, "share_alive"] > 0, f"{label}: every code unit is dead"
if not runtime.is_smoke():
    assert ratio_l1 >= 2, "the L1-sparse code should be markedly sparser than the basic code"
    assert ratio_kl >= 2, "the KL-sparse code should be markedly sparser than the sigmoid code"
    for basic, sparse in pairs:
        assert stats.loc[sparse, "val BCE"] <= BCE_MARGIN * stats.loc[basic, "val BCE"], f"{sparse} rebuilds digits too badly"
        assert stats.loc[sparse, "share_alive"] >= ALIVE_FLOOR, f"{sparse}: most of the code is dead"

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
for ax, (a, b) in zip(axes, [("basic ReLU (notebook 01)", headline_l1), ("basic sigmoid", kl_label)]):
    top = max(codes[a].max(), codes[b].max())
    bins = np.linspace(0, top, 40)
    ax.hist(codes[a].ravel(), bins=bins, alpha=0.6, label=a)
    ax.hist(codes[b].ravel(), bins=bins, alpha=0.6, label=b)
    ax.set_yscale("log")
    ax.set_xlabel("code activation")
    ax.legend()
axes[0].set_ylabel("count (log scale)")
fig.suptitle("activation histograms: the sparse codes pile up at zero")
plt.show()

# %% [markdown]
# ### Which units fire for which digit?
# The mean code per digit, for the basic and the L1-sparse model. In the sparse code each digit
# lights up a few units; in the basic code most units are on for every digit.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for ax, label in zip(axes, ["basic ReLU (notebook 01)", headline_l1]):
    per_digit = np.stack([codes[label][y_test == d].mean(axis=0) for d in range(10) if np.any(y_test == d)])
    im = ax.imshow(per_digit, aspect="auto", cmap="magma")
    ax.set_title(label)
    ax.set_xlabel("code unit")
    ax.set_ylabel("digit")
    fig.colorbar(im, ax=ax)
plt.show()

# %%
plots.image_grid([x_test, *(runs[k]["model"].predict(x_test, verbose=0) for k in runs)], labels=["original", *runs], n=8)
plt.show()

# %% [markdown]
# ## 2. A sparse code for ratings
# The same L1 penalty on I-AutoRec's 500-unit sigmoid code, without input dropout so that the
# penalty is the only regulariser added to plain I-AutoRec; same λ, optimizer and epochs.

# %%
train, test, index, fallback = autorec.prepare_split("u1", max_item_id=SMOKE_ITEMS)
base = autorec.VARIANTS["plain"].with_epochs(RATING_EPOCHS)
rating_rows = [autorec.evaluate_variant("I-AutoRec (no sparsity)", base, train, test, index, fallback, seed=SEED)]
rating_rows += [autorec.evaluate_variant(f"I-AutoRec, code L1 {w:g}", base.with_(code_l1=w), train, test, index,
                                         fallback, seed=SEED) for w in RATING_L1]
rating_table = pd.DataFrame(rating_rows)
rating_table.round(4)

# %%
RMSE_MARGIN = 0.05  # a sparse rating model may lose at most 0.05 RMSE against plain I-AutoRec
global_mean_rmse = evaluation.rmse(test["rating"], np.full(len(test), train["rating"].mean()))
rows = rating_table.set_index("variant")
plain_row = rows.loc["I-AutoRec (no sparsity)"]
for label, row in rows.drop(index="I-AutoRec (no sparsity)").iterrows():
    d_rmse, d_ndcg = row["rmse"] - plain_row["rmse"], row["ndcg@10"] - plain_row["ndcg@10"]
    print(f"{label}: code mean activation {plain_row['code mean activation']:.3f} -> {row['code mean activation']:.3f}; "
          f"RMSE {plain_row['rmse']:.4f} -> {row['rmse']:.4f} ({'worse' if d_rmse > 0 else 'better'} by {abs(d_rmse):.4f}); "
          f"NDCG@10 {plain_row['ndcg@10']:.4f} -> {row['ndcg@10']:.4f} ({'better' if d_ndcg > 0 else 'worse'})")
print(f"global mean baseline RMSE {global_mean_rmse:.4f}")
assert np.all(np.isfinite(rating_table["rmse"])), "a rating model gave a non-finite RMSE"
assert (rating_table["code share alive"] > 0).all(), "a rating model's code is dead"
if not runtime.is_smoke():
    sparsest = rows.loc[f"I-AutoRec, code L1 {max(RATING_L1):g}"]
    assert sparsest["code mean activation"] < plain_row["code mean activation"], "the penalty should quiet the code"
    assert (rating_table["rmse"] < global_mean_rmse).all(), "every rating model must beat the global mean"
    assert (rating_table["rmse"] <= plain_row["rmse"] + RMSE_MARGIN).all(), "a sparse rating model lost too much RMSE"

# %% [markdown]
# ## Results

# %%
results = stack_results("06_sparse_autoencoder", {f"MNIST ({len(x_train)} train), {EPOCHS} epochs": mnist_table.rename(
    columns={"model": "variant"}), "ML-100K u1": rating_table})
results.round(4)

# %% [markdown]
# **Reading the results.** The sentences below are printed from this run's table, so they say
# what your run measured. Why it comes out this way: the penalty competes with the reconstruction
# loss, so with the same 32 units and the same epochs a sparser code usually rebuilds digits
# somewhat less well; a sparse autoencoder is chosen for its readable codes, not for the lowest
# loss. On ratings, a quieter code keeps mostly the strong, shared patterns of taste, which can
# help deciding what to put first (NDCG) while it costs star-level accuracy (RMSE): as in
# notebook 04, rating accuracy and ranking quality are different targets.

# %%
relu_bce, sig_bce = stats.loc["basic ReLU (notebook 01)", "val BCE"], stats.loc["basic sigmoid", "val BCE"]
print(f"- The sigmoid code rebuilds digits {'worse' if sig_bce > relu_bce else 'better'} than the ReLU code at "
      f"{EPOCHS} epochs (BCE {sig_bce:.4f} vs {relu_bce:.4f}).")
for basic, sparse in pairs:
    verdict = "sparser" if stats.loc[sparse, "mean_activation"] < stats.loc[basic, "mean_activation"] else "not sparser"
    cost = stats.loc[sparse, "val BCE"] - stats.loc[basic, "val BCE"]
    print(f"- {sparse} is {verdict} than {basic} and rebuilds digits {'worse' if cost > 0 else 'better'} "
          f"(BCE {cost:+.4f}).")
best_rmse = rating_table.loc[rating_table["rmse"].idxmin(), "variant"]
best_ndcg = rating_table.loc[rating_table["ndcg@10"].idxmax(), "variant"]
print(f"- On ratings, the lowest RMSE comes from '{best_rmse}', the highest NDCG@10 from '{best_ndcg}'.")

# %% [markdown]
# ## Exercises
# **Exercise 1.** For the KL penalty with ρ = 0.05, what is KL(ρ ‖ ρ̂) when a unit's mean
# activation is ρ̂ = 0.5? (Natural logarithm; three decimal places.)

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("06.1", answer_1)

# %% [markdown]
# **Exercise 2.** In the L1-sparse model (`headline_l1`), how many code units are active (≥ 0.01)
# for a typical digit? Round `mnist_table`'s `active_units` to the nearest whole number.

# %%
answer_2 = None

# %%
exercises.check("06.2", answer_2, mnist_table=mnist_table, headline_l1=headline_l1)


# %% [markdown]
# **Exercise 3 (write code).** Write the KL sparsity penalty of section 1 in NumPy:
# `kl_penalty(codes, rho, beta)` gets a batch of sigmoid codes (shape (examples, units), values
# between 0 and 1) and returns β Σⱼ KL(ρ ‖ ρ̂ⱼ), where ρ̂ⱼ is unit j's mean activation over the
# batch. The check runs it on new random codes, ρ and β every time and compares it with the
# kit's `losses.kl_sparsity_penalty`, the penalty the KL model above trained with.

# %%
def kl_penalty(codes: np.ndarray, rho: float, beta: float) -> float:
    """beta * sum over units of KL(rho || the unit's mean activation over the batch)."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("06.3", kl_penalty)

# %% [markdown]
# **Exercise 4 (open).** Give the sparse model a wider code (128 units) with the same L1 weight.
# Does it reconstruct better than the 32-unit basic model while staying sparse? This
# *overcomplete but sparse* code is what sparse autoencoders were designed for.
#
# ## What's next
# Back to notebook **03** for the full rating model, or **07** to check your Colab GPU runtime.
