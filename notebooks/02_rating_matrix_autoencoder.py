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
# A recommender's data is a user × item matrix of ratings, most of them missing. An autoencoder
# trained to rebuild the ratings that *are* there can learn enough structure to fill in the rest,
# and the filled-in entries are the predictions. This notebook works through the lecture's two
# small matrices and its objective in Keras code small enough to check by hand; notebook 03 trains
# the same model (AutoRec) on MovieLens.
#
# **After this notebook you can**
# - explain why the blanks of a rating matrix are the predictions, and why the loss must ignore
#   them (the masked loss);
# - read the lecture's objective symbol by symbol and write it in Keras: the error on the observed
#   ratings plus L2 on the weights and biases of every layer;
# - say what a model can and cannot predict for an item nobody rated.
#
# **What you should see** (the run prints each one)
# 1. The masked model fits the rated entries and fills the blanks with numbers rating-sized on
#    average (some can leave the 1–5 scale); with plain MSE the same network predicts near 0
#    there (Results: verdicts, "mean prediction at blanks").
# 2. Training leaves the decoder's weights for i4, the item nobody rated, "unchanged"; its output
#    changes with the seed (section 1).
# 3. With the Keras L2 weight set to λ/n, n times what Keras minimises equals the slide's objective
#    (section 2 prints both).

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
# autoencoder to rebuild each user's row (one example) from that same row, **scoring it only on
# the rated entries**, and read its output at the blanks. This **masked loss** is a handful of
# Keras operations: a 0/1 mask of the rated entries, the squared errors times the mask, and the
# mean over the rated entries (Keras's built-in `MeanSquaredError` averages each row over all its
# entries before any `sample_weight` applies, so it cannot leave the blanks out).

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
# The `#| export` line marks the cell for the kit's library: `make sync` copies it into
# `helpers/masked_loss.py` (the module `#| default_exp` names), where notebook 03 imports it.
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
blanks = filled[~toy.mask]
print(f"{masked_model.count_params()} parameters fitted to {int(toy.mask.sum())} ratings: RMSE on them "
      f"{observed_rmse(filled, toy):.3f}; predictions at the blanks: {blanks.min():.2f} to {blanks.max():.2f}, "
      f"mean {blanks.mean():.2f}: " + ("rating-sized on average" if 1 <= blanks.mean() <= 5 else "NOT rating-sized"))

# %% [markdown]
# The network has more numbers to tune than ratings to fit (printed above). Nothing in the loss
# ties the blanks to the 1–5 scale, so a prediction can fall outside it. The kit clips predictions
# to the scale before it **scores** them (`evaluation.rmse`, `evaluation.mae`) or shows them in a
# table, but **ranks** films (`autorec.recommend`) by the raw output: clipping would tie every
# prediction above 5. This notebook's heatmaps and `observed_rmse` show the raw output: the fit itself.

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
# The same masked autoencoder (5 → 3 → 5) fills them in. Look at column **i4**: nobody rated it,
# so it has no column mean (0 ratings divided by 0), and the network cannot learn it either. The
# masked loss never looks at i4, so the gradient for the decoder's weights $W_{i4}$ and bias
# $b_{i4}$ of i4 is exactly zero and Adam leaves them as initialised. The "prediction"
# $W_{i4} \cdot h + b_{i4}$, with a random $W_{i4}$ and $b_{i4} = 0$, says nothing about the item
# and changes with the seed.

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
spread = float((i4_by_seed.max(axis=1) - i4_by_seed.min(axis=1)).max())
print(f"largest difference between seeds at i4: {spread:.2f}: the output there "
      + ("changes with the seed: nothing in the data sets it" if spread > 0.01 else "does not change with the seed"))
assert np.allclose(i4_start, i4_end), "no gradient reaches the output unit of an item nobody rated"
assert np.isnan(toy45.frame()["i4"].mean())

