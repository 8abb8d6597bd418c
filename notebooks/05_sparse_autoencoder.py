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
# # 05 · Sparse autoencoders: a code in which few units fire
#
# Instead of making the code *small*, a **sparse autoencoder** makes it *quiet*: a penalty
# in the loss pushes most code units to (near) zero for any one input, so each input is
# described by the few units that do fire. Sparse codes tend to be easier to read (units that
# stand for parts of a digit) and can regularise. Two classic penalties: **L1** on the code
# activations (the Keras blog's version) and a **KL-divergence** target on each unit's average
# activation (Ng's lecture notes on sparse autoencoders).
#
# **After this notebook you can**
# - add an L1 or a KL sparsity penalty to a Keras autoencoder's code (an activity regulariser);
# - measure sparsity: mean activation, share of near-zero activations, active units per input,
#   and the activation histogram;
# - see which units fire for which digit, and what sparsity costs in reconstruction;
# - apply the same penalty to a rating autoencoder's code and measure its effect on RMSE.

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

# %% tags=["parameters"]
from helpers.runtime import smoke_or

EPOCHS = smoke_or(20, 1)
L1_WEIGHTS = smoke_or([1e-4, 1e-3], [1e-3])  # L1 penalty weights on the ReLU code
KL_BETA = 1.0  # weight of the KL penalty (sigmoid code)
KL_RHO = 0.05  # target average activation of each code unit
N_TRAIN = smoke_or(None, 2000)
RATING_EPOCHS = smoke_or(None, 2)
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

from helpers import autorec, data, experiments, models, plots, runtime
from helpers.report import save_results

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
# In Keras both are an `activity_regularizer` on the encoder layer (Keras averages such a
# penalty over the batch). The baselines have the same shape without the penalty: ReLU for L1,
# sigmoid for KL.

# %%
(x_train, y_train), (x_test, y_test) = data.load_mnist()
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
mnist_table = pd.DataFrame([{"model": k, "val BCE": r["val_bce"], **experiments.code_stats(codes[k]),
                             "seconds": r["seconds"]} for k, r in runs.items()])
mnist_table.round(4)

# %% [markdown]
# `mean_activation` is the average code value; `share_near_zero` the share of code values
# below 0.01; `active_units` how many of the 32 units are at least 0.01 for a typical digit.

# %%
headline_l1 = f"L1 {max(L1_WEIGHTS):g}"
kl_label = f"KL rho={KL_RHO}, beta={KL_BETA:g}"
stats = mnist_table.set_index("model")
ratio_l1 = stats.loc["basic ReLU (notebook 01)", "mean_activation"] / stats.loc[headline_l1, "mean_activation"]
ratio_kl = stats.loc["basic sigmoid", "mean_activation"] / stats.loc[kl_label, "mean_activation"]
print(f"mean activation {ratio_l1:.1f}x lower with {headline_l1}; {ratio_kl:.1f}x lower with the KL target")
if not runtime.is_smoke():
    assert ratio_l1 >= 2, "the L1-sparse code should be markedly sparser than the basic code"
    assert ratio_kl >= 2, "the KL-sparse code should be markedly sparser than the sigmoid code"

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
plain_row = rating_table.iloc[0]
sparsest = rating_table.iloc[-1]
print(f"code mean activation {plain_row['code mean activation']:.3f} -> {sparsest['code mean activation']:.3f}; "
      f"RMSE {plain_row['rmse']:.4f} -> {sparsest['rmse']:.4f}")
if not runtime.is_smoke():
    assert sparsest["code mean activation"] < plain_row["code mean activation"], "the penalty should quiet the code"

# %% [markdown]
# ## Results

# %%
results = pd.concat([
    mnist_table.rename(columns={"model": "variant"}).assign(data=f"MNIST ({len(x_train)} train), {EPOCHS} epochs"),
    rating_table.assign(data="ML-100K u1"),
], ignore_index=True)
save_results("05_sparse_autoencoder", results)
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** Both penalties do what they promise: the codes become
# markedly sparser (see the ratios above and the histograms), and with the stronger L1 weight
# each digit is carried by a handful of units. Sparsity is not free on digits: with the same 32
# units and the same epochs the sparse models rebuild digits less well, because the penalty
# competes with the reconstruction loss; a sparse autoencoder is chosen for its readable codes,
# not for the lowest loss. Sigmoid codes (with or without the KL target) also train more slowly
# than ReLU codes at this budget. On ratings the picture is more interesting: a light L1 penalty
# on the code barely moves RMSE, and a heavy one (0.01) makes RMSE clearly worse while it
# *improves* Recall and NDCG@10. A quieter code keeps mostly the strong, shared patterns of
# taste, which is good for deciding what to put first and bad for getting each star right: as
# in notebook 03, rating accuracy and ranking quality are different targets.

# %% [markdown]
# ## Exercises
# **Exercise 1.** For the KL penalty with ρ = 0.05, what is KL(ρ ‖ ρ̂) when a unit's mean
# activation is ρ̂ = 0.5? (Natural logarithm.)

# %%
answer_1 = None

# %%
from helpers.exercises import check

rho, rho_hat = 0.05, 0.5
check("Exercise 1", answer_1, rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)),
      "plug both values into the formula of section 1.", tol=1e-3)

# %% [markdown]
# **Exercise 2.** In the L1-sparse model (`headline_l1`), how many code units are active (≥ 0.01)
# for a typical digit? Round `mnist_table`'s `active_units` to the nearest whole number.

# %%
answer_2 = None

# %%
check("Exercise 2", answer_2, round(float(stats.loc[headline_l1, "active_units"])), "read the active_units column.")

# %% [markdown]
# **Exercise 3 (open).** Give the sparse model a wider code (128 units) with the same L1 weight.
# Does it reconstruct better than the 32-unit basic model while staying sparse? This
# *overcomplete but sparse* code is what sparse autoencoders were designed for.
#
# ## What's next
# Back to notebook **02** for the full rating model, or **06** to check your Colab GPU runtime.
