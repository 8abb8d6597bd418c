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
# # 02 · The rating-matrix autoencoder: from the slide's toy matrix to AutoRec on MovieLens
#
# A recommender's data is a user × item matrix of ratings in which almost every entry is
# missing. An autoencoder trained to rebuild the entries that *are* there learns enough
# structure to fill in the ones that are not, and those filled-in entries are the
# predictions. This notebook builds that idea up from the lecture's 5 × 5 matrix to AutoRec
# (Sedhain et al., 2015) on MovieLens 100K, measured against baselines and published results.
#
# **After this notebook you can**
# - explain why the blanks of a rating matrix are the predictions, and why the loss must
#   ignore them (the masked loss), with the lecture's objective written out and in code;
# - train I-AutoRec and U-AutoRec on MovieLens, choosing λ and the model on a validation
#   slice (never the test set), and compare RMSE/MAE with baselines and published numbers;
# - turn predictions into top-10 recommendations, measure Recall@10 and NDCG@10, and find
#   similar films from the learned item codes;
# - recommend for a brand-new user without retraining, and scale the same code to data too
#   large to hold as a dense matrix.
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

SPLIT = "u1"  # the canonical MovieLens 100K split (u1..u5, ua, ub)
SELECT = by_mode(True, False, False)  # choose λ and dropout on the validation slice (about 1-2 minutes)
EPOCHS = by_mode(None, 20, 2)  # None = the chosen configuration's 30 epochs
SMOKE_ITEMS = smoke_or(None, 300)  # smoke mode keeps only items with id <= 300
TOY_EPOCHS = smoke_or(800, 300)  # passes over the slide's toy matrices (a multiple of 100)
RUN_ML1M = by_mode(True, False, False)  # MovieLens 1M: downloads about 6 MB; skipped when offline
SEED = 0
BOOST_EPOCHS = smoke_or(10, 1)  # epochs of each rating-autoencoder variant in section 3's boosting table

# %%
from helpers.params import check_params

check_params(SPLIT=(SPLIT, str), SELECT=(SELECT, bool), EPOCHS=(EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), TOY_EPOCHS=(TOY_EPOCHS, int, 100),
             RUN_ML1M=(RUN_ML1M, bool), SEED=(SEED, int, 0))

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, losses, models, plots, ratings, runtime, training
from helpers.report import save_results

runtime.set_seed(SEED)

# %% [markdown]
# ## 1. The slide's matrices: the blanks are the predictions
# The lecture's first matrix: 5 users × 5 items, `0` = not rated.

# %%
toy = datasets.load_toy_matrix("5x5")
print(f"{toy.mask.sum()} of {toy.mask.size} entries rated")
toy.frame()

# %% [markdown]
# A recommender wants the missing entries: would user u3 like item i1? So we train an
# autoencoder to rebuild each user's row from that same row, **scoring it only on the entries
# that were rated**, and then read its output at the blank positions. (Each user's row is one
# example here; on MovieLens we will also use each item's column.)

# %%
def fit_whole_matrix(model: keras.Model, matrix: np.ndarray, epochs: int) -> None:
    """`epochs` passes over a toy matrix, each one optimizer step on the whole matrix as one batch.

    Keras pays a fixed cost per epoch, which for a 5-row matrix is most of the time; so the
    matrix is stacked 100 times and each Keras epoch runs 100 batches, each batch exactly the
    whole matrix (shuffle=False keeps the copies apart). The steps are the same as with
    `model.fit(matrix, matrix, epochs=epochs, batch_size=len(matrix))`, about 20 times faster.
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


masked_model = toy_autoencoder(losses.masked_mse)
filled = fill(masked_model, toy.values)
plots.rating_heatmap(filled, toy.mask, toy.users, toy.items, title="masked loss: observed (framed) and predicted")
plt.show()
observed_rmse = float(np.sqrt(np.mean((filled[toy.mask] - toy.values[toy.mask]) ** 2)))
print(f"RMSE on the 11 observed entries: {observed_rmse:.3f}; predictions at the blanks: "
      f"{filled[~toy.mask].min():.2f} to {filled[~toy.mask].max():.2f}")
assert observed_rmse < 0.6

# %% [markdown]
# With 11 ratings and 38 weights the network can fit the observed entries closely (the RMSE
# printed above), and nothing in the loss ties the blanks to the 1–5 scale, so a prediction can
# even fall outside it. The kit clips predictions to the scale before it **scores** them
# (`evaluation.rmse`, `evaluation.mae`) and where it **shows** a predicted rating; it **ranks**
# films (`autorec.recommend`, `evaluation.ranking_metrics`) by the raw predictions, because
# clipping would turn every prediction above 5 into a tie at 5. On real data, with many more
# ratings than the code can memorise, L2 regularisation keeps the blanks sensible (section 3).

# %% [markdown]
# ### What goes wrong without the mask
# Train the same network with plain MSE over *all* 25 entries and it is rewarded for
# predicting the zeros: to the loss, "not rated" looks like "rated 0".

# %%
plain_model = toy_autoencoder("mse")
plain = fill(plain_model, toy.values)
plots.rating_heatmap(plain, toy.mask, toy.users, toy.items, title="unmasked MSE: it learns the zeros")
plt.show()
print(f"mean prediction at the blanks: masked {filled[~toy.mask].mean():.2f}, unmasked {plain[~toy.mask].mean():.2f}")
assert plain[~toy.mask].mean() < filled[~toy.mask].mean()

# %% [markdown]
# The lecture's second matrix (users u1–u4, items i1–i5) leaves blanks instead of zeros. In
# the model's input a blank becomes 0 as well; the mask is what tells the two meanings apart.

# %%
toy45 = datasets.load_toy_matrix("4x5")
toy45.frame()

# %% [markdown]
# ### Filling in the 4 × 5 matrix, and the column nobody rated
# The same masked autoencoder (5 → 3 → 5, sigmoid code, linear output), trained on these four
# users. Look at column **i4**: nobody rated it. Its column mean, the simplest fallback, does not
# exist (0 ratings divided by 0). And the network cannot learn it either: the masked loss never
# looks at i4, so the gradient with respect to the decoder's row for i4 (its weights $W_{i4}$ and
# its bias $b_{i4}$) is exactly zero, and Adam leaves them where initialisation put them. Since
# the input at i4 is always 0, the encoder's weights for i4 never move either. The model's "prediction" for
# i4 is $W_{i4} \cdot h + b_{i4}$ with an untrained $W_{i4}$ (random) and $b_{i4} = 0$: it says
# nothing about the item, and it changes with the random seed.

# %%
I4 = toy45.items.index("i4")


def fill_toy45(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train 5 -> 3 -> 5 with the masked loss on the 4 x 5 matrix: predictions, and the decoder's
    weights and bias for i4 before and after training."""
    runtime.set_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="sigmoid", name="encoder"),
                              keras.layers.Dense(5, name="decoder")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=losses.masked_mse)
    decoder = model.get_layer("decoder")

    def i4_weights() -> np.ndarray:
        return np.append(keras.ops.convert_to_numpy(decoder.kernel)[:, I4], keras.ops.convert_to_numpy(decoder.bias)[I4])

    start = i4_weights()
    fit_whole_matrix(model, toy45.values, TOY_EPOCHS)
    return fill(model, toy45.values), start, i4_weights()


