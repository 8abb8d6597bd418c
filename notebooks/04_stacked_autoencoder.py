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
# # 04 · Stacked autoencoders: deeper encoders and decoders
#
# The lecture's autoencoder has one hidden layer. A **stacked** (deep) autoencoder puts several
# layers on each side, 784 → 128 → 64 → 32 → 64 → 128 → 784, so the code can be a more
# complex function of the input. Deep networks were once hard to train from random weights, so
# stacked autoencoders were first trained **greedily, one layer at a time** (Bengio et al.,
# 2007; Hinton & Salakhutdinov, 2006), then fine-tuned end to end. Today, ReLU units and
# adaptive optimizers usually make plain end-to-end training work. This notebook compares the
# two on digits, and tries a deep autoencoder on ratings (Kuchaiev & Ginsburg, 2017).
#
# **After this notebook you can**
# - build a deep, symmetric autoencoder in Keras and count its parameters;
# - run greedy layer-wise pre-training and compare it with end-to-end training at equal budgets;
# - compare reconstructions and loss curves of the basic and the stacked autoencoder;
# - train a deep rating autoencoder (SELU, dropout on the code) and judge it against I-AutoRec.

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

EPOCHS = smoke_or(20, 1)  # end-to-end epochs (and fine-tuning epochs after pre-training)
PRETRAIN_EPOCHS = smoke_or(5, 1)  # epochs per layer of greedy pre-training
LAYERS = (128, 64, 32)  # encoder sizes; the decoder mirrors them
N_TRAIN = smoke_or(None, 2000)
RATING_EPOCHS = smoke_or(None, 2)  # None = 30, as in notebook 02
SMOKE_ITEMS = smoke_or(None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), PRETRAIN_EPOCHS=(PRETRAIN_EPOCHS, int), LAYERS=(LAYERS, tuple),
             N_TRAIN=(N_TRAIN, (int, type(None))), RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import matplotlib.pyplot as plt
import pandas as pd

from helpers import autorec, data, evaluation, experiments, losses, models, plots, runtime
from helpers.report import save_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. A deeper autoencoder for digits

