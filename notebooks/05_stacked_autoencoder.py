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
# - build a deep, symmetric autoencoder in Keras;
# - write one step of greedy layer-wise pre-training, and compare pre-training + fine-tuning with
#   end-to-end training at the same number of epochs;
# - read the loss curves and reconstructions of the basic and the stacked autoencoder;
# - train a deep rating autoencoder (SELU, dropout on the code) and judge it against a yardstick
#   and I-AutoRec.
#
# **What you should see** (the kit's recorded runs; your run prints its own verdicts)
# - Pre-training gives a **head start**: one epoch of fine-tuning ends below one epoch of
#   end-to-end training (*What helped*; the digits table's `validation BCE, epoch 1`).
# - The head start **fades**: with the same total number of epochs, the two stacked runs end
#   close to each other (*What helped*; `validation BCE`).
# - At the same `EPOCHS`, the stacked model trained end to end rebuilds digits worse than the
#   basic one; trained longer, better (same column).
# - On ratings, neither deep model beats I-AutoRec: without input dropout it does not even beat
#   the bias yardstick (`learned` reads FAILED in the ratings table), with it, it learns but
#   stays behind I-AutoRec + input dropout (section 2's verdicts; `validation rmse`).
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
# The knobs, set beforehand for each run mode (not chosen from any result); this notebook
# chooses no setting.

# %%
from helpers.runtime import by_mode, smoke_or

EPOCHS = smoke_or(MODE, 20, 2)  # end-to-end epochs (and fine-tuning epochs after pre-training)
PRETRAIN_EPOCHS = smoke_or(MODE, 5, 1)  # epochs per layer of greedy pre-training
LAYERS = (128, 64, 32)  # encoder sizes; the decoder mirrors them
N_TRAIN = by_mode(MODE, None, 20_000, 2000)  # None = every training image (60,000 online, 8,000 offline)
RATING_EPOCHS = smoke_or(MODE, None, 2)  # None = each variant's own (helpers.autorec.VARIANTS)
SMOKE_ITEMS = smoke_or(MODE, None, 300)
SEED = 0

# %%
from helpers.params import check_params

check_params(EPOCHS=(EPOCHS, int), PRETRAIN_EPOCHS=(PRETRAIN_EPOCHS, int), LAYERS=(LAYERS, tuple),
             N_TRAIN=(N_TRAIN, (int, type(None))), RATING_EPOCHS=(RATING_EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), SEED=(SEED, int, 0))

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, losses, plots, runtime
from helpers.lecture_model import encoder_of, mnist_autoencoder  # written in notebook 01
from helpers.report import stack_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. A deeper autoencoder for digits
# The lecture lists it among the techniques for boosting an autoencoder's performance:
# <!-- slide -->Add more layers in encoder and decoder (**Stacked autoencoder**)<!-- /slide -->.
#
# Three sets of images, kept apart as in notebook 01: the models train on `x_fit`; every curve
# and comparison below uses a **validation slice** carved from the training images (the last
# 10 %); the **test** images are scored once, under *Results*, and named test.