filled45, i4_start, i4_end = fill_toy45(SEED)
plots.rating_heatmap(filled45, toy45.mask, toy45.users, toy45.items, title="4 x 5, masked loss: i4 was never rated")
plt.show()
fit45 = float(np.sqrt(np.mean((filled45[toy45.mask] - toy45.values[toy45.mask]) ** 2)))
print(f"RMSE on the {int(toy45.mask.sum())} observed entries: {fit45:.3f}")
print("column means of the observed ratings:", toy45.frame().mean().round(2).to_dict())
print(f"decoder weights and bias for i4, before training {np.round(i4_start, 3)}, after {np.round(i4_end, 3)}: "
      + ("unchanged" if np.allclose(i4_start, i4_end) else "changed"))
i4_by_seed = pd.DataFrame({f"seed {s}": fill_toy45(s)[0][:, I4] for s in (SEED, SEED + 1, SEED + 2)}, index=toy45.users)
print("the raw output at i4 for each user, three random seeds (the kit would clip it to 1-5 before showing it):")
print(i4_by_seed.round(2).to_string())
assert np.allclose(i4_start, i4_end), "no gradient reaches the output unit of an item nobody rated"
assert np.isnan(toy45.frame()["i4"].mean())

# %% [markdown]
# The observed entries are fitted, the blanks of i1, i2, i3 and i5 are filled from what the
# other users rated, and the i4 column is noise from initialisation: the printed values differ
# from seed to seed, and none of them is trained. Had the output layer been regularised with L2,
# the decay would pull $W_{i4}$ towards 0 and the output towards $b_{i4} = 0$, the most
# trustworthy-looking number with the least information behind it. On MovieLens the kit answers
# items (and users) with no training ratings from the bias baseline instead (`n_fallback` in the
# results table), and says so.

# %% [markdown]
# ## 2. The objective, term by term
# AutoRec (Sedhain et al., 2015) rebuilds a vector of ratings $\mathbf r$ (one item's ratings
# by all users, for I-AutoRec) as
#
# $$
# h(\mathbf r; \theta) = f\big(W \cdot g(V \mathbf r + \boldsymbol\mu) + \mathbf b\big)
# $$
#
# with the **encoder** $V, \boldsymbol\mu$ ($g$ = sigmoid) and the **decoder** $W, \mathbf b$
# ($f$ = identity), and minimises, over the observed ratings only ($\lVert\cdot\rVert_{\mathcal O}$),
#
# $$
# \min_{\theta}\; \sum_{i} \big\lVert \mathbf r^{(i)} - h(\mathbf r^{(i)};\theta)\big\rVert^2_{\mathcal O}
# \;+\; \frac{\lambda}{2}\,\big(\lVert W\rVert_F^2 + \lVert V\rVert_F^2\big).
# $$
#
# | the paper | in the kit |
# | --- | --- |
# | encoder $V$ ($k \times n$), $\boldsymbol\mu$ | the `encoder` Dense layer: its kernel is $V^\top$ ($n \times k$), its bias is $\boldsymbol\mu$ |
# | decoder $W$ ($n \times k$), $\mathbf b$ | the `decoder` Dense layer: kernel $W^\top$, bias $\mathbf b$ |
# | $\sum_i \lVert \mathbf r^{(i)} - h(\mathbf r^{(i)})\rVert^2_{\mathcal O}$ | `losses.masked_mse`: squared error where `y_true != 0`, **averaged over the observed entries** instead of summed |
# | $\frac{\lambda}{2}(\lVert W\rVert_F^2 + \lVert V\rVert_F^2)$ | `kernel_regularizer=keras.regularizers.L2(λ)` on both layers: Keras adds $\lambda \lVert\cdot\rVert^2$, without the $\frac12$ |
# | (not in the paper) | `bias_regularizer=keras.regularizers.L2(λ)`: the kit also penalises the biases $\boldsymbol\mu, \mathbf b$ |
#
# `losses.l2_regularizers(λ)` returns both regularisers, and `losses.lecture_objective(model,
# ratings, λ)` evaluates the **summed** objective: squared errors summed over the observed
# ratings plus λ times the squares of all weights and biases. The kit's objective is the mean
# over the $n$ observed ratings plus $\lambda_{\text{kit}}$ times the same squares, so with
# $\lambda_{\text{kit}} = \lambda / n$ it is exactly the summed objective divided by $n$: same
# minimiser, gradients $n$ times smaller. Keras takes the mean over each batch's observed
# ratings, so in training $n$ is the number of observed ratings in a batch. The check below
# builds the toy model with $\lambda_{\text{kit}} = \lambda / n$ and compares both objectives
# and their gradients.

# %%
import tensorflow as tf

lam_sum = 0.01  # λ of the summed objective
n_observed = int(toy.mask.sum())
lam_kit = lam_sum / n_observed
runtime.set_seed(SEED)
toy_ae = keras.Sequential([
    keras.Input((5,)),
    keras.layers.Dense(3, activation="sigmoid", name="encoder", **losses.l2_regularizers(lam_kit)),  # V, μ
    keras.layers.Dense(5, name="decoder", **losses.l2_regularizers(lam_kit)),  # W, b
])
toy_ratings = tf.constant(toy.values)
observed = tf.cast(toy_ratings != 0, "float32")
with tf.GradientTape(persistent=True) as tape:
    out = toy_ae(toy_ratings)
    summed = tf.reduce_sum(observed * (toy_ratings - out) ** 2) \
        + lam_sum * tf.add_n([tf.reduce_sum(w**2) for w in toy_ae.trainable_weights])
    kit = losses.masked_mse(toy_ratings, out) + tf.add_n(toy_ae.losses)  # what the kit minimises
grads_summed = tape.gradient(summed, toy_ae.trainable_weights)
grads_kit = tape.gradient(kit, toy_ae.trainable_weights)
worst = max(float(np.max(np.abs(gs - n_observed * gk)) / np.max(np.abs(gs))) for gs, gk in zip(grads_summed, grads_kit))
print(f"summed objective, λ = {lam_sum}: {float(summed):.5f} (losses.lecture_objective: "
      f"{losses.lecture_objective(toy_ae, toy.values, lam_sum):.5f})")
print(f"{n_observed} x kit objective, λ_kit = {lam_sum}/{n_observed}: {n_observed * float(kit):.5f}")
print(f"gradients: summed = {n_observed} x kit for all {len(grads_kit)} weight tensors "
      f"(largest relative difference {worst:.1e})")
assert abs(float(summed) - n_observed * float(kit)) < 1e-4 * float(summed)
assert abs(losses.lecture_objective(toy_ae, toy.values, lam_sum) - float(summed)) < 1e-4 * float(summed)
assert worst < 1e-4
pred = fill(toy_ae, toy.values)
kit_mean = float(losses.masked_mse(toy.values, pred))

