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
# # 05 · Stacked autoencoders: deeper encoders and decoders
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

EPOCHS = smoke_or(20, 2)  # end-to-end epochs (and fine-tuning epochs after pre-training)
PRETRAIN_EPOCHS = smoke_or(5, 1)  # epochs per layer of greedy pre-training
LAYERS = (128, 64, 32)  # encoder sizes; the decoder mirrors them
N_TRAIN = by_mode(None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(None, 2)  # None = 30, as in notebook 02 (lecture too: at 20 the RMSE ranking changes)
SMOKE_ITEMS = smoke_or(None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), PRETRAIN_EPOCHS=(PRETRAIN_EPOCHS, int), LAYERS=(LAYERS, tuple),
             N_TRAIN=(N_TRAIN, (int, type(None))), RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, experiments, losses, models, plots, runtime
from helpers.report import stack_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. A deeper autoencoder for digits

# %%
(x_train, _), (x_test, _) = datasets.load_mnist()
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
# A yardstick for "already good before fine-tuning": the BCE of the best *constant* guess, the
# mean training image, which scores far better than ln 2 = 0.693 (the score of answering 0.5
# everywhere, which even a broken model beats).
mean_image_bce = float(losses.bce_per_image(x_test, np.broadcast_to(x_train.mean(axis=0), x_test.shape)).mean())
basic_bce = runs["basic (784-32-784)"]["val_bce"]
best_stacked = min(r["val_bce"] for k, r in runs.items() if k.startswith("stacked"))
print(f"mean-image guess {mean_image_bce:.4f}; pre-trained, not fine-tuned {before_finetune:.4f}; "
      f"basic {basic_bce:.4f}; best stacked {best_stacked:.4f}")
# The 32-unit code is the encoder's last layer (enc_3 in a stacked model); a unit that is 0 for every digit is dead.
alive = {label: losses.code_stats(models.encoder_of(run["model"], "encoder" if label.startswith("basic")
                                                    else f"enc_{len(LAYERS)}").predict(x_test, verbose=0))["share_alive"]
         for label, run in runs.items()}
print("share of code units alive (active on at least 1% of the digits):",
      ", ".join(f"{label} {share:.2f}" for label, share in alive.items()))
BCE_MARGIN = 1.5  # every stacked model rebuilds digits at most 1.5x worse (in BCE) than the basic model
for label, run in runs.items():  # cheap checks that hold at any size
    assert np.all(np.isfinite(run["history"]["loss"])), f"{label}: the loss is not finite"
    assert run["history"]["loss"][-1] < run["history"]["loss"][0], f"{label}: the training loss did not go down"
    assert alive[label] > 0, f"{label}: every code unit is dead"
if not runtime.is_smoke():
    assert before_finetune < mean_image_bce, "pre-training alone should beat the mean-image guess"
    assert runs["stacked, pre-trained + fine-tuned"]["val_bce"] < before_finetune, "fine-tuning should improve it"
    assert all(r["val_bce"] <= BCE_MARGIN * basic_bce for r in runs.values()), "a stacked model rebuilds digits too badly"

# %% [markdown]
# ## 2. A deep autoencoder for ratings
# Kuchaiev & Ginsburg (2017) trained deep rating autoencoders for Netflix with SELU activations,
# a large dropout on the code, and dense re-feeding. Here: items as examples, as in I-AutoRec;
# hidden layers 512 → 256 (the code, with dropout 0.5) → 512, SELU, L2 on weights and biases,
# the same masked loss, epochs and Adam with a cosine decay as notebook 02, but a lower starting
# learning rate (the settings are printed below).

# %%
train, test, index, fallback = autorec.prepare_split("u1", max_item_id=SMOKE_ITEMS)


variants = [
    ("I-AutoRec (500 sigmoid)", autorec.VARIANTS["plain"]),
    ("deep 512-256-512 SELU, code dropout", autorec.VARIANTS["deep"].with_(dropout=0.0)),
    ("I-AutoRec + input dropout (notebook 02)", autorec.VARIANTS["denoising"]),
    ("deep + input dropout", autorec.VARIANTS["deep"]),
]
for label, c in variants:
    print(f"{label}: learning rate {c.learning_rate}, λ {c.lam}, input dropout {c.dropout}, batch {c.batch_size}")
rating_table = pd.DataFrame([
    autorec.evaluate_variant(label, c.with_epochs(RATING_EPOCHS), train, test, index, fallback, seed=SEED)
    for label, c in variants
])
rating_table.round(4)

# %%
by_name = rating_table.set_index("variant")
global_mean_rmse = evaluation.rmse(test["rating"], np.full(len(test), train["rating"].mean()))
bias_rmse = evaluation.score(test, evaluation.BiasBaseline().fit(train).predict(test)).rmse
for deep, shallow in [("deep 512-256-512 SELU, code dropout", "I-AutoRec (500 sigmoid)"),
                      ("deep + input dropout", "I-AutoRec + input dropout (notebook 02)")]:
    d, sh = by_name.loc[deep], by_name.loc[shallow]
    print(f"{deep}: RMSE {d['rmse']:.4f} vs {sh['rmse']:.4f} for {shallow} ({'better' if d['rmse'] < sh['rmse'] else 'worse'}); "
          f"NDCG@10 {d['ndcg@10']:.4f} vs {sh['ndcg@10']:.4f} ({'better' if d['ndcg@10'] > sh['ndcg@10'] else 'worse'})")
print(f"global mean {global_mean_rmse:.4f}, user + item biases {bias_rmse:.4f}")
assert np.all(np.isfinite(rating_table["rmse"])), "a rating model gave a non-finite RMSE"
if not runtime.is_smoke():
    assert (rating_table["rmse"] < global_mean_rmse).all(), "every rating model must beat the global mean"
    assert rating_table["rmse"].max() < bias_rmse, "every autoencoder here should beat the bias baseline"

# %% [markdown]
# ## Results

# %%
results = stack_results("05_stacked_autoencoder", {f"MNIST ({len(x_train)} train), BCE": mnist_table.rename(
    columns={"model": "variant"}), "ML-100K u1": rating_table})
results.round(4)

# %% [markdown]
# **What helped, what did not, and why.** The measured answers, printed from this run's tables:

# %%
bce = {k: r["val_bce"] for k, r in runs.items()}
def compare(a: str, b: str) -> str:
    """'better' or 'worse': how model a rebuilds digits compared with model b."""
    return f"{'better' if bce[a] < bce[b] else 'worse'} ({bce[a]:.4f} vs {bce[b]:.4f})"
print(f"- At the same {EPOCHS} epochs, the stacked model trained end to end rebuilds digits "
      f"{compare('stacked, end to end', 'basic (784-32-784)')} than the basic model.")
print(f"- Pre-trained and fine-tuned, it is {compare('stacked, pre-trained + fine-tuned', 'basic (784-32-784)')} "
      "than the basic model.")
print(f"- With the same total number of epochs, end-to-end training is "
      f"{compare('stacked, end to end, longer', 'stacked, pre-trained + fine-tuned')} than pre-training + fine-tuning.")
best_rating = rating_table.loc[rating_table["rmse"].idxmin(), "variant"]
print(f"- On MovieLens 100K u1 the lowest RMSE comes from '{best_rating}'.")

# %% [markdown]
# **Why.** A deeper model starts from more random weights and needs longer to settle; greedy
# pre-training gives it a head start, which mattered most when deep networks of sigmoid units
# could not be trained otherwise. With ReLU units and RMSprop, compare the last two MNIST rows to
# see whether the head start is still needed. The deep rating recipe (SELU, heavy dropout on the
# code) was tuned for Netflix's 100 million ratings; with 80,000 ratings extra layers add more
# ways to overfit than structure to find, which is why a small, strongly regularised model can
# win here (see the rating table).

# %% [markdown]
# ## Exercises
# **Exercise 1.** How many parameters has a stacked autoencoder 784-256-32-256-784 (weights and
# biases)?

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("05.1", answer_1)

# %% [markdown]
# **Exercise 2.** In greedy pre-training of `LAYERS`, what is the input size of the shallow
# autoencoder that trains the third layer?

# %%
answer_2 = None

# %%
exercises.check("05.2", answer_2, LAYERS=LAYERS)


# %% [markdown]
# **Exercise 3 (write code).** Write `stacked_layer_sizes(input_dim, layers)`: every layer size
# of the symmetric stacked autoencoder that `models.stacked_autoencoder(layers, input_dim)`
# builds, from the input to the output, as a list. Compare with `stacked.summary()` in
# section 1 for `LAYERS`; the check runs your function on new random sizes every time.

# %%
def stacked_layer_sizes(input_dim: int, layers: tuple[int, ...]) -> list[int]:
    """Sizes from the input through the encoder and the mirrored decoder to the output."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("05.3", stacked_layer_sizes)

# %% [markdown]
# **Exercise 4 (open).** Give the deep rating autoencoder more epochs, or a smaller code
# (e.g. 512-128-512). Does it close the gap to I-AutoRec? Check on a validation slice
# (`ratings.carve_validation`), not on `u1.test`.
#
# ## What's next
# Notebook **06** keeps the lecture's shape but asks for a *sparse* code.
