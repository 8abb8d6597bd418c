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
# # 02 · The rating-matrix autoencoder: the slides' matrices and the objective
#
# A recommender's data is a user × item matrix of ratings in which most entries are missing. An
# autoencoder trained to rebuild the entries that *are* there can learn enough structure to fill in
# the ones that are not, and those filled-in entries are the predictions. This notebook works
# through the lecture's two small matrices and its objective, term by term, in Keras code small
# enough to check by hand; notebook 03 trains the same model (AutoRec) on MovieLens.
#
# **After this notebook you can**
# - explain why the blanks of a rating matrix are the predictions, and why the loss must ignore
#   them (the masked loss);
# - read the lecture's objective symbol by symbol and write it in Keras: the masked loss on the
#   observed ratings and L2 on the weights and biases of every layer;
# - say what a model can and cannot predict for an item nobody rated;
# - avoid a Keras pitfall: the mask passed as `sample_weight` does not, by default, compute the
#   masked mean.

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
# The run mode picks the values: `smoke` (the tests' quick run) trains the toy models for fewer
# passes.

# %%
from helpers.runtime import smoke_or

TOY_EPOCHS = smoke_or(MODE, 800, 300)  # passes over the slide's toy matrices (a multiple of 100)
LAM_SUM = 0.01  # λ of the slide's objective (a sum over the observed ratings), section 2
SEED = 0

# %%
from helpers.params import check_params

check_params(TOY_EPOCHS=(TOY_EPOCHS, int, 100), LAM_SUM=(LAM_SUM, float, 0), SEED=(SEED, int, 0))

# %% [markdown]
# ## 1. The slides' matrices: the blanks are the predictions
# The lecture's first matrix, 5 users × 5 items, captioned
# <!-- slide -->A matrix of user/item ratings<!-- /slide -->. The slide does not say what its
# `0`s are; here, as is usual for rating matrices, `0` is read as "not rated". The kit keeps a
# copy in `data/` and names the users u1–u5 and the items i1–i5.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import datasets, plots, runtime
from helpers.report import save_results

runtime.set_seed(SEED)
toy = datasets.load_toy_matrix("5x5")
print(f"{toy.mask.sum()} of {toy.mask.size} entries rated")
toy.frame()

# %% [markdown]
# A recommender wants the missing entries: would user u3 like item i1? So we train an
# autoencoder to rebuild each user's row from that same row, **scoring it only on the entries
# that were rated**, and then read its output at the blank positions. Each user's row is one
# example. The loss that scores only the rated entries, the **masked loss**, takes a handful of
# Keras operations: a 0/1 mask of the rated entries, the squared errors times the mask, and the
# mean over the rated entries (not over all of them).

# %%
#| default_exp masked_loss
#| export
import keras


def masked_mse(y_true, y_pred):
    """Mean squared error over the rated entries only (`y_true == 0` means "not rated")."""
    y_pred = keras.ops.convert_to_tensor(y_pred)
    y_true = keras.ops.cast(y_true, y_pred.dtype)
    rated = keras.ops.cast(keras.ops.not_equal(y_true, 0), y_pred.dtype)  # 1 where rated, 0 at a blank
    squared = keras.ops.square((y_pred - y_true) * rated)  # a blank adds 0, and no gradient
    return keras.ops.sum(squared) / keras.ops.maximum(keras.ops.sum(rated), 1.0)  # mean over the rated


# %% [markdown]
# The `#| export` line at the top of the cell above (under `#| default_exp`, which names the
# module) marks it for the kit's library: `make sync` copies the cell into
# `helpers/masked_loss.py`, and notebook 03 imports `masked_mse` from there.
# Now a tiny autoencoder trained with it, five users' rows of five ratings each.