# %% [markdown]
# ### The same objective in the lecture's notation
# The lecture writes the objective for the whole matrix at once, with $\tilde X$, the squared
# Frobenius norm $\lVert\cdot\rVert_F^2$ and a sum over the layers $l$. The symbols map onto the
# paper's and the kit's as follows.
#
# | the lecture | what it is | the AutoRec paper | the kit |
# | --- | --- | --- | --- |
# | $X$ | the rating matrix, one example per row (0 = not rated) | the vectors $\mathbf r^{(i)}$, stacked | `toy.values`; `ratings.rating_matrix(...)` on MovieLens |
# | $\tilde X$ | the reconstruction: the network's output for every entry, blanks included | $h(\mathbf r^{(i)};\theta)$, stacked | `model.predict(X)`; `TrainedAutoRec.predicted` |
# | $\lVert X - \tilde X\rVert_F^2$ | the squared Frobenius norm: the sum of the squared entries of $X - \tilde X$, **all** of them | $\sum_i \lVert \mathbf r^{(i)} - h(\mathbf r^{(i)})\rVert^2$ without the $\mathcal O$ | plain `"mse"` (the mean instead of the sum): the unmasked model of section 1 |
# | the same over the rated entries only | the masked reconstruction error | $\lVert\cdot\rVert^2_{\mathcal O}$ | `losses.masked_mse` (the mean over the rated entries) |
# | $\sum_l \lVert W_l\rVert_F^2$ | for every layer $l$, the sum of its squared weights, added up over the layers | $\lVert W\rVert_F^2 + \lVert V\rVert_F^2$: two layers | `kernel_regularizer` on each Dense layer; Keras adds every layer's penalty to `model.losses` |
# | $\lambda$ | the weight of the penalty | $\frac{\lambda}{2}$ | $\lambda_{\text{kit}} = \lambda / n$ (see above) |
#
# Two things to watch. Over a rating matrix the Frobenius norm must run over the rated entries
# only, or the objective is the one that learned the zeros in section 1. And a tilde is not
# always the output: texts on denoising autoencoders (notebook 04) often write $\tilde{\mathbf x}$
# for the *corrupted input*; read the symbol from where it sits in the formula. The cell below
# checks the sum over layers on the toy model: the kernel penalties Keras adds are
# $\lambda_{\text{kit}} \sum_l \lVert W_l\rVert_F^2$.

# %%
frobenius = {layer.name: float(np.sum(keras.ops.convert_to_numpy(layer.kernel) ** 2)) for layer in toy_ae.layers}
kernel_penalties = sum(float(layer.kernel_regularizer(layer.kernel)) for layer in toy_ae.layers)
print("||W_l||_F^2 per layer:", {k: round(v, 4) for k, v in frobenius.items()})
print(f"λ_kit x sum over layers = {lam_kit * sum(frobenius.values()):.6f}; the kernel penalties Keras adds: "
      f"{kernel_penalties:.6f}")
assert abs(lam_kit * sum(frobenius.values()) - kernel_penalties) < 1e-6 * max(kernel_penalties, 1e-12) + 1e-9

# %% [markdown]
# **A pitfall.** Passing the mask as Keras `sample_weight` looks equivalent but is not, for two
# reasons. First, `MeanSquaredError` averages over the last axis *before* it applies
# `sample_weight`: a 5 × 5 matrix of weights then multiplies five row means (broadcast across
# the rows), not the 25 squared errors. Second, with the default reduction
# (`"sum_over_batch_size"`) Keras divides by the number of *all* entries, not by the sum of
# the weights (keras-team/keras#19740), so the loss shrinks as the matrix gets sparser. To
# weight single entries, give the loss one entry per row: flatten to shape (25, 1) with weights
# of shape (25,). Keras 3 (3.13 and 3.15 alike) also offers
# `reduction="mean_with_sample_weight"`, which divides by the sum of the weights; on the
# flattened entries that is exactly the masked mean.

# %%
weights = toy.mask.astype("float32")
mse = keras.losses.MeanSquaredError()
as_matrix = float(mse(toy.values, pred, sample_weight=weights))
row_means = ((toy.values - pred) ** 2).mean(axis=1)
assert abs(as_matrix - float((row_means[None, :] * weights).sum() / weights.size)) < 1e-5  # what it computed
flat_true, flat_pred, flat_weights = toy.values.reshape(-1, 1), pred.reshape(-1, 1), weights.reshape(-1)
per_entry = float(mse(flat_true, flat_pred, sample_weight=flat_weights))
per_entry_mean = float(keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")(
    flat_true, flat_pred, sample_weight=flat_weights))
print(f"masked mean (losses.masked_mse):                      {kit_mean:.4f}")
print(f"sample_weight as a 5 x 5 matrix:                      {as_matrix:.4f}  (row means x broadcast weights / 25)")
print(f"per-entry sample_weight, default reduction:           {per_entry:.4f}  "
      f"(= masked mean x {n_observed}/{weights.size} = {kit_mean * n_observed / weights.size:.4f})")
print(f"per-entry sample_weight, 'mean_with_sample_weight':   {per_entry_mean:.4f}")
assert abs(per_entry - kit_mean * n_observed / weights.size) < 1e-5
assert abs(per_entry_mean - kit_mean) < 1e-5

# %% [markdown]
# ## 3. MovieLens 100K
# 100,000 ratings (1–5 stars) by 943 users of 1,682 films, from GroupLens. The canonical
# split `u1` holds out 20,000 ratings as `u1.test`. We carve a further 5% of `u1.base` off as
# a **validation slice**: every choice below (λ, dropout, the blend) is made on it, and
# `u1.test` is used once, at the end.

# %%
train, test = datasets.load_movielens("ml-100k", SPLIT)
titles = datasets.load_movie_titles("ml-100k")
if SMOKE_ITEMS is not None:
    train, test = train[train["item_id"] <= SMOKE_ITEMS], test[test["item_id"] <= SMOKE_ITEMS]
fit_part, valid = ratings.carve_validation(train, 0.05, seed=SEED)
index = ratings.RatingIndex.from_ratings(train)
density = len(train) / (index.n_users * index.n_items)
print(f"{SPLIT}.base: {len(train):,} ratings, {index.n_users} users x {index.n_items} items, "
      f"{density:.1%} of the matrix observed; {SPLIT}.test: {len(test):,}; validation slice: {len(valid):,}")
train["rating"].value_counts().sort_index().plot.bar(title="ratings in u1.base", xlabel="stars")
plt.show()

# %% [markdown]
# ### Baselines
# Any model must beat these: the global mean rating, and the mean plus a user bias and an item
# bias (regularised averages, as in Koren 2008).

# %%
mean_model = evaluation.GlobalMean().fit(train)
bias_model = evaluation.BiasBaseline().fit(train)
fallback = bias_model.predict(test)  # for test users/items that u1.base never saw
scores = {
    "global mean": evaluation.score(test, mean_model.predict(test)),
    "user + item biases": evaluation.score(test, bias_model.predict(test)),
}
pd.DataFrame({k: v.as_dict() for k, v in scores.items()}).T

# %% [markdown]
# ### A matrix-factorisation baseline
# The classic model of a rating matrix: every user $u$ gets a vector $\mathbf p_u$, every item
# $i$ a vector $\mathbf q_i$ ($k$ numbers each), and
# $\hat r_{ui} = \mu + b_u + b_i + \mathbf p_u \cdot \mathbf q_i$.
# `evaluation.BiasedMF` fits it by alternating least squares: with the item vectors fixed,
# each user's $(\mathbf p_u, b_u)$ is a small ridge regression, and the other way round. The
# number of factors $k$ and the L2 weight are chosen on the validation slice.

# %%
mf_rows = []
for factors in (10, 20):
    for reg in (0.05, 0.1, 0.2):
        mf = evaluation.BiasedMF(factors, reg, seed=SEED).fit(fit_part)
        mf_rows.append({"factors": factors, "reg": reg, "validation RMSE": evaluation.rmse(valid["rating"], mf.predict(valid))})