# %%
(x_train, _), (x_test, _) = datasets.load_mnist()
if N_TRAIN is not None:
    x_train, x_test = x_train[:N_TRAIN], x_test[: N_TRAIN // 4]
n_valid = len(x_train) // 10
x_fit, x_valid = x_train[:-n_valid], x_train[-n_valid:]
print(f"training: {x_fit.shape}, validation slice: {x_valid.shape}, test: {x_test.shape}")
assert x_fit.shape[1] == x_valid.shape[1] == x_test.shape[1] == 784

# %% [markdown]
# The stacked autoencoder in Keras: one `Dense` layer per size on the way in, the same sizes in
# reverse on the way out, ReLU inside and a sigmoid on the 784 outputs, as in the lecture's
# model. The layers are named `enc_1`…`enc_k` and `dec_1`…`dec_k` so that pre-training can fill
# them in. The cells marked `#| export` in this lesson are copied by `make sync` into
# `helpers/stacked.py`, from which the kit's benchmark builds the same models.

# %%
#| default_exp stacked
#| export
import keras
import numpy as np

from helpers import runtime


def build_stacked(layers: tuple[int, ...] = (128, 64, 32), input_dim: int = 784) -> keras.Model:
    """A deep, symmetric autoencoder: input -> layers -> the same sizes in reverse -> input."""
    inputs = keras.Input(shape=(input_dim,), name="image")
    x = inputs
    for i, size in enumerate(layers, start=1):  # the encoder: 784 -> 128 -> 64 -> 32
        x = keras.layers.Dense(size, activation="relu", name=f"enc_{i}")(x)
    decoder_sizes = [*reversed(layers[:-1]), input_dim]  # the decoder: 32 -> 64 -> 128 -> 784
    for i, size in enumerate(decoder_sizes, start=1):
        last = i == len(decoder_sizes)
        x = keras.layers.Dense(size, activation="sigmoid" if last else "relu", name=f"dec_{i}")(x)
    return keras.Model(inputs, x, name="stacked_autoencoder")


# %%
stacked = build_stacked(LAYERS)
stacked.summary()
lecture_params = mnist_autoencoder().count_params()
print(f"{stacked.count_params():,} parameters, against {lecture_params:,} for the lecture's 784-32-784 "
      f"({stacked.count_params() / lecture_params:.1f} times as many)")

# %% [markdown]
# **Greedy layer-wise pre-training.** Each layer of the encoder is first trained as the encoder
# of a *shallow* autoencoder: the first one rebuilds the pixels (sigmoid output, binary
# cross-entropy); each later one rebuilds the codes of the layer below it (ReLU output, mean
# squared error). Each shallow autoencoder's two layers are then copied into the deep model: its
# encoder becomes `enc_k`, its decoder the matching `dec_` layer.

# %%
#| export
def pretrain_greedy(x: np.ndarray, layers: tuple[int, ...], epochs: int, seed: int = 0) -> keras.Model:
    """Greedy layer-wise pre-training of build_stacked(layers); the result is not fine-tuned."""
    runtime.set_seed(seed)
    deep = build_stacked(layers, input_dim=x.shape[1])
    inputs = x  # what the shallow autoencoder of the next layer rebuilds
    for k, size in enumerate(layers, start=1):
        first = k == 1
        shallow = keras.Sequential([
            keras.Input((inputs.shape[1],)),
            keras.layers.Dense(size, activation="relu", name="enc"),
            keras.layers.Dense(inputs.shape[1], activation="sigmoid" if first else "relu", name="dec"),
        ])
        shallow.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
                        loss="binary_crossentropy" if first else "mse")
        shallow.fit(inputs, inputs, batch_size=128, epochs=epochs, shuffle=True, verbose=0)
        deep.get_layer(f"enc_{k}").set_weights(shallow.get_layer("enc").get_weights())
        deep.get_layer(f"dec_{len(layers) - k + 1}").set_weights(shallow.get_layer("dec").get_weights())
        inputs = keras.ops.convert_to_numpy(shallow.get_layer("enc")(inputs))  # this layer's codes
    return deep


# %% [markdown]
# Four models. Each is trained end to end (or fine-tuned) with the lecture's RMSprop (learning
# rate 0.001) and binary cross-entropy, batches of 128, on `x_fit`, and followed on the
# validation slice; no setting is chosen in this section:
#
# | model | what it does | epochs over the data |
# | --- | --- | --- |
# | basic | the lecture's 784-32-784 | `EPOCHS` |
# | stacked, end to end | random start, all layers at once | `EPOCHS` |
# | stacked, pre-trained + fine-tuned | pre-train layer by layer, then all | `EXTRA + EPOCHS` |
# | stacked, end to end, longer | row 2's run trained on, to the total of row 3 | `EPOCHS + EXTRA` |
#
# `EXTRA` is `len(LAYERS) x PRETRAIN_EPOCHS`, the shallow autoencoders' epochs (one run per layer).
# The last row is the second row's run, continued: its first `EPOCHS` epochs *are* the second
# row, so the figure below draws one line for both and marks where the shorter one stops.