# %%
def fit_whole_matrix(model: keras.Model, matrix: np.ndarray, epochs: int) -> None:
    """`epochs` passes over a toy matrix, each one optimizer step on the whole matrix as one batch.

    Keras pays a fixed cost per epoch, which for a 5-row matrix is most of the time; so the
    matrix is stacked 100 times and each Keras epoch runs 100 batches, each batch exactly the
    whole matrix (shuffle=False keeps the copies apart). The steps are the same as with
    `model.fit(matrix, matrix, epochs=epochs, batch_size=len(matrix))`, in far less time.
    """
    copies = np.tile(matrix, (100, 1))
    model.fit(copies, copies, epochs=max(1, epochs // 100), batch_size=len(matrix), shuffle=False, verbose=0)


def fill(model: keras.Model, matrix: np.ndarray) -> np.ndarray:
    """The model's output for every entry of a small matrix, blanks included.

    A direct call, `model(matrix)`, is Keras's way for inputs that fit in one batch. `predict`
    would compile a prediction function for every one of the many small models in this section,
    and TensorFlow warns about such repeated compiling ("retracing").
    """
    return keras.ops.convert_to_numpy(model(matrix, training=False))


def toy_autoencoder(loss, seed: int = SEED) -> keras.Model:
    """5 -> 3 -> 5, small enough to watch: sigmoid code, linear output."""
    runtime.set_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="sigmoid"), keras.layers.Dense(5)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    fit_whole_matrix(model, toy.values, TOY_EPOCHS)
    return model


def observed_rmse(pred: np.ndarray, matrix: datasets.ToyMatrix) -> float:
    """RMSE over the rated entries of a toy matrix."""
    return float(np.sqrt(np.mean((pred[matrix.mask] - matrix.values[matrix.mask]) ** 2)))


masked_model = toy_autoencoder(masked_mse)
filled = fill(masked_model, toy.values)
plots.rating_heatmap(filled, toy.mask, toy.users, toy.items, title="masked loss: observed (framed) and predicted")
plt.show()
print(f"RMSE on the {int(toy.mask.sum())} observed entries: {observed_rmse(filled, toy):.3f}; predictions at the "
      f"blanks: {filled[~toy.mask].min():.2f} to {filled[~toy.mask].max():.2f}")

# %% [markdown]
# With 11 ratings and 38 parameters (5·3 + 3 weights and biases in the encoder, 3·5 + 5 in the
# decoder), the network has more numbers to tune than ratings to fit; the RMSE printed above says
# how closely it fitted them. Nothing in the loss ties the blanks to the 1–5 scale, so a
# prediction can fall outside it. The kit clips predictions to the scale before it **scores** them
# (`evaluation.rmse`, `evaluation.mae`) and where a table **shows** a predicted rating; it
# **ranks** films (`autorec.recommend`) by the raw predictions, because clipping would turn every
# prediction above 5 into a tie at 5. This notebook's heatmaps and `observed_rmse` use the raw
# output: they show the fit itself.

# %% [markdown]
# ### What goes wrong without the mask
# Train the same network with plain MSE over *all* 25 entries and it is rewarded for
# predicting the zeros: to the loss, "not rated" looks like "rated 0".

# %%
plain_model = toy_autoencoder("mse")
plain = fill(plain_model, toy.values)
plots.rating_heatmap(plain, toy.mask, toy.users, toy.items, title="unmasked MSE: pulled towards the zeros")
plt.show()
print(f"mean prediction at the blanks: masked {filled[~toy.mask].mean():.2f}, unmasked {plain[~toy.mask].mean():.2f}: "
      "the unmasked model's blanks are " + ("lower" if plain[~toy.mask].mean() < filled[~toy.mask].mean() else
                                            "not lower") + f" (RMSE on the rated entries: {observed_rmse(plain, toy):.3f})")

# %% [markdown]
# ### The second matrix, and the column nobody rated
# The lecture's second matrix (users u1–u4, items i1–i5) leaves blanks instead of zeros, and
# says of them: <!-- slide -->These can be considered as prediction<!-- /slide -->. In the
# model's input a blank becomes 0 as well, and the mask (`y_true != 0`) marks it as not rated;
# that works because no rating on these scales is 0.
#
# The same masked autoencoder (5 → 3 → 5) trained on these four users fills them in. Look at
# column **i4**: nobody rated it. Its column mean, the simplest fallback, does not exist (0
# ratings divided by 0). And the network cannot learn it either: the masked loss never looks at
# i4, so the gradient with respect to the decoder's row for i4 (its weights $W_{i4}$ and its bias
# $b_{i4}$) is exactly zero, and Adam leaves them where initialisation put them. Since the input
# at i4 is always 0, the encoder's weights for i4 never move either. The model's "prediction" for
# i4 is $W_{i4} \cdot h + b_{i4}$ with an untrained $W_{i4}$ (random) and $b_{i4} = 0$: it says
# nothing about the item, and it changes with the random seed.

# %%
toy45 = datasets.load_toy_matrix("4x5")
I4 = toy45.items.index("i4")
print(toy45.frame().to_string())


def fill_toy45(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train 5 -> 3 -> 5 with the masked loss on the 4 x 5 matrix: predictions, and the decoder's
    weights and bias for i4 before and after training."""
    runtime.set_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="sigmoid", name="encoder"),
                              keras.layers.Dense(5, name="decoder")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=masked_mse)
    decoder = model.get_layer("decoder")

    def i4_weights() -> np.ndarray:
        return np.append(keras.ops.convert_to_numpy(decoder.kernel)[:, I4], keras.ops.convert_to_numpy(decoder.bias)[I4])

    start = i4_weights()
    fit_whole_matrix(model, toy45.values, TOY_EPOCHS)
    return fill(model, toy45.values), start, i4_weights()


filled45, i4_start, i4_end = fill_toy45(SEED)
plots.rating_heatmap(filled45, toy45.mask, toy45.users, toy45.items, title="4 x 5, masked loss: i4 was never rated")
plt.show()
print(f"RMSE on the {int(toy45.mask.sum())} observed entries: {observed_rmse(filled45, toy45):.3f}")
print("column means of the observed ratings:", toy45.frame().mean().round(2).to_dict())
print(f"decoder weights and bias for i4, before training {np.round(i4_start, 3)}, after {np.round(i4_end, 3)}: "
      + ("unchanged" if np.allclose(i4_start, i4_end) else "changed"))
i4_by_seed = pd.DataFrame({f"seed {s}": fill_toy45(s)[0][:, I4] for s in (SEED, SEED + 1, SEED + 2)}, index=toy45.users)
print("the raw output at i4 for each user, three random seeds (the kit would clip it to 1-5 before showing it):")
print(i4_by_seed.round(2).to_string())
assert np.allclose(i4_start, i4_end), "no gradient reaches the output unit of an item nobody rated"
assert np.isnan(toy45.frame()["i4"].mean())

# %% [markdown]
# The blanks of i1, i2, i3 and i5 are filled from what the other users rated, and the i4 column is
# noise from initialisation: the printed values differ from seed to seed, and none of them is
# trained. With the L2 term of section 2 on the output layer, the decay would pull $W_{i4}$ towards
# 0 and the output towards $b_{i4} = 0$ (1 once clipped to the scale): a steady number that still
# says nothing about the item. On MovieLens (notebook 03) the kit answers items (and users) with no
# training ratings from a bias baseline instead, and counts how often it did.

# %% [markdown]
# ## 2. The objective, term by term
# The lecture's objective, with its two labels:
#
# <!-- slide -->
#
# $$\operatorname{argmin}_{\{W_l\}\{b_l\}} = \underbrace{\|\tilde{X} - \hat{X}\|_F^2}_{\text{Training error on observed ratings}} + \lambda \underbrace{\sum_l^L (\|W_l\|_F^2 + \|b_l\|_F^2)}_{\text{Regularization to avoid overfitting}}$$
#
# Training error on observed ratings
#
# Regularization to avoid overfitting
#
# <!-- /slide -->
#
# Read it as: training looks for the weights $\{W_l\}$ and biases $\{b_l\}$ that make the
# right-hand side smallest (the slide's `=` after argmin reads as "of": argmin names the
# minimising parameters, not a value). Symbol by symbol:
#
# | the slide | what it is | in this notebook's Keras code |
# | --- | --- | --- |
# | $\tilde X$ | the observed input: the rating matrix the network reads, one example per row, 0 at a blank | `toy.values` |
# | $\hat X$ | the reconstruction: the network's output for every entry, blanks included | `model(toy.values)` (`fill`) |
# | $\lVert\tilde X - \hat X\rVert_F^2$, "Training error on observed ratings" | the squared Frobenius norm, a sum of squared differences; its label restricts it to the observed ratings | `masked_mse` (section 1): the **mean** over the rated entries instead of the sum |
# | $l = 1, \dots, L$ | the layers with weights; $L = 2$ here, the encoder and the decoder | the two `Dense` layers |
# | $W_l$, $b_l$ | layer $l$'s weight matrix and bias vector | `layer.kernel`, `layer.bias` |
# | $\lVert W_l\rVert_F^2 + \lVert b_l\rVert_F^2$ | the sum of the squares of layer $l$'s weights plus the sum of the squares of its biases | `kernel_regularizer=keras.regularizers.L2(...)` and `bias_regularizer=keras.regularizers.L2(...)` on each layer |
# | $\lambda$ | how much the penalty weighs against the error | `LAM_SUM`; in Keras `lam_kit` $= \lambda / n$ (below) |
#
# Two things to watch. Written without its label, $\lVert\tilde X - \hat X\rVert_F^2$ sums over
# every entry, blanks included: that is the unmasked loss that was pulled towards the zeros in
# section 1. And a tilde does not always mean the same thing: texts on denoising autoencoders
# (notebook 04) often write $\tilde{\mathbf x}$ for the *corrupted* input. The AutoRec paper
# (Sedhain et al., 2015), which notebook 03 follows, writes the error over observed entries as
# $\lVert\cdot\rVert^2_{\mathcal O}$ and its penalty as
# $\frac{\lambda}{2}(\lVert W\rVert_F^2 + \lVert V\rVert_F^2)$, weights only; the kit follows the
# slide and penalises the biases too.
#
# **Sum or mean.** Keras minimises a mean: `masked_mse` divides the squared errors by the number
# $n$ of observed ratings, and each `L2(lam_kit)` regulariser adds `lam_kit` times the sum of
# squares of its tensor to the loss. With `lam_kit` $= \lambda / n$ that is exactly the slide's
# objective divided by $n$: the same minimiser, gradients $n$ times smaller. Here each step sees
# the whole matrix. With mini-batches, each step adds the penalties once while its mean covers
# one batch's ratings: over an epoch of $B$ batches holding as many ratings each, the steps add
# up to $B/n$ times the slide's objective, still with $\lambda$ = $n$ · `lam_kit` and $n$ the
# number of **all** observed training ratings, not a batch's. The cell below writes the toy model with L2 on both layers' weights and
# biases, trains it (Keras adds the penalties to the masked loss), then evaluates the slide's sum
# directly at the trained weights and compares both objectives and their gradients.

# %%
import tensorflow as tf

n_observed = int(toy.mask.sum())
lam_kit = LAM_SUM / n_observed
runtime.set_seed(SEED)
toy_ae = keras.Sequential([
    keras.Input((5,)),
    keras.layers.Dense(3, activation="sigmoid", name="encoder",  # W_1, b_1
                       kernel_regularizer=keras.regularizers.L2(lam_kit), bias_regularizer=keras.regularizers.L2(lam_kit)),
    keras.layers.Dense(5, name="decoder",  # W_2, b_2
                       kernel_regularizer=keras.regularizers.L2(lam_kit), bias_regularizer=keras.regularizers.L2(lam_kit)),
])
toy_ae.compile(optimizer=keras.optimizers.Adam(0.05), loss=masked_mse)  # Keras adds the L2 penalties itself
fit_whole_matrix(toy_ae, toy.values, TOY_EPOCHS)
x_tilde = tf.constant(toy.values)  # X̃, the observed input
observed = tf.cast(x_tilde != 0, "float32")
with tf.GradientTape(persistent=True) as tape:
    x_hat = toy_ae(x_tilde)  # X̂, the reconstruction
    slide_sum = tf.reduce_sum(observed * (x_tilde - x_hat) ** 2) \
        + LAM_SUM * tf.add_n([tf.reduce_sum(w**2) for w in toy_ae.trainable_weights])  # W_1, b_1, W_2, b_2
    kit = masked_mse(x_tilde, x_hat) + tf.add_n(toy_ae.losses)  # what Keras minimises
grads_sum = tape.gradient(slide_sum, toy_ae.trainable_weights)
grads_kit = tape.gradient(kit, toy_ae.trainable_weights)
worst = max(float(np.max(np.abs(gs - n_observed * gk)) / np.max(np.abs(gs))) for gs, gk in zip(grads_sum, grads_kit))
print(f"slide's objective, λ = {LAM_SUM}: {float(slide_sum):.5f}")
print(f"{n_observed} x what Keras minimises, lam_kit = {LAM_SUM}/{n_observed}: {n_observed * float(kit):.5f}")
print(f"gradients: slide's = {n_observed} x Keras's for all {len(grads_kit)} tensors (W_1, b_1, W_2, b_2; "
      f"largest relative difference {worst:.1e})")
assert abs(float(slide_sum) - n_observed * float(kit)) < 1e-4 * float(slide_sum)
assert worst < 1e-4

# %% [markdown]
# The sum over the layers, $\sum_l^L (\lVert W_l\rVert_F^2 + \lVert b_l\rVert_F^2)$, on the same
# model: each layer's squared weights and squared biases, then `lam_kit` times their total
# against the penalties Keras collected in `model.losses` (one per regulariser, four here).

# %%
squares = pd.DataFrame({layer.name: {"||W_l||_F^2": float(np.sum(keras.ops.convert_to_numpy(layer.kernel) ** 2)),
                                     "||b_l||_F^2": float(np.sum(keras.ops.convert_to_numpy(layer.bias) ** 2))}
                        for layer in toy_ae.layers}).T
penalties = sum(float(p) for p in toy_ae.losses)
print(squares.round(4).to_string())
print(f"lam_kit x sum over layers = {lam_kit * squares.to_numpy().sum():.6f}; the {len(toy_ae.losses)} penalties "
      f"Keras adds: {penalties:.6f}")
assert abs(lam_kit * squares.to_numpy().sum() - penalties) < 1e-6 * max(penalties, 1e-12) + 1e-9

# %% [markdown]
# **A pitfall.** Passing the mask as Keras `sample_weight` looks equivalent but is not, for two
# reasons. First, `MeanSquaredError` averages over the last axis *before* it applies
# `sample_weight`: the 5 × 5 weights then multiply the five row means, broadcast so that the weight
# of entry (i, j) meets the mean of row j, not the entry's squared error. Second, with the default
# reduction (`"sum_over_batch_size"`) Keras divides by the number of *all* entries, not by the sum
# of the weights (keras-team/keras#19740), so the loss shrinks as the matrix gets sparser. To weight
# single entries, give the loss one entry per row: flatten to shape (25, 1) with weights of shape
# (25,). Keras 3 also offers `reduction="mean_with_sample_weight"`, which divides by the sum of the
# weights; on the flattened entries that is exactly the masked mean.

# %%
pred = fill(toy_ae, toy.values)
kit_mean = float(masked_mse(toy.values, pred))
weights = toy.mask.astype("float32")
mse = keras.losses.MeanSquaredError()
as_matrix = float(mse(toy.values, pred, sample_weight=weights))
row_means = ((toy.values - pred) ** 2).mean(axis=1)
assert abs(as_matrix - float((row_means[None, :] * weights).sum() / weights.size)) < 1e-5  # what it computed
flat_true, flat_pred, flat_weights = toy.values.reshape(-1, 1), pred.reshape(-1, 1), weights.reshape(-1)
per_entry = float(mse(flat_true, flat_pred, sample_weight=flat_weights))
per_entry_mean = float(keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")(
    flat_true, flat_pred, sample_weight=flat_weights))
print(f"masked mean (masked_mse):                             {kit_mean:.4f}")
print(f"sample_weight as a 5 x 5 matrix:                      {as_matrix:.4f}  (row means x broadcast weights / 25)")
print(f"per-entry sample_weight, default reduction:           {per_entry:.4f}  "
      f"(= masked mean x {n_observed}/{weights.size} = {kit_mean * n_observed / weights.size:.4f})")
print(f"per-entry sample_weight, 'mean_with_sample_weight':   {per_entry_mean:.4f}")
assert abs(per_entry - kit_mean * n_observed / weights.size) < 1e-5
assert abs(per_entry_mean - kit_mean) < 1e-5

# %% [markdown]
# ## Results
# Each toy model's RMSE on the rated entries, next to a yardstick that learned nothing: the mean
# of the rated entries, predicted for every one of them. A model that does not beat it by more
# than 0.005 is named as not having learned the ratings.

# %%
rows = []
for label, matrix, out in (("5 x 5, masked loss", toy, filled), ("5 x 5, unmasked MSE", toy, plain),
                           ("4 x 5, masked loss", toy45, filled45)):
    yardstick = float(np.std(matrix.values[matrix.mask]))  # RMSE of the mean rated value
    rows.append({"model": label, "epochs": TOY_EPOCHS, "RMSE on rated entries": observed_rmse(out, matrix),
                 "mean-rating yardstick": yardstick, "mean prediction at blanks": float(out[~matrix.mask].mean())})
    gap = yardstick - observed_rmse(out, matrix)
    blanks = float(out[~matrix.mask].mean())
    print(f"{label}: RMSE {observed_rmse(out, matrix):.3f} against the yardstick's {yardstick:.3f}: "
          + ("fits the rated entries" if gap > 0.005 else "did NOT learn the ratings (no better than their mean)")
          + (f"; at the blanks it predicts {blanks:.2f} on average, below the lowest star: it learned the 0s as "
             "ratings" if blanks < 1 else ""))
results = pd.DataFrame(rows)
save_results("02_rating_matrix_autoencoder", MODE, results)
results.round(3)

# %% [markdown]
# ## Exercises
# Each exercise has an answer cell. In the students' edition a `grader.check(...)` cell under it
# runs the public checks, which only say whether the answer has the right form (answered, a
# number, a function that returns one number), never whether it is right; the instructor's
# grading runs hidden tests.

# %%
from helpers import grading

grader = grading.grader("02_rating_matrix_autoencoder")

# %% [markdown] question={"name": "q02_1", "points": 3}
# **Exercise 1 (write code).** Write the masked loss yourself, with NumPy:
# `my_masked_mse(y_true, y_pred)` gets a batch of rating rows (`0` = not rated) and the model's
# predictions, both NumPy arrays of shape (rows, items), and returns one number, the mean
# squared error over the *rated* entries. The hidden tests run it on new random batches, and
# they also move the predictions at unrated entries and expect your loss not to move: its
# gradient there must be zero, or training would pull the model towards the zeros.

# %% tags=["solution"]
def my_masked_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error over the entries where y_true != 0."""
    # BEGIN SOLUTION
    rated = y_true != 0
    return float(np.sum((y_pred[rated] - y_true[rated]) ** 2) / max(int(rated.sum()), 1))
    # END SOLUTION


# %% tags=["test"]
def test_q02_1_form(my_masked_mse):
    import numpy as np

    y_true = np.array([[4.0, 0.0, 2.0], [0.0, 5.0, 0.0]], dtype="float32")
    y_pred = np.array([[3.0, 1.0, 2.5], [2.0, 4.0, 3.0]], dtype="float32")
    assert my_masked_mse(y_true, y_pred) is not None, "not answered yet: write the function's body"
    value = np.asarray(my_masked_mse(y_true, y_pred), dtype="float64")
    assert value.size == 1, f"return one number, not an array of shape {value.shape}"
    assert np.isfinite(value).all(), "return a finite number"


test_q02_1_form(my_masked_mse)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_1_value(my_masked_mse):
    import numpy as np

    rng = np.random.default_rng()
    for _ in range(5):
        rows, cols = int(rng.integers(3, 20)), int(rng.integers(4, 30))
        y_true = rng.integers(1, 6, size=(rows, cols)).astype("float32")
        y_true[rng.random((rows, cols)) < rng.uniform(0.4, 0.85)] = 0.0
        y_true[0, 0], y_true[-1, -1] = float(rng.integers(1, 6)), 0.0  # at least one rated, one not
        y_pred = rng.normal(3.0, 1.5, size=(rows, cols)).astype("float32")
        rated = y_true != 0
        expected = float(np.sum((y_pred[rated] - y_true[rated]) ** 2) / rated.sum())
        got = float(np.asarray(my_masked_mse(y_true.copy(), y_pred.copy()), dtype="float64"))
        assert np.isclose(got, expected, rtol=1e-4, atol=1e-6), \
            f"on a random {rows} x {cols} batch: {got:.6g}, not the mean squared error over the rated entries"
        moved = y_pred.copy()
        moved[~rated] += rng.normal(0.0, 5.0, size=int((~rated).sum())).astype("float32")
        again = float(np.asarray(my_masked_mse(y_true.copy(), moved), dtype="float64"))
        assert np.isclose(again, got, rtol=1e-5, atol=1e-6), "changing only unrated predictions changed the loss"


test_q02_1_value(my_masked_mse)  # IGNORE

# %% [markdown] question={"name": "q02_2", "points": 1}
# **Exercise 2.** The kit clips predictions to the 1–5 scale before it scores them. A model
# predicts `[5.6, 2.1, 0.3, 3.8]` for ratings `[5, 2, 1, 4]`. What is the RMSE *after clipping*?
# Give it to four decimal places.

# %% tags=["solution"]
answer_2 = 0.1118  # SOLUTION

# %% tags=["test"]
def test_q02_2_form(answer_2):
    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_2, (int, float)), "the answer is a number"
    assert answer_2 >= 0, "an RMSE is never negative"


test_q02_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_2_value(answer_2):
    import math

    expected = math.sqrt((0.0**2 + 0.1**2 + 0.0**2 + 0.2**2) / 4)  # 5.6 -> 5, 0.3 -> 1
    assert abs(answer_2 - expected) < 6e-5, "not the RMSE of the clipped predictions"


test_q02_2_value(answer_2)  # IGNORE

# %% [markdown] question={"name": "q02_3", "points": 2}
# **Exercise 3.** Take the slide's 4 × 5 matrix $R$ the other way round: one example per
# *item*, so each example holds that item's ratings by the four users. An autoencoder with 2
# hidden units (one encoder and one decoder `Dense` layer, both with biases) reads these
# examples. How many numbers does the regularisation term $\sum_l^L (\lVert W_l\rVert_F^2 +
# \lVert b_l\rVert_F^2)$ add up the squares of?

# %% tags=["solution"]
answer_3 = 22  # SOLUTION

# %% tags=["test"]
def test_q02_3_form(answer_3):
    assert answer_3 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_3, int), "the answer is a whole number"


test_q02_3_form(answer_3)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_3_value(answer_3):
    assert answer_3 == 4 * 2 + 2 + 2 * 4 + 4, "not the number of weights and biases"


test_q02_3_value(answer_3)  # IGNORE

# %% [markdown]
# ## What's next
# Notebook **03** trains this model, AutoRec, with this objective on MovieLens 100K: it searches λ
# and input dropout on a validation slice (in full mode), measures what L2 does against overfitting,
# compares the model with baselines, and turns the filled-in matrix into recommendations.