mf_selection = pd.DataFrame(mf_rows).sort_values("validation RMSE")
mf_best = mf_selection.loc[mf_selection["validation RMSE"].idxmin()]
mf_model = evaluation.BiasedMF(int(mf_best["factors"]), float(mf_best["reg"]), seed=SEED).fit(train)
mf_key = f"biased MF (ALS, k={int(mf_best['factors'])})"
scores[mf_key] = evaluation.score(test, mf_model.predict(test), ~mf_model.known(test))
print(f"chosen on validation: k = {int(mf_best['factors'])}, reg = {mf_best['reg']}; "
      f"{SPLIT}.test RMSE {scores[mf_key].rmse:.4f} against the bias baseline's {scores['user + item biases'].rmse:.4f}")
mf_selection.round(4)

# %% [markdown]
# **AutoRec as a non-linear factorisation.** Write I-AutoRec's output for item $i$ and user $u$
# out: $\hat r_{ui} = W_{u} \cdot \mathbf h_i + b_u$ with $\mathbf h_i = g(V\mathbf r^{(i)} +
# \boldsymbol\mu)$. In I-AutoRec each *item* is an example, so the code $\mathbf h_i$ is an item
# vector (the $\mathbf q_i$ of MF), the decoder's row $W_u$ for user $u$ is a user vector (the
# $\mathbf p_u$) and the decoder's bias $b_u$ a user bias. The difference from MF is where the
# item vector comes from: MF learns one free vector per item; AutoRec *computes* it from the
# item's ratings through the non-linear encoder, with parameters shared by all items. (In
# U-AutoRec the roles swap: the code is a user vector, the decoder's rows are item vectors.) An
# item with no ratings gets the code $g(\boldsymbol\mu)$, the same for every such item, as i4 did in
# section 1. Section 4 checks this reading of the trained model numerically.

# %% [markdown]
# ### I-AutoRec and U-AutoRec
# **I-AutoRec** takes one *item* at a time: its vector of ratings by all users (943 inputs,
# 0 where a user did not rate it) and rebuilds it. **U-AutoRec** takes one *user* at a time:
# the vector of that user's ratings of all items. Both: 500 sigmoid units, a linear output,
# the masked loss with L2 on weights and biases.
#
# The AutoRec paper found I-AutoRec better than U-AutoRec on MovieLens 1M and 10M and
# suggested a reason: there, items have more ratings each than users. That reason does not
# carry over to MovieLens 100K, as the counts below show. A difference that does hold here is
# the size of the two problems. I-AutoRec learns from one example per item, each with as many
# inputs as there are users; U-AutoRec from one example per user, each with as many inputs as
# there are items. Both see the same ratings, but U-AutoRec has fewer examples and more
# parameters to fit them with, which makes it the easier of the two to overfit. The
# validation and test scores below show which one does better on this split.
#
# Two training choices beyond the paper, both chosen on the validation slice: **input
# dropout** (half of each example's observed ratings hidden from the input during training,
# while the loss still covers all of them: the denoising idea of notebook 04), and Adam with a
# **cosine-decaying learning rate**.

# %%
per_user = train.groupby("user_id").size()
per_item = train.groupby("item_id").size()
print(f"{SPLIT}.base: {per_user.mean():.1f} ratings per user (median {per_user.median():.0f}), "
      f"{per_item.mean():.1f} per item (median {per_item.median():.0f}): "
      + ("users" if per_user.mean() > per_item.mean() else "items") + " have more ratings each.")


def autorec_parameters(n_inputs: int, hidden: int) -> int:
    """Weights and biases of an n_inputs -> hidden -> n_inputs AutoRec (V, μ, W, b)."""
    return n_inputs * hidden + hidden + hidden * n_inputs + n_inputs


shapes = pd.DataFrame.from_dict({
    "I-AutoRec": {"examples": index.n_items, "inputs per example": index.n_users,
                  "parameters": autorec_parameters(index.n_users, autorec.BEST_ITEM.hidden)},
    "U-AutoRec": {"examples": index.n_users, "inputs per example": index.n_items,
                  "parameters": autorec_parameters(index.n_items, autorec.BEST_USER.hidden)},
}, orient="index")
shapes["training ratings per parameter"] = (len(train) / shapes["parameters"]).round(3)
print(f"U-AutoRec has {shapes.loc['U-AutoRec', 'parameters'] / shapes.loc['I-AutoRec', 'parameters']:.2f} times "
      f"the parameters of I-AutoRec and {shapes.loc['U-AutoRec', 'examples'] / shapes.loc['I-AutoRec', 'examples']:.2f} "
      "times its examples.")
if not runtime.is_smoke():  # the text above is about the whole of u1.base (smoke mode keeps a slice of the items)
    assert per_user.mean() > per_item.mean(), "on u1.base users have more ratings each than items"
    assert shapes.loc["U-AutoRec", "examples"] < shapes.loc["I-AutoRec", "examples"]
    assert shapes.loc["U-AutoRec", "parameters"] > shapes.loc["I-AutoRec", "parameters"]
shapes

# %% [markdown]
# ### I-AutoRec, built in view
# Here is the network of the slide for one item's column of ratings: the encoder
# $\mathbf h = g(V\mathbf r + \boldsymbol\mu)$ with 500 sigmoid units, the linear decoder
# $\hat{\mathbf r} = W\mathbf h + \mathbf b$, and L2 on all four parameter tensors. A `Dropout`
# layer in front hides half of the observed input ratings during training (input dropout,
# below). `models.autorec` builds it from Keras layers (open `helpers/models.py` to read it);
# `autorec.compile_autorec` compiles it with the masked loss of section 2, a masked RMSE
# metric and Adam on a cosine-decaying learning rate. The summary's parameter count is the one
# in the table above.

# %%
config = autorec.BEST_ITEM if EPOCHS is None else autorec.BEST_ITEM.with_(epochs=EPOCHS)
runtime.set_seed(SEED)
i_autorec = models.autorec(index.n_users, hidden=config.hidden, lam=config.lam, activation=config.activation,
                           dropout=config.dropout, name="I-AutoRec")
autorec.compile_autorec(i_autorec, config, n_rows=index.n_items)  # n_rows: examples per epoch, for the schedule
i_autorec.summary()
print(f"loss: {i_autorec.loss.__name__}; optimizer: {type(i_autorec.optimizer).__name__}, learning rate "
      f"{config.learning_rate} decaying to 0 over {config.epochs} epochs of batch {config.batch_size}")
assert i_autorec.count_params() == shapes.loc["I-AutoRec", "parameters"]

# %% [markdown]
# `autorec.train_autorec` trains it: it feeds the items' rows of the rating matrix (0 where
# nobody rated, scored only where someone did), saves a checkpoint after every epoch in a run
# folder so a disconnected run resumes, and reads the filled-in matrix back. Given a model, it
# trains that one; otherwise it builds the same network for the configuration it is given.
#
# **Choosing λ and dropout on validation.** Each candidate trains on the fitting part and is
# scored on the validation slice. The model above is the first candidate (the kit's stored
# choice); the others differ only in λ and dropout. In lecture and smoke mode only that one
# trains, and the kit's stored choice is kept.

# %%
valid_fallback = evaluation.BiasBaseline().fit(fit_part).predict(valid)
candidates = [config]
if SELECT:
    candidates += [config.with_(lam=lam, dropout=drop) for lam in (3e-4, 1e-3, 3e-3) for drop in (0.0, 0.5)
                   if (lam, drop) != (config.lam, config.dropout)]