# %% [markdown]
# The blanks of i1, i2, i3 and i5 are filled from what the other users rated, but loosely: with
# more parameters than ratings, the network fits the ratings exactly and its blanks can land
# anywhere, even off the scale (the heatmap). The i4 column is untrained noise from initialisation. The L2 term of section 2 would pull $W_{i4}$ and $b_{i4}$,
# and so the output, towards 0: steadier, and still nothing about the item. On MovieLens
# (notebook 03) the kit answers items and users with no training ratings from a bias baseline
# instead, and counts how often it did.

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
# | the slide | what it is | in Keras |
# | --- | --- | --- |
# | $\tilde X$ | the observed input: the rating matrix, one example per row, 0 at a blank | `toy.values` |
# | $\hat X$ | the reconstruction: the network's output for every entry, blanks included | `model(toy.values)` (`fill`) |
# | $\lVert\tilde X - \hat X\rVert_F^2$, "Training error on observed ratings" | a sum of squared differences, restricted by its label to the observed ratings (over every entry it is section 1's unmasked loss) | `masked_mse`: the **mean** over the rated entries instead of the sum |
# | $l = 1, \dots, L$ | the layers with weights; $L = 2$ here | the encoder and decoder `Dense` layers |
# | $W_l$, $b_l$ | layer $l$'s weight matrix and bias vector | `layer.kernel`, `layer.bias` |
# | $\lVert W_l\rVert_F^2 + \lVert b_l\rVert_F^2$ | the squares of layer $l$'s weights, summed, plus those of its biases | `kernel_regularizer=keras.regularizers.L2(...)` and `bias_regularizer=...` |
# | $\lambda$ | how much the penalty weighs against the error | `LAM_SUM`; in Keras `lam_kit` $= \lambda / n$ (below) |
#
# The AutoRec paper (Sedhain et al., 2015), which notebook 03 follows, writes the error over the
# observed entries as $\lVert\cdot\rVert^2_{\mathcal O}$ and penalises the weights only, with
# $\frac{\lambda}{2}$; the kit follows the slide and penalises the biases too.
#
# **Sum or mean.** Keras minimises a mean: `masked_mse` divides the squared errors by the number
# $n$ of observed ratings, and each `L2(lam_kit)` regulariser adds `lam_kit` times the sum of
# squares of its tensor. With `lam_kit` $= \lambda / n$ that is the slide's objective divided by
# $n$, at any weights: the same minimiser, gradients $n$ times smaller. With mini-batches each step
# adds the penalties once while its mean covers one batch: over an epoch of $B$ equal batches the
# steps add up to $B/n$ times the slide's objective, still with $\lambda$ = $n$ · `lam_kit` and $n$
# the number of **all** observed training ratings, not a batch's. The cell below builds the toy
# model with L2 on both layers' weights and biases, trains it, and evaluates both objectives at
# its trained weights.

# %%
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

x_hat = fill(toy_ae, toy.values)  # X̂, the reconstruction of X̃ = toy.values
squares = pd.DataFrame({layer.name: {"||W_l||_F^2": float(np.sum(layer.get_weights()[0] ** 2)),
                                     "||b_l||_F^2": float(np.sum(layer.get_weights()[1] ** 2))}
                        for layer in toy_ae.layers}).T
error = float(np.sum((x_hat - toy.values)[toy.mask] ** 2))  # over the observed ratings only
slide_value = error + LAM_SUM * float(squares.to_numpy().sum())
keras_value = float(masked_mse(toy.values, x_hat)) + sum(float(p) for p in toy_ae.losses)  # losses: the L2 terms
print(squares.round(4).to_string())
print(f"slide's objective, λ = {LAM_SUM}: {error:.5f} + {LAM_SUM} x {squares.to_numpy().sum():.4f} = {slide_value:.5f}")
print(f"{n_observed} x what Keras minimises (masked_mse + its {len(toy_ae.losses)} L2 penalties, "
      f"lam_kit = {LAM_SUM}/{n_observed}): {n_observed * keras_value:.5f}")
assert abs(slide_value - n_observed * keras_value) < 1e-4 * slide_value

# %% [markdown]
# ## Results
# Each toy model's RMSE on the rated entries, next to a yardstick that learned nothing: the mean
# of the rated entries, predicted for every one of them. A model that does not beat it by more
# than 0.005 did not fit the ratings; one whose blanks average below 0.5 learned the 0s as ratings.

# %%
rows = []
for label, matrix, out in (("5 x 5, masked loss", toy, filled), ("5 x 5, unmasked MSE", toy, plain),
                           ("4 x 5, masked loss", toy45, filled45)):
    yardstick = float(np.std(matrix.values[matrix.mask]))  # RMSE of the mean rated value
    rmse, blanks = observed_rmse(out, matrix), float(out[~matrix.mask].mean())
    rows.append({"model": label, "epochs": TOY_EPOCHS, "RMSE on rated entries": rmse,
                 "mean-rating yardstick": yardstick, "mean prediction at blanks": blanks})
    print(f"{label}: RMSE {rmse:.3f} against the yardstick's {yardstick:.3f}: "
          + ("fits the rated entries" if yardstick - rmse > 0.005 else "did NOT fit the rated entries")
          + (f", but predicts {blanks:.2f} at the blanks on average, nearer 0 than the lowest star: it "
             "learned the 0s as ratings (the wrong model)" if blanks < 0.5 else ""))
results = pd.DataFrame(rows)
save_results("02_rating_matrix_autoencoder", MODE, results)
results.round(3)