# %%
def fit_quiet(model: keras.Model, epochs: int, initial_epoch: int = 0) -> dict[str, list[float]]:
    """Train on x_fit with the lecture's optimizer and loss, following the validation slice; no log."""
    if not model.compiled:
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
                      loss="binary_crossentropy")
    history = model.fit(x_fit, x_fit, batch_size=128, epochs=initial_epoch + epochs,
                        initial_epoch=initial_epoch, shuffle=True,
                        validation_data=(x_valid, x_valid), verbose=0)
    return history.history


def outputs_of(model: keras.Model, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """The model's outputs for x, by direct calls in batches (predict would compile a function per model)."""
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def valid_bce(model: keras.Model) -> float:
    """Mean binary cross-entropy per image on the validation slice."""
    return float(losses.bce_per_image(x_valid, outputs_of(model, x_valid)).mean())


EXTRA = len(LAYERS) * PRETRAIN_EPOCHS
histories, seconds, trained = {}, {}, {}
runtime.set_seed(SEED)
start = time.perf_counter()
trained["basic"] = mnist_autoencoder()  # the lecture's model, as built in notebook 01
histories["basic"] = fit_quiet(trained["basic"], EPOCHS)
seconds["basic"] = time.perf_counter() - start

runtime.set_seed(SEED)
start = time.perf_counter()
end_to_end = build_stacked(LAYERS)
first_part = fit_quiet(end_to_end, EPOCHS)
seconds["stacked, end to end"] = time.perf_counter() - start
# a copy of the end-to-end model as it is after EPOCHS epochs
trained["stacked, end to end"] = keras.models.clone_model(end_to_end)
trained["stacked, end to end"].set_weights(end_to_end.get_weights())
second_part = fit_quiet(end_to_end, EXTRA, initial_epoch=EPOCHS)  # the same run, trained on
seconds["stacked, end to end, longer"] = time.perf_counter() - start
trained["stacked, end to end, longer"] = end_to_end
histories["stacked, end to end"] = first_part
histories["stacked, end to end, longer"] = {k: first_part[k] + second_part[k] for k in first_part}

start = time.perf_counter()
pretrained = pretrain_greedy(x_fit, LAYERS, epochs=PRETRAIN_EPOCHS, seed=SEED)
before_finetune = valid_bce(pretrained)
histories["stacked, pre-trained + fine-tuned"] = fit_quiet(pretrained, EPOCHS)
seconds["stacked, pre-trained + fine-tuned"] = time.perf_counter() - start
trained["stacked, pre-trained + fine-tuned"] = pretrained
for label, h in histories.items():
    print(f"{label}: {len(h['loss'])} epochs, validation BCE {h['val_loss'][0]:.4f} after the first, "
          f"{h['val_loss'][-1]:.4f} after the last")
print(f"pre-trained, before fine-tuning: validation BCE {before_finetune:.4f}")

# %% [markdown]
# **Did each model learn?** A yardstick that needs no learning: answer every image with the
# average training image. A model whose validation BCE is not lower than that by more than
# `LEARN_MARGIN` has learned nothing the average digit does not already give, and is named as
# failed rather than compared.

# %%
LEARN_MARGIN = 0.005
mean_image_bce = float(losses.bce_per_image(x_valid, np.broadcast_to(x_fit.mean(axis=0), x_valid.shape)).mean())
val_bce = {label: valid_bce(model) for label, model in trained.items()}
learned = {label: mean_image_bce - bce > LEARN_MARGIN for label, bce in val_bce.items()}
print(f"average-image yardstick: validation BCE {mean_image_bce:.4f}")
beats = f"beats the yardstick by more than {LEARN_MARGIN}"
not_below = f"not better than the average digit by more than {LEARN_MARGIN}"
for label, bce in val_bce.items():
    print(f"{label}: {bce:.4f}, " + (beats if learned[label] else f"FAILED: {not_below}"))
print(f"pre-trained, before fine-tuning: {before_finetune:.4f}, "
      + (beats if mean_image_bce - before_finetune > LEARN_MARGIN else not_below
         + " (each layer was pre-trained on its own reconstruction, not on the pixels: fine-tuning joins them)"))

# The 32-unit code is the encoder's last layer (enc_3 in a stacked model); a unit that reaches 0.01
# on fewer than 1% of the digits is dead.
code_layer = {label: "encoder" if label == "basic" else f"enc_{len(LAYERS)}" for label in trained}
alive = {label: losses.code_stats(outputs_of(encoder_of(model, code_layer[label]), x_valid))["share_alive"]
         for label, model in trained.items()}
print("share of code units alive (active on at least 1% of the digits):",
      ", ".join(f"{label} {share:.2f}" for label, share in alive.items()))
for label, h in histories.items():  # checks that hold on any hardware and seed
    assert np.all(np.isfinite(h["loss"])), f"{label}: the loss is not finite"
    assert h["loss"][-1] < h["loss"][0], f"{label}: the training loss did not go down"
    assert alive[label] > 0, f"{label}: every code unit is dead"

# %%
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
for label in ["basic", "stacked, end to end, longer", "stacked, pre-trained + fine-tuned"]:
    curve = histories[label]["val_loss"]
    name = "stacked, end to end (one run, trained on)" if label.startswith("stacked, end") else label
    ax.plot(range(1, len(curve) + 1), curve, marker=".", label=name)
ax.axvline(EPOCHS, color="gray", linestyle=":", label=f"epoch {EPOCHS}: the end-to-end run's first stop")
ax.plot([0], [before_finetune], "k*", markersize=10, label="pre-trained, before fine-tuning")
ax.axhline(mean_image_bce, color="black", linestyle="--", label="average-image yardstick")
top = max(mean_image_bce, before_finetune, *(max(h["val_loss"]) for h in histories.values()))
ax.set_ylim(0, top * 1.05)
ax.set_xlabel("epoch (of end-to-end training or fine-tuning)")
ax.set_ylabel("validation BCE (axis from 0)")
ax.set_title("basic vs stacked autoencoders, on the validation slice")
fig.legend(loc="outside lower center", ncols=2, fontsize=8)  # below the axes: never over a curve
plt.show()

# %% [markdown]
# Reconstructions of validation digits by the models that learned, each row labelled with its
# validation BCE. Eight digits say little about a difference in mean BCE, and nothing about one
# of a few thousandths: the printed numbers, not the pictures, decide which model rebuilds better.

# %%
shown = [label for label in trained if learned[label]]
plots.image_grid([x_valid, *(outputs_of(trained[label], x_valid) for label in shown)],
                 labels=["original", *(f"{label} ({val_bce[label]:.3f})" for label in shown)], n=8)
plt.show()

# %% [markdown]
# ## 2. A deep autoencoder for ratings
# Kuchaiev & Ginsburg (2017) trained deep rating autoencoders on Netflix's ratings with SELU
# activations, a large dropout on the code, and dense re-feeding. Here, without re-feeding: items
# as examples, as in
# I-AutoRec; hidden layers 512 → 256 (the code, with dropout 0.5) → 512, SELU, L2 on weights and
# biases, the same masked loss and Adam with a cosine decay as notebook 03, and the epochs and
# learning rate `helpers.autorec.VARIANTS` sets for each model (printed below). No setting is
# chosen in this notebook. The variants are compared on a validation slice (5 % of `u1.base`,
# trained on the other 95 %); the same models, not refitted, score `u1.test` once each, which is
# reported, not chosen by. The network, exported like the builders above; `autorec.train_autorec`
# builds it for the `deep` variants:

# %%
#| export
def deep_autorec(n_inputs: int, layers: tuple[int, ...] = (512, 256, 512), lam: float = 1e-3,
                 code_dropout: float = 0.5, input_dropout: float = 0.0, name: str = "deep_autorec") -> keras.Model:
    """SELU layers, dropout on the middle one (the code), a linear output, L2(lam) on weights and biases."""
    def l2() -> dict:  # one regulariser per tensor, as in notebook 03
        return {"kernel_regularizer": keras.regularizers.L2(lam), "bias_regularizer": keras.regularizers.L2(lam)}

    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(input_dropout, name="input_dropout")(inputs) if input_dropout else inputs
    middle = len(layers) // 2
    for i, size in enumerate(layers):
        label = "encoder" if i == middle else f"hidden_{i + 1}"
        x = keras.layers.Dense(size, activation="selu", name=label, **l2())(x)
        if i == middle and code_dropout:
            x = keras.layers.Dropout(code_dropout, name="code_dropout")(x)
    outputs = keras.layers.Dense(n_inputs, name="decoder", **l2())(x)  # linear: ratings, not probabilities
    return keras.Model(inputs, outputs, name=name)


# %%
split = evaluation.load_split("u1", seed=SEED, max_item_id=SMOKE_ITEMS)  # u1.base, u1.test, a validation slice
train, test, fit_ratings, valid_ratings, fit_index = split.train, split.test, split.fit, split.valid, split.fit_index
valid_fallback = split.valid_fallback  # the bias baseline fitted on the fitting part
test_fallback = evaluation.BiasBaseline().fit(fit_ratings).predict(test)  # the same baseline, for the test pairs

variants = [
    ("I-AutoRec (500 sigmoid)", autorec.VARIANTS["plain"]),
    ("deep 512-256-512 SELU, code dropout", autorec.VARIANTS["deep"].with_(dropout=0.0)),
    ("I-AutoRec + input dropout", autorec.VARIANTS["denoising"]),
    ("deep + input dropout", autorec.VARIANTS["deep"]),
]
valid_rows, test_rows = [], []
for label, c in variants:
    c = c.with_epochs(RATING_EPOCHS)
    print(f"{label} = {c.describe()}, batch {c.batch_size}; trained on the fitting part (95% of u1.base)")
    model = autorec.train_autorec(fit_ratings, fit_index, c, seed=SEED)
    valid_rows.append(autorec.variant_scores(label, model, fit_ratings, valid_ratings, valid_fallback))
    test_rows.append(autorec.variant_scores(label, model, train, test, test_fallback))
rating_valid = pd.DataFrame(valid_rows)

# %%
by_name = rating_valid.set_index("variant")
bias_rmse = evaluation.score(valid_ratings, valid_fallback).rmse
global_mean_rmse = evaluation.rmse(valid_ratings["rating"], np.full(len(valid_ratings), fit_ratings["rating"].mean()))
print(f"yardsticks on the validation slice: global mean {global_mean_rmse:.4f}, user + item biases {bias_rmse:.4f}")
rating_learned = {v: bias_rmse - r > LEARN_MARGIN for v, r in by_name["rmse"].items()}
for variant, rmse in by_name["rmse"].items():
    print(f"{variant}: validation RMSE {rmse:.4f}, "
          + ("" if rating_learned[variant] else "FAILED: not ")
          + f"better than the bias yardstick by more than {LEARN_MARGIN}")
for deep, shallow in [("deep 512-256-512 SELU, code dropout", "I-AutoRec (500 sigmoid)"),
                      ("deep + input dropout", "I-AutoRec + input dropout")]:
    if not (rating_learned[deep] and rating_learned[shallow]):
        failed = " and ".join(m for m in (deep, shallow) if not rating_learned[m])
        print(f"{deep} vs {shallow}: not compared, {failed} did not learn")
        continue
    d, sh = by_name.loc[deep], by_name.loc[shallow]
    print(f"{deep}: validation RMSE {d['rmse']:.4f} vs {sh['rmse']:.4f} for {shallow} "
          f"({'better' if d['rmse'] < sh['rmse'] else 'worse'}); NDCG@10 {d['ndcg@10']:.4f} vs {sh['ndcg@10']:.4f} "
          f"({'better' if d['ndcg@10'] > sh['ndcg@10'] else 'worse'})")
assert np.all(np.isfinite(rating_valid["rmse"])), "a rating model gave a non-finite RMSE"
rating_valid["learned"] = ["yes" if rating_learned[v] else "FAILED" for v in rating_valid["variant"]]
rating_valid[["variant", "rmse", "mae", "recall@10", "ndcg@10", "learned"]].round(4)

# %% [markdown]
# A model flagged FAILED did no better than the user + item biases: it keeps its flag in the
# results and is compared with nothing. Exercise 3 asks whether more epochs or a smaller code
# change the deep model's verdict.

# %% [markdown]
# ## Results
# The test sets, scored once now that nothing is left to choose: the test digits, and `u1.test`
# for the rating models trained on 95 % of `u1.base`. One table per dataset (saved together,
# each row with its `data`); `learned` is the validation verdict above.

# %%
from IPython.display import display

mnist_table = pd.DataFrame([{
    "model": label, "validation BCE": val_bce[label], "validation BCE, epoch 1": histories[label]["val_loss"][0],
    "test BCE": float(losses.bce_per_image(x_test, outputs_of(model, x_test)).mean()),
    "learned": "yes" if learned[label] else "FAILED",
    "epochs": len(histories[label]["loss"]) + (EXTRA if "pre-trained" in label else 0), "seconds": seconds[label],
} for label, model in trained.items()])
rating_table = pd.DataFrame([{
    "model": row["variant"], "validation rmse": by_name.loc[row["variant"], "rmse"], "test rmse": row["rmse"],
    "test ndcg@10": row["ndcg@10"], "learned": "yes" if rating_learned[row["variant"]] else "FAILED",
    "seconds": row["seconds"],
} for row in test_rows])
tables = {f"MNIST ({len(x_fit)} training images), BCE": mnist_table,
          "ML-100K u1 (trained on 95% of u1.base)": rating_table}
stack_results("05_stacked_autoencoder", MODE, tables)
for data, table in tables.items():
    print(data)
    display(table.round(4))

# %% [markdown]
# **What helped, what did not.** The measured answers, printed from this run's validation
# numbers (a model that did not learn is not compared):

# %%
CLOSE = 0.01  # two validation BCEs closer than this "end close"


def compare(a: str, b: str, sentence: str) -> str:
    """`sentence` with {verdict} filled in (better or worse, with both validation BCEs), or why a and b are not compared."""
    if not (learned[a] and learned[b]):
        failed = " and ".join(m for m in (a, b) if not learned[m])
        return f"- '{a}' is not compared with '{b}': {failed} did not learn."
    verdict = f"{'better' if val_bce[a] < val_bce[b] else 'worse'} ({val_bce[a]:.4f} vs {val_bce[b]:.4f})"
    return sentence.format(verdict=verdict)


head_e2e = histories["stacked, end to end"]["val_loss"][0]
head_pre = histories["stacked, pre-trained + fine-tuned"]["val_loss"][0]
if learned["stacked, end to end"] and learned["stacked, pre-trained + fine-tuned"]:
    print(f"- The head start: after one epoch of end-to-end training the stacked model's "
          f"validation BCE is {head_e2e:.4f}; after pre-training and one epoch of fine-tuning, "
          f"{head_pre:.4f} "
          f"({'a head start' if head_pre < head_e2e else 'no head start'} from pre-training).")
else:
    print("- The head start is not compared: a stacked model did not learn.")
longer, pre = "stacked, end to end, longer", "stacked, pre-trained + fine-tuned"
gap = abs(val_bce[longer] - val_bce[pre])
print(compare(longer, pre, "- With the same total number of epochs, end-to-end training rebuilds digits {verdict} than "
              f"pre-training + fine-tuning: {'close' if gap < CLOSE else 'not close'} (a gap of {gap:.4f}, "
              f"{'below' if gap < CLOSE else 'not below'} {CLOSE})."))
print(compare("stacked, end to end", "basic", f"- At the same {EPOCHS} epochs, the stacked model trained end to end "
              "rebuilds digits {verdict} than the basic model;"))
print(compare(longer, "basic", f"  trained on to {EPOCHS + EXTRA} epochs, {{verdict}} than the basic model."))
learned_ratings = rating_valid[rating_valid["variant"].map(rating_learned)]
if len(learned_ratings):
    best_rating = learned_ratings.loc[learned_ratings["rmse"].idxmin(), "variant"]
    print(f"- On MovieLens 100K u1, of the rating models that learned, the lowest validation RMSE comes from "
          f"'{best_rating}'; FAILED: {', '.join(v for v, ok in rating_learned.items() if not ok) or 'none'}.")
else:
    print(f"- On MovieLens 100K u1 no rating model beat the bias yardstick by more than "
          f"{LEARN_MARGIN}: none is compared.")

# %% [markdown]
# Greedy pre-training was introduced when deep networks of sigmoid units could not be trained
# well from random weights (Bengio et al., 2007; Hinton & Salakhutdinov, 2006). The lines above
# say, for this run's ReLU units and RMSprop, whether it still gives a head start, and whether
# end-to-end training with the same total number of epochs does as well.

# %% [markdown]
# ## Exercises
# Each exercise has an answer cell. In the students' edition a `grader.check(...)` cell under it
# runs the public checks, which only say whether the answer has the right form (answered, the
# right types and shapes), never whether it is right; the instructor's grading runs hidden
# tests. Open questions are answered in words in the markdown cell under them and graded by hand.

# %%
from helpers import grading

grader = grading.grader("05_stacked_autoencoder")

# %% [markdown] question={"name": "q05_1", "points": 4}
# **Exercise 1 (write code).** Write one step of greedy pre-training, for inputs that may be
# negative (standardised features, say): `pretrain_layer(x, units, epochs)` builds a shallow
# autoencoder whose hidden `Dense` layer has `units` ReLU units and whose output `Dense` layer
# has one unit per column of `x` and no activation (so negative values can be rebuilt); it
# compiles it with RMSprop (learning rate 0.001) and the mean squared error, fits it to rebuild
# `x` for `epochs` epochs in batches of 32 (no printout), and returns the trained autoencoder and
# the codes of `x` (the hidden layer's outputs, a NumPy array). Write the Keras code yourself:
# the grading gives no points to an answer that calls the kit's `pretrain_greedy`, `build_stacked`
# or `deep_autorec`. It runs your function on new random data and checks the layers, the codes
# and that the trained autoencoder rebuilds `x` much better than an untrained copy.

# %% tags=["solution"]
def pretrain_layer(x: np.ndarray, units: int, epochs: int) -> tuple[keras.Model, np.ndarray]:
    """Train x -> Dense(units, relu) -> Dense(x.shape[1]) to rebuild x (MSE); the model and x's codes."""
    # BEGIN SOLUTION
    shallow = keras.Sequential([
        keras.Input((x.shape[1],)),
        keras.layers.Dense(units, activation="relu"),
        keras.layers.Dense(x.shape[1]),
    ])
    shallow.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), loss="mse")
    shallow.fit(x, x, batch_size=32, epochs=epochs, shuffle=True, verbose=0)
    return shallow, keras.ops.convert_to_numpy(shallow.layers[0](x))
    # END SOLUTION