valid_preds, rows = {}, []
for candidate in candidates:
    trained = autorec.train_autorec(fit_part, index, candidate, seed=SEED,
                                    model=i_autorec if candidate == config else None)
    valid_preds[candidate], _ = trained.predict_pairs(valid, valid_fallback)
    rows.append({"λ": candidate.lam, "dropout": candidate.dropout,
                 "validation RMSE": evaluation.rmse(valid["rating"], valid_preds[candidate]),
                 "seconds": trained.fit.seconds})
selection = pd.DataFrame(rows).sort_values("validation RMSE")
item_config = min(valid_preds, key=lambda c: evaluation.rmse(valid["rating"], valid_preds[c]))
print("chosen on validation:", item_config)
selection.round(4)

# %% [markdown]
# ### Overfitting: λ = 0 against the chosen λ
# What does L2 buy? Train the paper's plain I-AutoRec (no input dropout, so L2 is the only
# regulariser) twice on the fitting part, with $\lambda = 0$ and with the chosen $\lambda$, and
# after every epoch measure the RMSE on the **training** ratings and on the **validation** slice
# (model in inference mode). The model is built here in view: `models.autorec`, compiled by
# `autorec.compile_autorec`, trained by `training.fit`.

# %%
import tempfile

fit_matrix, fit_mask = ratings.rating_matrix(fit_part, index, by="item")
valid_matrix, valid_mask = ratings.rating_matrix(valid, index, by="item")