# %% [markdown]
# ## Exercises
# Under each answer cell of the students' edition, a `grader.check(...)` cell runs the public
# checks: they only say whether the answer has the right form, never whether it is right; the
# instructor's grading runs hidden tests.

# %%
from helpers import grading

grader = grading.grader("02_rating_matrix_autoencoder")

# %% [markdown] question={"name": "q02_1", "points": 3}
# **Exercise 1 (write code).** Write the masked loss yourself, with NumPy:
# `my_masked_mse(y_true, y_pred)` gets a batch of rating rows (`0` = not rated) and the model's
# predictions, both NumPy arrays of shape (rows, items), and returns one number, the mean
# squared error over the *rated* entries. The hidden tests run it on new random batches, and
# they also move the predictions at unrated entries and expect your loss not to move.

# %% tags=["solution"]
def my_masked_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error over the entries where y_true != 0."""
    # BEGIN SOLUTION
    rated = y_true != 0
    return float(np.sum((y_pred[rated] - y_true[rated]) ** 2) / max(int(rated.sum()), 1))
    # END SOLUTION


# %% tags=["test"]
def test_q02_1_form(my_masked_mse):
    import numbers

    import numpy as np

    y_true = np.array([[4.0, 0.0, 2.0], [0.0, 5.0, 0.0]], dtype="float32")
    y_pred = np.array([[3.0, 1.0, 2.5], [2.0, 4.0, 3.0]], dtype="float32")
    value = my_masked_mse(y_true, y_pred)
    assert value is not None, "not answered yet: write the function's body"
    assert np.ndim(value) == 0, f"return one number, not an array of shape {np.shape(value)}"
    assert not isinstance(value, (bool, np.bool_)), "return a number, not True or False"
    assert isinstance(value, numbers.Real) or np.issubdtype(np.asarray(value).dtype, np.number), "return a number"
    assert np.isfinite(float(value)), "return a finite number"


test_q02_1_form(my_masked_mse)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_1_value(my_masked_mse):
    import numpy as np

    from helpers import grading

    assert not grading.kit_names_used(my_masked_mse), "write the NumPy code yourself: it calls the kit's " \
        + ", ".join(grading.kit_names_used(my_masked_mse))
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
    import numbers

    import numpy as np

    assert answer_2 is not ..., "not answered yet: replace ... with your answer"
    assert np.ndim(answer_2) == 0 and not isinstance(answer_2, (bool, np.bool_)), "the answer is one number"
    assert isinstance(answer_2, numbers.Real) or np.issubdtype(np.asarray(answer_2).dtype, np.number), \
        "the answer is a number"
    assert float(answer_2) >= 0, "an RMSE is never negative"


test_q02_2_form(answer_2)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_2_value(answer_2):
    import math

    expected = math.sqrt((0.0**2 + 0.1**2 + 0.0**2 + 0.2**2) / 4)  # 5.6 -> 5, 0.3 -> 1
    assert abs(float(answer_2) - expected) < 6e-5, "not the RMSE of the clipped predictions"


test_q02_2_value(answer_2)  # IGNORE

# %% [markdown] question={"name": "q02_3", "points": 3}
# **Exercise 3 (write code).** Write the slide's objective in Keras: `slide_objective(model,
# ratings, lam)` gets a Keras model (a stack of `Dense` layers with biases), a batch of rating rows
# (a NumPy array, `0` = not rated) and λ, and returns, as a scalar tensor, the objective on that
# batch: the **sum** of the squared errors over the rated entries, plus λ times the sum of the
# squares of every weight and every bias of the model (`model.trainable_weights` lists them).
# Compute it with `keras.ops`, not NumPy, so that Keras can differentiate it. The hidden tests build
# models of random sizes and weights, compare your value and its gradient with their own, and move
# the predictions for an item nobody in the batch rated: only the penalty may change.

# %% tags=["solution"]
def slide_objective(model: keras.Model, ratings: np.ndarray, lam: float):
    """Squared error over the rated entries of `ratings` plus lam x the squares of all weights and biases."""
    # BEGIN SOLUTION
    x = keras.ops.convert_to_tensor(ratings, dtype="float32")
    x_hat = model(x)
    rated = keras.ops.cast(keras.ops.not_equal(x, 0.0), x_hat.dtype)
    error = keras.ops.sum(rated * keras.ops.square(x_hat - x))
    penalty = keras.ops.sum(keras.ops.stack([keras.ops.sum(keras.ops.square(w)) for w in model.trainable_weights]))
    return error + lam * penalty
    # END SOLUTION


# %% tags=["test"]
def test_q02_3_form(slide_objective):
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="sigmoid"), keras.layers.Dense(4)])
    ratings = np.array([[5.0, 0.0, 3.0, 0.0], [0.0, 2.0, 0.0, 4.0]], dtype="float32")
    value = slide_objective(model, ratings, 0.1)
    assert value is not None, "not answered yet: write the function's body"
    assert keras.ops.is_tensor(value), "return a tensor computed with keras.ops: Keras cannot differentiate NumPy"
    assert np.ndim(keras.ops.convert_to_numpy(value)) == 0, "return one number (a scalar tensor)"
    assert np.isfinite(keras.ops.convert_to_numpy(value)), "return a finite number"


test_q02_3_form(slide_objective)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q02_3_objective(slide_objective):
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import grading

    assert not grading.kit_names_used(slide_objective), "write the Keras code yourself: it calls the kit's " \
        + ", ".join(grading.kit_names_used(slide_objective))
    rng = np.random.default_rng()
    act = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}
    for _ in range(3):
        items, hidden = int(rng.integers(4, 20)), [int(u) for u in rng.integers(2, 8, size=int(rng.integers(1, 3)))]
        kinds = [str(k) for k in rng.choice(list(act), size=len(hidden))]
        model = keras.Sequential([keras.Input((items,)), *[keras.layers.Dense(u, activation=k) for u, k in
                                                           zip(hidden, kinds)], keras.layers.Dense(items)])
        model.set_weights([rng.normal(0.0, 0.5, w.shape).astype("float32") for w in model.get_weights()])  # biases too
        ratings = rng.integers(1, 6, size=(int(rng.integers(2, 10)), items)).astype("float32")
        ratings[rng.random(ratings.shape) < 0.5] = 0.0
        nobody = int(rng.integers(items))  # an item nobody in the batch rated
        ratings[:, nobody], ratings[0, (nobody + 1) % items] = 0.0, 4.0
        lam = float(rng.uniform(0.05, 1.0))
        weights = [w.astype("float64") for w in model.get_weights()]
        out = ratings.astype("float64")  # the model's output, in NumPy
        for w, b, kind in zip(weights[0::2], weights[1::2], kinds + ["linear"]):
            out = act[kind](out @ w + b) if kind in act else out @ w + b
        rated = ratings != 0
        error, penalty = float(np.sum((out - ratings)[rated] ** 2)), sum(float(np.sum(w**2)) for w in weights)
        expected = error + lam * penalty
        with tf.GradientTape() as tape:
            value = slide_objective(model, ratings.copy(), lam)
        assert keras.ops.is_tensor(value), "return a tensor computed with keras.ops"
        got = float(keras.ops.convert_to_numpy(value))
        wrong = {"the blanks count in your error term": float(np.sum((out - ratings) ** 2)) + lam * penalty,
                 "your penalty leaves out the biases": error + lam * sum(float(np.sum(w**2)) for w in weights[0::2]),
                 "the slide sums the squared errors, yours averages them": error / rated.sum() + lam * penalty}
        right = np.isclose(got, expected, rtol=1e-4, atol=1e-4)
        for hint, value_if_wrong in wrong.items():
            assert right or not np.isclose(got, value_if_wrong, rtol=1e-4, atol=1e-4), hint
        assert right, f"{got:.6g} on a random model and batch, not the slide's objective ({expected:.6g})"
        grads = tape.gradient(value, model.trainable_weights)
        assert all(g is not None for g in grads), "some weights get no gradient: compute with keras.ops, not NumPy"
        grad_bias = 2 * np.sum((out - ratings) * rated, axis=0) + 2 * lam * weights[-1]  # the output layer's bias
        assert np.allclose(keras.ops.convert_to_numpy(grads[-1]), grad_bias, rtol=1e-3, atol=1e-3), \
            "the gradient of your objective is not the slide's"
        moved = model.get_weights()
        before = float(moved[-1][nobody])
        moved[-1][nobody] += rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 3.0)  # moves the predictions for that item
        model.set_weights(moved)
        again = float(keras.ops.convert_to_numpy(slide_objective(model, ratings.copy(), lam)))
        change = lam * (float(moved[-1][nobody]) ** 2 - before**2)
        assert np.isclose(again - got, change, rtol=1e-3, atol=1e-3 + 1e-5 * abs(got)), \
            "moving the predictions for an item nobody rated changed your error term: count the rated entries only"


test_q02_3_objective(slide_objective)  # IGNORE

# %% [markdown]
# ## What's next
# Notebook **03** trains this model, AutoRec, with this objective on MovieLens 100K: it searches λ
# and input dropout on a validation slice (in full mode), measures what L2 does against overfitting,
# compares the model with baselines, and turns the filled-in matrix into recommendations.