# %% tags=["test"]
def test_q05_1_form(pretrain_layer):
    import keras
    import numpy as np
    x = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    got = pretrain_layer(x, 3, 1)
    assert got is not None, "not answered yet: write the function's body"
    assert isinstance(got, tuple) and len(got) == 2, "the function returns two things: (autoencoder, codes)"
    assert isinstance(got[0], keras.Model), "the first is the trained Keras model"
    assert np.shape(got[1]) == (64, 3), "the codes: one row per row of x, one column per hidden unit"
test_q05_1_form(pretrain_layer)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q05_1_trains(pretrain_layer):
    import keras
    import numpy as np
    from helpers import grading
    used = grading.kit_names_used(pretrain_layer)
    assert not used, f"write the Keras code yourself: the answer uses the kit's {', '.join(used)}"
    rng = np.random.default_rng()
    probe = np.array([[-2.0, 0.5, 3.0]], dtype="float32")
    for _ in range(2):  # fresh sizes; x has k hidden factors, negative and positive values
        n, d, k = int(rng.integers(300, 500)), int(rng.integers(12, 40)), int(rng.integers(2, 7))
        units = int(rng.integers(2 * k, 3 * k + 1))
        x = (rng.normal(size=(n, k)) @ rng.normal(size=(k, d)) / np.sqrt(k)).astype("float32")
        model, codes = pretrain_layer(x, units, 20)
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        assert len(dense) == 2, f"the shallow autoencoder has {len(dense)} Dense layers, not 2"
        (w, b), (w_out, _) = dense[0].get_weights(), dense[1].get_weights()
        assert w.shape == (d, units) and w_out.shape == (units, d), f"weights {w.shape}, {w_out.shape}: x has {d} columns"
        assert np.allclose(keras.ops.convert_to_numpy(dense[0].activation(probe)), np.maximum(probe, 0)), "not ReLU"
        assert np.allclose(keras.ops.convert_to_numpy(dense[1].activation(probe)), probe), "the output is not linear"
        assert np.shape(codes) == (n, units), f"codes of shape {np.shape(codes)}, not ({n}, {units})"
        assert np.allclose(codes, np.maximum(x @ w + b, 0), atol=1e-4), "not the trained encoder's codes of x"
        mse = float(np.mean((keras.ops.convert_to_numpy(model(x)) - x) ** 2))
        untrained = float(np.mean((keras.ops.convert_to_numpy(keras.models.clone_model(model)(x)) - x) ** 2))
        assert mse < 0.7 * untrained, f"MSE {mse:.3f}, not well below an untrained copy's {untrained:.3f}"