class EpochRMSE(keras.callbacks.Callback):
    """After every epoch: RMSE on the training ratings and on the validation slice (dropout off)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        out = autorec.reconstruct(self.model, fit_matrix)
        self.rows.append({"epoch": epoch + 1, "train": evaluation.rmse(fit_matrix[fit_mask], out[fit_mask]),
                          "validation": evaluation.rmse(valid_matrix[valid_mask], out[valid_mask])})


curves = {}
for lam in (0.0, item_config.lam):
    plain_config = item_config.with_(lam=lam, dropout=0.0)
    runtime.set_seed(SEED)
    net = models.autorec(index.n_users, hidden=plain_config.hidden, lam=lam, activation=plain_config.activation)
    autorec.compile_autorec(net, plain_config, index.n_items)
    tracker = EpochRMSE()
    with tempfile.TemporaryDirectory() as scratch:
        training.fit(net, fit_matrix, fit_matrix, run_dir=scratch, epochs=plain_config.epochs,
                     batch_size=plain_config.batch_size, shuffle=True, callbacks=[tracker], verbose=0)
    curves[lam] = pd.DataFrame(tracker.rows).set_index("epoch")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, (lam, curve) in zip(axes, curves.items()):
    curve.plot(ax=ax, marker=".", title=f"I-AutoRec, λ = {lam:g}, no dropout", ylabel="RMSE")
plt.show()
gaps = {lam: float(c["validation"].iloc[-1] - c["train"].iloc[-1]) for lam, c in curves.items()}
for lam, c in curves.items():
    print(f"λ = {lam:g}: after epoch {c.index[-1]} train RMSE {c['train'].iloc[-1]:.4f}, validation "
          f"{c['validation'].iloc[-1]:.4f} (best {c['validation'].min():.4f} at epoch {int(c['validation'].idxmin())}); "
          f"gap {gaps[lam]:.4f}")
print("λ = 0 has the " + ("larger" if gaps[0.0] > gaps[item_config.lam] else "smaller or equal")
      + " train/validation gap")
for lam, c in curves.items():
    best = int(c["validation"].idxmin())
    print(f"λ = {lam:g}: from its best validation epoch ({best}) to the last, train RMSE "
          f"{c['train'].iloc[-1] - c['train'][best]:+.4f}, validation RMSE {c['validation'].iloc[-1] - c['validation'][best]:+.4f}")
if not runtime.is_smoke():
    assert gaps[0.0] > gaps[item_config.lam], "without L2 the model overfits more"

# %% [markdown]
# Read the last lines: after the validation RMSE's best epoch, a falling training RMSE with a
# rising validation RMSE means the network is memorising the ratings it sees rather than
# learning what generalises; the gap printed above measures how far apart the two curves end.

# %% [markdown]
# ### The boosting list, applied to the rating autoencoder
# Notebook 01 tried the slide's techniques for boosting performance on MNIST. Here are the ones
# that carry over to ratings, one at a time against the chosen configuration, on a smaller epoch
# budget (`BOOST_EPOCHS`): the **dimensions** (hidden size), the **activation** of the code and
# the **optimizer** (each on the same cosine-decaying learning rate). The **loss** stays the
# masked MSE: the measure is RMSE, and binary cross-entropy needs targets in [0, 1], not
# 1–5 stars. Every variant trains on the fitting part and is scored on the validation slice; the
# test set is not looked at.

# %%
check_params(BOOST_EPOCHS=(BOOST_EPOCHS, int))
boost_base = item_config.with_(epochs=BOOST_EPOCHS)
boost_variants = {"chosen configuration": {}, "hidden 250": {"hidden": 250}, "hidden 1000": {"hidden": 1000},
                  "activation relu": {"activation": "relu"}, "activation tanh": {"activation": "tanh"},
                  "optimizer RMSprop": {"optimizer": "rmsprop"}, "optimizer Adagrad": {"optimizer": "adagrad"}}
boost_rows = []
for label, change in boost_variants.items():
    variant = boost_base.with_(**change)
    trained = autorec.train_autorec(fit_part, index, variant, seed=SEED)
    pred, _ = trained.predict_pairs(valid, valid_fallback)
    boost_rows.append({"variant": label, "hidden": variant.hidden, "activation": variant.activation,
                       "optimizer": variant.optimizer, "validation RMSE": evaluation.rmse(valid["rating"], pred),
                       "seconds": trained.fit.seconds})
boosting = pd.DataFrame(boost_rows).set_index("variant").sort_values("validation RMSE")
boost_winner = boosting["validation RMSE"].idxmin()
print(f"{BOOST_EPOCHS} epochs each; best on validation: {boost_winner} "
      f"({boosting.loc[boost_winner, 'validation RMSE']:.4f}), the chosen configuration "
      f"{boosting.loc['chosen configuration', 'validation RMSE']:.4f}")
boosting.round(4)

# %% [markdown]
# A weighted average of two models can beat both when they err differently. The weight is
# chosen on the validation slice as well; `w = 1` is I-AutoRec alone and `w = 0` U-AutoRec
# alone, so the chosen blend is never worse than either on validation.

# %%
user_config = autorec.BEST_USER.with_(lam=item_config.lam, dropout=item_config.dropout, epochs=item_config.epochs)
p_item = valid_preds[item_config]  # the chosen I-AutoRec's validation predictions, from the search above
user_valid = autorec.train_autorec(fit_part, index, user_config, seed=SEED)
p_user, _ = user_valid.predict_pairs(valid, valid_fallback)
weights = np.round(np.arange(0.0, 1.0001, 0.05), 2)
blend_curve = pd.Series([evaluation.rmse(valid["rating"], autorec.blend(p_item, p_user, w)) for w in weights], index=weights)
blend_weight = float(blend_curve.idxmin())
ax = blend_curve.plot(title="validation RMSE of w * I-AutoRec + (1 - w) * U-AutoRec", xlabel="w", ylabel="RMSE")
ax.axvline(blend_weight, color="red", linestyle="--")
plt.show()
print(f"chosen blend weight w = {blend_weight} (the kit's stored choice: {autorec.BEST_BLEND})")
valid_i, valid_u, valid_b = blend_curve[1.0], blend_curve[0.0], blend_curve[blend_weight]
error_corr = float(np.corrcoef(p_item - valid["rating"], p_user - valid["rating"])[0, 1])
print(f"validation RMSE: I-AutoRec {valid_i:.4f}, U-AutoRec {valid_u:.4f} ("
      + ("weaker" if valid_u > valid_i else "not weaker") + f" on its own), blend {valid_b:.4f}; "
      f"the two models' errors correlate at {error_corr:.2f}")
assert valid_b <= min(valid_i, valid_u), "the blend weight is chosen on validation, where w = 1 and w = 0 are candidates"

# %% [markdown]
# ### The test set, once
# Retrain both on all of `u1.base` with the chosen settings, checkpointing to the run folder
# (after a disconnect these two runs resume from their last completed epoch; the validation
# runs above start again from epoch 1), and score `u1.test`.

# %%
folder = runtime.run_dir(f"02_autorec_{SPLIT}" + by_mode("", "_lecture", "_smoke"))  # one folder per run mode
item_model = autorec.train_autorec(train, index, item_config, run_dir=folder / "item", seed=SEED)
user_model = autorec.train_autorec(train, index, user_config, run_dir=folder / "user", seed=SEED)
pred_item, unseen = item_model.predict_pairs(test, fallback)
pred_user, _ = user_model.predict_pairs(test, fallback)
pred_blend = autorec.blend(pred_item, pred_user, blend_weight)
blend_key = f"I/U-AutoRec blend (w={blend_weight})"
scores["I-AutoRec"] = evaluation.score(test, pred_item, unseen)
scores["U-AutoRec"] = evaluation.score(test, pred_user, unseen)
scores[blend_key] = evaluation.score(test, pred_blend, unseen)
train_seconds = item_model.fit.total_seconds + user_model.fit.total_seconds
resumed = item_model.fit.resumed_from_epoch + user_model.fit.resumed_from_epoch
print(f"training time, both models: {train_seconds:.1f} s" + (" (partly or wholly in an earlier run)" if resumed else "")
      + f"; {int(unseen.sum())} test ratings used the bias fallback")
assert item_model.model.count_params() == shapes.loc["I-AutoRec", "parameters"]
assert user_model.model.count_params() == shapes.loc["U-AutoRec", "parameters"]
table = pd.DataFrame({k: v.as_dict() for k, v in scores.items()}).T
table.round(4)

# %%
bias_rmse, mean_rmse = scores["user + item biases"].rmse, scores["global mean"].rmse
for name in ("I-AutoRec", "U-AutoRec"):
    print(f"{name} test RMSE {scores[name].rmse:.4f} vs bias baseline {bias_rmse:.4f}: "
          + ("better than" if scores[name].rmse < bias_rmse else "not better than") + " the baseline")
if not runtime.is_smoke():
    rating_models = [k for k in scores if k != "global mean"]
    assert all(scores[k].rmse < mean_rmse for k in rating_models), "every rating model beats the global mean"

# %%
plots.loss_curves(item_model.fit.history, metrics=("loss", "rmse"), title="I-AutoRec on u1.base (training)")
plt.show()

# %% [markdown]
# ### Next to published numbers
# | model | data | RMSE | source |
# | --- | --- | --- | --- |
# | I-AutoRec | ML-1M, random 90/10 | 0.831 | Sedhain et al., *AutoRec*, WWW 2015 |
# | U-AutoRec | ML-1M, random 90/10 | 0.874 | Sedhain et al., 2015 |
# | GC-MC | ML-100K u1 | 0.910 | van den Berg et al., *Graph Convolutional Matrix Completion*, 2017 |
# | GLocal-K | ML-100K u1 | 0.8889 | Han et al., *GLocal-K*, CIKM 2021 |
#
# The comparable rows for this notebook are the two ML-100K ones; section 6 runs ML-1M.

# %%
published = pd.DataFrame([
    {"model": "GC-MC (van den Berg et al., 2017)", "RMSE": 0.910},
    {"model": "GLocal-K (Han et al., 2021)", "RMSE": 0.8889},
    *({"model": f"this notebook: {k}", "RMSE": v.rmse} for k, v in scores.items()),
]).sort_values("RMSE")
published.round(4)

# %%
best_ae = min(scores[k].rmse for k in scores if "AutoRec" in k)
print(f"best autoencoder RMSE {best_ae:.4f} vs bias baseline {scores['user + item biases'].rmse:.4f}")
if not runtime.is_smoke():
    assert scores["I-AutoRec"].rmse < scores["user + item biases"].rmse, "I-AutoRec should beat the bias baseline"
    assert best_ae < scores["user + item biases"].rmse

# %% [markdown]
# ## 4. Recommend
# A prediction for every missing entry means we can rank, for each user, the films they have
# not rated. Here are the top 10 for user 1, with the films they rated highest for context.

# %%
scores_ui = autorec.blend(item_model.user_item_scores(), user_model.user_item_scores(), blend_weight)
user = int(index.user_ids[0])
seen = train.loc[train["user_id"] == user, "item_id"].to_numpy()
top10 = autorec.recommend(scores_ui[0], seen, index.item_ids, k=10)
liked = train[(train["user_id"] == user)].sort_values("rating", ascending=False).head(5)
print(f"user {user} rated {len(seen)} films; five of their favourites:")
print("  " + "\n  ".join(titles.reindex(liked["item_id"]).to_list()))
pd.DataFrame({"title": titles.reindex(top10).to_numpy(),  # predictions clipped to 1-5, as everywhere in the kit
              "predicted": np.clip(scores_ui[0][index.items(top10)], 1, 5).round(2)}, index=pd.Index(top10, name="item_id"))

# %% [markdown]
# **Ranking quality.** For every test user, rank all films they did not rate in `u1.base` and
# look at the top 10. A held-out rating of 4 or 5 counts as relevant. *Recall@10* is the share
# of a user's relevant films found in the top 10; *NDCG@10* also rewards putting them first.

# %%
bias_scores_ui = bias_model.score_matrix(index.user_ids, index.item_ids)  # users x items, like user_item_scores()
ranking = pd.DataFrame({
    "user + item biases": evaluation.ranking_metrics(bias_scores_ui, index, train, test),
    "I-AutoRec": evaluation.ranking_metrics(item_model.user_item_scores(), index, train, test),
    "U-AutoRec": evaluation.ranking_metrics(user_model.user_item_scores(), index, train, test),
    "I/U blend": evaluation.ranking_metrics(scores_ui, index, train, test),
}).T
ranking.round(4)

# %% [markdown]
# ### Item codes: films the model thinks alike
# I-AutoRec's 500-unit code of each film summarises who rated it and how. Films with similar
# codes (cosine similarity) were rated alike, with no genre or title ever given to the model.

# %%
codes = item_model.codes()
unit = codes / np.linalg.norm(codes, axis=1, keepdims=True)
query_title = "Star Wars (1977)"
query_id = int(titles.index[titles == query_title][0]) if (titles == query_title).any() else int(index.item_ids[0])
q = int(index.items([query_id])[0])
similar = np.argsort(-(unit @ unit[q]))[1:11]
pd.DataFrame({"title": titles.reindex(index.item_ids[similar]).to_numpy(),
              "cosine": (unit[similar] @ unit[q]).round(3)}, index=pd.Index(index.item_ids[similar], name="item_id"))

# %% [markdown]
# Section 3 read I-AutoRec as a factorisation: the prediction for item $i$ and user $u$ is the
# code $\mathbf h_i$ times the decoder's row for $u$, plus that user's bias. On the trained model:

# %%
decoder = item_model.model.get_layer("decoder")
as_factorisation = codes @ keras.ops.convert_to_numpy(decoder.kernel) + keras.ops.convert_to_numpy(decoder.bias)
factor_gap = float(np.max(np.abs(as_factorisation - item_model.predicted)))
print(f"codes ({codes.shape[0]} items x {codes.shape[1]}) @ decoder weights ({index.n_users} user vectors) + user biases "
      f"= the model's predictions, largest difference {factor_gap:.1e}")
print(f"{SPLIT}.test RMSE: I-AutoRec {scores['I-AutoRec'].rmse:.4f}, biased MF {scores[mf_key].rmse:.4f}: the non-linear "
      "factorisation " + ("beats" if scores["I-AutoRec"].rmse < scores[mf_key].rmse else "does not beat") + " the linear one")
assert factor_gap < 1e-3

# %% [markdown]
# ### A map of the codes, coloured by genre
# The lecture says the latent code embraces the users' preferences. The model never sees a
# genre, so genres are a fair test: if films of a genre are rated alike, their codes should lie
# close. Below, the codes projected on their first two principal components (PCA), films
# coloured by a few large genres (films with exactly one of them), then a measurement: for each
# film with at least 20 training ratings, the share of its 10 nearest films (cosine of the
# codes) that share at least one genre with it, against the share for random pairs of films and
# for the films' raw rating vectors (the model's input).

# %%
genres = datasets.load_movie_genres("ml-100k").reindex(index.item_ids)
centred = codes - codes.mean(axis=0)
_, sing, axes_pc = np.linalg.svd(centred, full_matrices=False)
map2d = centred @ axes_pc[:2].T
shown_genres = ["Drama", "Comedy", "Action", "Horror", "Children's"]
only_one = genres[shown_genres].sum(axis=1).to_numpy() == 1
fig, ax = plt.subplots(figsize=(7, 5))
ax.scatter(*map2d[~only_one].T, s=4, color="lightgrey", label="other films")
for name in shown_genres:
    pick = only_one & genres[name].to_numpy()
    ax.scatter(*map2d[pick].T, s=8, label=f"{name} ({int(pick.sum())})")
share_pc = float((sing[:2] ** 2).sum() / (sing**2).sum())
ax.set(title=f"I-AutoRec item codes, first two principal components ({share_pc:.0%} of the variance)",
       xlabel="PC 1", ylabel="PC 2")
ax.legend(markerscale=2, fontsize=8)
plt.show()


def genre_agreement(vectors: np.ndarray, flags: np.ndarray, k: int = 10) -> float:
    """Mean share of each row's k nearest rows (cosine) that share at least one genre with it."""
    unit_rows = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = unit_rows @ unit_rows.T
    np.fill_diagonal(sim, -np.inf)
    nearest = np.argsort(-sim, axis=1)[:, :k]
    share = (flags.astype(int) @ flags.T.astype(int)) > 0
    return float(share[np.arange(len(flags))[:, None], nearest].mean())