# %%
(x_train, _), (x_test, _) = data.load_mnist()
if N_TRAIN is not None:
    x_train, x_test = x_train[:N_TRAIN], x_test[: N_TRAIN // 4]
stacked = models.stacked_autoencoder(LAYERS)
stacked.summary()
print(f"{stacked.count_params():,} parameters, against 50,992 for the lecture's 784-32-784")

# %% [markdown]
# Same code size (32) as the lecture's model, about four times the parameters. Three ways to
# train it, and the basic model as the reference, all with RMSprop and binary cross-entropy:
#
# | run | what it does | epochs over the data |
# | --- | --- | --- |
# | basic | the lecture's 784-32-784 | `EPOCHS` |
# | stacked, end to end | random start, all layers at once | `EPOCHS` |
# | stacked, pre-trained + fine-tuned | one shallow autoencoder per layer, then all layers | `3 x PRETRAIN_EPOCHS` (shallow) + `EPOCHS` |
# | stacked, end to end, longer | the same total number of epochs as the row above | `EPOCHS + 3 x PRETRAIN_EPOCHS` |

# %%
runs = {}
runtime.set_seed(SEED)
runs["basic (784-32-784)"] = experiments.fit_autoencoder(models.mnist_autoencoder(), x_train, x_test, epochs=EPOCHS)
runtime.set_seed(SEED)
runs["stacked, end to end"] = experiments.fit_autoencoder(models.stacked_autoencoder(LAYERS), x_train, x_test,
                                                          epochs=EPOCHS)
pretrained, pre_seconds = experiments.pretrain_layerwise(x_train, LAYERS, epochs=PRETRAIN_EPOCHS, seed=SEED)
before_finetune = float(losses.bce_per_image(x_test, pretrained.predict(x_test, verbose=0)).mean())
runs["stacked, pre-trained + fine-tuned"] = experiments.fit_autoencoder(pretrained, x_train, x_test, epochs=EPOCHS)
runs["stacked, pre-trained + fine-tuned"]["seconds"] += pre_seconds
runtime.set_seed(SEED)
longer = EPOCHS + len(LAYERS) * PRETRAIN_EPOCHS
runs["stacked, end to end, longer"] = experiments.fit_autoencoder(models.stacked_autoencoder(LAYERS), x_train, x_test,
                                                                  epochs=longer)
print(f"right after greedy pre-training (no fine-tuning yet): validation BCE {before_finetune:.4f}")
mnist_table = pd.DataFrame([{"model": k, "val BCE": r["val_bce"], "val MSE": r["val_mse"], "epochs": r["epochs"],
                             "seconds": r["seconds"]} for k, r in runs.items()])
mnist_table.round(4)

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for label, run in runs.items():
    ax.plot(range(1, len(run["history"]["val_bce"]) + 1), run["history"]["val_bce"], label=label)
ax.set_xlabel("epoch (of end-to-end training or fine-tuning)")
ax.set_ylabel("validation BCE")
ax.set_title("basic vs stacked autoencoders")
ax.legend()
plt.show()

# %%
plots.image_grid([x_test, *(r["model"].predict(x_test, verbose=0) for r in runs.values())],
                 labels=["original", *runs], n=8)
plt.show()

# %%
basic_bce = runs["basic (784-32-784)"]["val_bce"]
best_stacked = min(r["val_bce"] for k, r in runs.items() if k.startswith("stacked"))
print(f"basic {basic_bce:.4f}; best stacked {best_stacked:.4f}")
if not runtime.is_smoke():
    assert before_finetune < 0.693, "pre-training alone should already rebuild digits better than chance"
    assert runs["stacked, pre-trained + fine-tuned"]["val_bce"] < before_finetune, "fine-tuning should improve it"

# %% [markdown]
# ## 2. A deep autoencoder for ratings
# Kuchaiev & Ginsburg (2017) trained deep rating autoencoders for Netflix with SELU activations,
# a large dropout on the code, and dense re-feeding. Here: items as examples, as in I-AutoRec;
# hidden layers 512 → 256 (the code, with dropout 0.5) → 512, SELU, L2 on weights and biases,
# the same masked loss, optimizer schedule and epochs as notebook 02.

# %%
train, test, index, fallback = autorec.prepare_split("u1", max_item_id=SMOKE_ITEMS)


variants = [
    ("I-AutoRec (500 sigmoid)", autorec.VARIANTS["plain"]),
    ("deep 512-256-512 SELU, code dropout", autorec.VARIANTS["deep"].with_(dropout=0.0)),
    ("I-AutoRec + input dropout (notebook 02)", autorec.VARIANTS["denoising"]),
    ("deep + input dropout", autorec.VARIANTS["deep"]),
]
rating_table = pd.DataFrame([
    autorec.evaluate_variant(label, c.with_epochs(RATING_EPOCHS), train, test, index, fallback, seed=SEED)
    for label, c in variants
])
rating_table.round(4)

# %%
deep_rmse = rating_table.loc[3, "rmse"]
shallow_rmse = rating_table.loc[2, "rmse"]
print(f"deep {deep_rmse:.4f} vs one hidden layer {shallow_rmse:.4f} (both with input dropout)")
if not runtime.is_smoke():
    bias_rmse = evaluation.score(test, evaluation.BiasBaseline().fit(train).predict(test)).rmse
    assert rating_table["rmse"].max() < bias_rmse, "every autoencoder here should beat the bias baseline"

# %% [markdown]
# ## Results

# %%
results = pd.concat([
    mnist_table.rename(columns={"model": "variant"}).assign(data=f"MNIST ({len(x_train)} train), BCE"),
    rating_table.assign(data="ML-100K u1"),
], ignore_index=True)
save_results("04_stacked_autoencoder", results)
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** On digits, depth buys a better reconstruction at the
# same code size, but only with enough training: at the basic model's 20 epochs the stacked
# model trained end to end is *worse* than the basic one, because its six layers start from
# random weights and need longer to settle. Greedy pre-training gives it a good start (its loss
# before any fine-tuning is already far below chance) and after 20 epochs of fine-tuning it
# beats the basic model. Given the same total number of epochs, plain end-to-end training reaches
# the same quality: with ReLU units and RMSprop, pre-training is a head start, not a necessity.
# It mattered most when deep networks of sigmoid units could not be trained otherwise. On
# MovieLens 100K the deep rating autoencoder does **not** beat the one-layer I-AutoRec, with or
# without input dropout, and it ranks worse too. The deep recipe (SELU, heavy dropout on the
# code) was tuned for Netflix's 100 million ratings; with 80,000 ratings the extra layers add
# more ways to overfit than structure to find, and the small, strongly regularised model wins.

# %% [markdown]
# ## Exercises
# **Exercise 1.** How many parameters has a stacked autoencoder 784-256-32-256-784 (weights and
# biases)?

# %%
answer_1 = None

# %%
from helpers.exercises import check

check("Exercise 1", answer_1, models.stacked_autoencoder((256, 32)).count_params(),
      "four Dense layers: 784->256, 256->32, 32->256, 256->784; add one bias per output.")

# %% [markdown]
# **Exercise 2.** In greedy pre-training of `LAYERS = (128, 64, 32)`, what is the input size of
# the shallow autoencoder that trains the third layer?

# %%
answer_2 = None

# %%
check("Exercise 2", answer_2, LAYERS[1], "layer k is trained on the codes of layer k-1.")

# %% [markdown]
# **Exercise 3 (open).** Give the deep rating autoencoder more epochs, or a smaller code
# (e.g. 512-128-512). Does it close the gap to I-AutoRec? Check on a validation slice
# (`data.carve_validation`), not on `u1.test`.
#
# ## What's next
# Notebook **05** keeps the lecture's shape but asks for a *sparse* code.