test_q05_1_trains(pretrain_layer)  # IGNORE

# %% [markdown] question={"manual": true, "name": "q05_2", "points": 2}
# **Exercise 2 (open).** In `pretrain_greedy`, the first shallow autoencoder has a sigmoid output
# and binary cross-entropy, but the later ones have a ReLU output and mean squared error. Why
# would a sigmoid output and binary cross-entropy be a poor choice for the later ones?

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the later shallow autoencoders rebuild the codes of a ReLU
# layer, not pixels. Those codes are zero or positive with no upper bound, while a sigmoid
# output can never exceed 1, so codes above 1 could not be rebuilt; binary cross-entropy also
# expects targets between 0 and 1 (it is meant for pixel intensities or probabilities). A ReLU
# output covers the codes' range, and the squared error suits unbounded targets.

# %% [markdown] question={"manual": true, "name": "q05_3", "points": 2}
# **Exercise 3 (open).** Give the deep rating autoencoder more epochs, or a smaller code
# (for example 512-128-512, `autorec.VARIANTS["deep"].with_(deep_layers=(512, 128, 512))`), and
# train it in the code cell as section 2 does. Does it beat the bias yardstick, come closer to
# I-AutoRec's validation RMSE, or pass it? Compare on the validation slice of section 2, not on
# `u1.test`; in the text cell, say what you changed and what you measured.