well_rated = per_item.reindex(index.item_ids).fillna(0).to_numpy() >= 20
flags = genres.to_numpy()[well_rated]
same_genre = (flags.astype(int) @ flags.T.astype(int)) > 0
random_pairs = float((same_genre.sum() - np.trace(same_genre)) / (len(flags) * (len(flags) - 1)))
agreement = pd.Series({"random pairs of films": random_pairs,
                       "raw rating vectors (input)": genre_agreement(item_model.inputs[well_rated], flags),
                       "I-AutoRec codes": genre_agreement(codes[well_rated], flags)}, name="shares a genre")
print(f"{int(well_rated.sum())} films with >= 20 ratings; share of the 10 nearest that share a genre: codes "
      f"{agreement['I-AutoRec codes']:.3f}, raw rating vectors {agreement['raw rating vectors (input)']:.3f}, "
      f"random pairs {random_pairs:.3f} (codes {agreement['I-AutoRec codes'] / random_pairs:.2f} times random)")
print("the codes' neighbours share a genre " + ("more" if agreement["I-AutoRec codes"] > agreement["raw rating vectors (input)"]
      else "no more") + " often than the raw rating vectors' neighbours do: the code keeps what the input says about "
      "genre " + ("and sharpens it" if agreement["I-AutoRec codes"] > agreement["raw rating vectors (input)"] else
                  f"in {codes.shape[1]} numbers instead of {index.n_users}, without adding to it"))
if not runtime.is_smoke():
    assert agreement["I-AutoRec codes"] > 1.3 * random_pairs, "codes of films rated alike group by genre well above chance"
agreement.round(3)

# %% [markdown]
# ## 5. Try it yourself
# A new user has no column in I-AutoRec's input, so I-AutoRec would need retraining. U-AutoRec
# reads a *user's* row of ratings, so it can **fold in** a new user with no retraining: build
# their row, run it through the model, read the predictions. Edit the ratings below, or use
# the sliders in Jupyter or Colab.

# %%
from helpers.demo import find_items, rating_widget, recommend_for_new_user

my_ratings = {"Star Wars (1977)": 5, "Return of the Jedi (1983)": 5, "Toy Story (1995)": 4,
              "Fargo (1996)": 2, "English Patient, The (1996)": 1}
my_ratings = {t: r for t, r in my_ratings.items() if int(titles.index[titles == t][0]) in set(index.item_ids)}
recommend_for_new_user(user_model, titles, my_ratings)

# %%
popular = train["item_id"].value_counts().index[:12]
rating_widget([titles[i] for i in popular], lambda chosen: recommend_for_new_user(user_model, titles, chosen))
find_items(titles, "godfather")

# %% [markdown]
# ## 6. Scale
# ### Data too large to hold dense
# MovieLens 100K fits easily as a dense matrix (1,682 × 943 floats, 6 MB). MovieLens 20M does
# not: 26,744 films × 138,493 users is 3.7 billion entries, about 15 GB as float32, for 20
# million ratings. The kit's sparse path keeps the matrix as a `tf.sparse.SparseTensor` and
# densifies **one batch of rows at a time** in a `tf.data` pipeline; the model, the loss and the
# training call stay the same. Here it runs on MovieLens 100K so we can compare the two paths.

# %%
sparse_item = autorec.train_autorec(train, index, item_config, sparse=True, seed=SEED)
pred_sparse, _ = sparse_item.predict_pairs(test, fallback)
sparse_rmse = evaluation.rmse(test["rating"], pred_sparse)
print(f"I-AutoRec test RMSE: dense path {scores['I-AutoRec'].rmse:.4f}, sparse path {sparse_rmse:.4f} "
      f"({sparse_item.fit.total_seconds:.1f} s)")
print("dense ML-20M would need", f"{26_744 * 138_493 * 4 / 1e9:.1f} GB;",
      "one sparse batch of 64 items needs", f"{64 * 138_493 * 4 / 1e6:.0f} MB")
if not runtime.is_smoke():
    assert abs(sparse_rmse - scores["I-AutoRec"].rmse) < 0.01, "the two paths train the same model"

# %% [markdown]
# Both paths are built inside `runtime.distribution_strategy().scope()`: on a runtime with
# several GPUs (or a TPU) Keras splits each batch across them; on one GPU or a CPU nothing
# changes. The unit tests check that the dense and sparse paths give the same model when fed
# batches in the same order.