# %% tags=["solution"]
# BEGIN SOLUTION
smaller = autorec.VARIANTS["deep"].with_(deep_layers=(512, 128, 512)).with_epochs(RATING_EPOCHS)
small_model = autorec.train_autorec(fit_ratings, fit_index, smaller, seed=SEED)
small_rmse = autorec.variant_scores("deep 512-128-512", small_model, fit_ratings, valid_ratings, valid_fallback)["rmse"]
print(f"validation RMSE: deep 512-128-512 + input dropout {small_rmse:.4f}, deep + input dropout (512-256-512) "
      f"{by_name.loc['deep + input dropout', 'rmse']:.4f}, I-AutoRec (500 sigmoid) "
      f"{by_name.loc['I-AutoRec (500 sigmoid)', 'rmse']:.4f}, bias yardstick {bias_rmse:.4f}")
# END SOLUTION

# %% [markdown] tags=["solution"]
# Model answer for the instructor: the student trains the changed deep model on `fit_ratings`,
# scores it with `autorec.variant_scores(..., fit_ratings, valid_ratings, valid_fallback)` and
# compares its validation RMSE with the I-AutoRec rows of `rating_valid`, after checking that it
# beats the bias yardstick. Any conclusion that matches the student's own numbers is right;
# choosing by `u1.test` loses the points for method.

# %% [markdown]
# ## What's next
# Notebook **06** keeps the lecture's shape but asks for a *sparse* code.