# %%
strategy = runtime.distribution_strategy()
print(type(strategy).__name__, "with", strategy.num_replicas_in_sync, "replica(s)")

# %% [markdown]
# ### MovieLens 1M, as in the AutoRec paper
# One million ratings by 6,040 users of 3,706 films, a random 90/10 split. The paper reports
# I-AutoRec RMSE 0.831. This downloads about 6 MB from GroupLens (in Colab it just works); with
# `COURSE_DATA_DIR` set and no `ml-1m/` folder there, it is skipped. The cell prints how long
# the training took; it checkpoints to its run folder, so a disconnect costs at most one epoch.

# %%
ml1m = None
if RUN_ML1M:
    try:
        ml1m_train, ml1m_test = datasets.load_movielens("ml-1m", "random", seed=SEED)
    except (FileNotFoundError, OSError) as err:
        print("MovieLens 1M skipped:", str(err).split(". ")[0] + ".")
    else:
        ml1m_index = ratings.RatingIndex.from_ratings(ml1m_train)
        ml1m_fallback = evaluation.BiasBaseline().fit(ml1m_train).predict(ml1m_test)
        ml1m_model = autorec.train_autorec(ml1m_train, ml1m_index, item_config.with_(batch_size=128), seed=SEED,
                                           run_dir=runtime.run_dir("02_autorec_ml1m"))
        ml1m_pred, ml1m_unseen = ml1m_model.predict_pairs(ml1m_test, ml1m_fallback)
        ml1m = evaluation.score(ml1m_test, ml1m_pred, ml1m_unseen)
        print(f"ML-1M I-AutoRec test RMSE {ml1m.rmse:.4f} (paper: 0.831) in {ml1m_model.fit.total_seconds:.0f} s")
else:
    print("MovieLens 1M not run (RUN_ML1M = False).")

# %% [markdown]
# ## Results

# %%
train_seconds_by_model = pd.Series({"I-AutoRec": item_model.fit.total_seconds,
                                    "U-AutoRec": user_model.fit.total_seconds, blend_key: train_seconds},
                                   name="train seconds")
results = (table[["rmse", "mae", "n_fallback"]]
           .assign(data=f"ML-100K {SPLIT}" + (" (smoke slice)" if runtime.is_smoke() else ""))
           .join(train_seconds_by_model)
           .join(ranking.rename(index={"I/U blend": blend_key})[["recall@10", "ndcg@10"]])
           .reset_index(names="model"))
extra_rows = [{"model": f"boosting winner: {boost_winner} ({BOOST_EPOCHS} epochs)",
               "rmse": boosting.loc[boost_winner, "validation RMSE"],
               "data": f"ML-100K {SPLIT} validation slice (not the test set)"}]
if ml1m is not None:
    extra_rows.insert(0, {"model": "I-AutoRec", "rmse": ml1m.rmse, "mae": ml1m.mae, "n_fallback": ml1m.n_fallback,
                          "data": "ML-1M random 90/10"})
results = pd.concat([results, pd.DataFrame(extra_rows)], ignore_index=True)
save_results("02_rating_matrix_autoencoder", results)
results.round(4)

# %% [markdown]
# **Reading it.** The sentences below are printed from the table, so they hold for your run;
# a number in brackets is how much lower the model's RMSE is (positive: the model is better).
# RMSE and the ranking metrics measure different things: RMSE only looks at the ratings people
# chose to give, a top-10 list at every film a user has not rated.

# %%
blend_key = f"I/U-AutoRec blend (w={blend_weight})"
rmse_of = {k: v.rmse for k, v in scores.items()}
autoencoders = [k for k in rmse_of if "AutoRec" in k]


def verdict(better: bool) -> str:
    """'beats' or 'does not beat', from a comparison."""
    return "beats" if better else "does not beat"


print(f"Global mean {rmse_of['global mean']:.4f}, bias baseline {rmse_of['user + item biases']:.4f}.")
for k in autoencoders:
    print(f"{k} ({rmse_of[k]:.4f}) {verdict(rmse_of[k] < rmse_of['global mean'])} the global mean "
          f"({rmse_of['global mean'] - rmse_of[k]:+.4f}) and {verdict(rmse_of[k] < rmse_of['user + item biases'])} "
          f"the bias baseline ({rmse_of['user + item biases'] - rmse_of[k]:+.4f}).")
single = min(("I-AutoRec", "U-AutoRec"), key=rmse_of.get)
print(f"{single} is the better single model; the blend {verdict(rmse_of[blend_key] < min(rmse_of['I-AutoRec'], rmse_of['U-AutoRec']))} "
      f"both single models on {SPLIT}.test.")
for name, value in (("GC-MC", 0.910), ("GLocal-K", 0.8889)):
    print(f"The blend {verdict(rmse_of[blend_key] < value)} {name} ({value}): {value - rmse_of[blend_key]:+.4f}.")
ndcg = ranking["ndcg@10"]
rmse_gain = 1 - rmse_of[blend_key] / rmse_of["user + item biases"]
print(f"Against the bias baseline, the blend's RMSE is {abs(rmse_gain):.1%} " + ("lower" if rmse_gain > 0 else "higher")
      + f"; its NDCG@10 is {ndcg['I/U blend']:.4f} against {ndcg['user + item biases']:.4f}, "
      f"{ndcg['I/U blend'] / ndcg['user + item biases']:.2f} times the baseline's.")

# %% [markdown]
# ## Exercises
# **Exercise 1.** What share of the `u1.base` rating matrix (users × items in `index`) is
# *missing*? Give a fraction between 0 and 1, to three decimal places or more.

# %%
answer_1 = None

# %%
from helpers import exercises

exercises.check("02.1", answer_1, train=train, index=index)

# %% [markdown]
# **Exercise 2.** MovieLens 1M has 6,040 users. How many parameters (encoder and decoder,
# weights and biases) has an I-AutoRec with 500 hidden units on it? Work it out by hand.

# %%
answer_2 = None

# %%
exercises.check("02.2", answer_2)

# %% [markdown]
# **Exercise 3.** Predictions are clipped to the 1–5 scale before scoring. Compute the RMSE of
# the predictions `[0.5, 3.2, 5.9]` against the ratings `[1, 3, 5]` *after clipping*, to four
# decimal places.

# %%
answer_3 = None

# %%
exercises.check("02.3", answer_3)


# %% [markdown]
# **Exercise 4 (write code).** Write the masked loss of section 2 yourself, with NumPy (or
# `keras.ops`): `my_masked_mse(y_true, y_pred)` gets a batch of rating rows (`0` = not rated)
# and the model's predictions, both of shape (rows, items), and returns one number, the mean
# squared error over the *rated* entries. The check runs it on new random batches and compares
# it with the kit's `losses.masked_mse`. It also moves the predictions at unrated entries and
# expects your loss not to move: its gradient there must be zero, or training would pull the
# model towards the zeros, as the unmasked model of section 1 did.

# %%
def my_masked_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error over the entries where y_true != 0."""
    raise NotImplementedError  # replace this line with your code


# %%
exercises.check("02.4", my_masked_mse)

# %% [markdown]
# **Exercise 5 (open).** Change `blend_weight` to 1.0 and 0.0 and re-run the recommendation
# cells. Do the top-10 lists change much? Why might a small RMSE difference still change the
# ranking?
#
# ## What's next
# Notebook **04** makes the input dropout used here the main subject (denoising autoencoders),
# **05** stacks more layers, and **06** makes the codes sparse, each measured on this same split.
