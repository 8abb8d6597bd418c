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
# The kit's folder: this notebook's parent (locally), a clone in /content, or on Drive up to two folders under MyDrive.
sys.path[1:1] = [str(p.parent.resolve()) for g in ("", "../", "*/", "drive/MyDrive/*/", "drive/MyDrive/*/*/") for p in sorted(Path.cwd().glob(g + "colab_setup.py"))]
import colab_setup  # ModuleNotFoundError? Upload the kit folder to your Drive or clone it into /content, then run this cell again.

KIT = colab_setup.setup(use_drive=USE_DRIVE)

# %% [markdown]
# ## Parameters

# %% tags=["parameters"]
from helpers.runtime import smoke_or

SPLIT = "u1"  # the canonical MovieLens 100K split (u1..u5, ua, ub)
SELECT = smoke_or(True, False)  # choose λ and dropout on the validation slice (about 1-2 minutes)
EPOCHS = smoke_or(None, 2)  # None = the chosen configuration's 30 epochs
SMOKE_ITEMS = smoke_or(None, 300)  # smoke mode keeps only items with id <= 300
TOY_EPOCHS = smoke_or(800, 300)
RUN_ML1M = smoke_or(True, False)  # MovieLens 1M: downloads about 6 MB; skipped when offline
SEED = 0

# %%
from helpers.params import check_params

check_params(SPLIT=(SPLIT, str), SELECT=(SELECT, bool), EPOCHS=(EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), TOY_EPOCHS=(TOY_EPOCHS, int),
             RUN_ML1M=(RUN_ML1M, bool), SEED=(SEED, int, 0))

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import autorec, datasets, evaluation, losses, plots, ratings, runtime
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
def toy_autoencoder(loss, seed: int = SEED) -> keras.Model:
    """5 -> 3 -> 5, small enough to watch: sigmoid code, linear output."""
    runtime.set_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="sigmoid"), keras.layers.Dense(5)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    model.fit(toy.values, toy.values, epochs=TOY_EPOCHS, batch_size=5, verbose=0)
    return model


masked_model = toy_autoencoder(losses.masked_mse)
filled = masked_model.predict(toy.values, verbose=0)
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
plain = plain_model.predict(toy.values, verbose=0)
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
pred = toy_ae.predict(toy.values, verbose=0)
kit_mean = float(losses.masked_mse(toy.values, pred))

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
# while the loss still covers all of them: the denoising idea of notebook 03), and Adam with a
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


shapes = pd.DataFrame({
    "examples": [index.n_items, index.n_users],
    "inputs per example": [index.n_users, index.n_items],
    "parameters": [autorec_parameters(index.n_users, autorec.BEST_ITEM.hidden),
                   autorec_parameters(index.n_items, autorec.BEST_USER.hidden)],
}, index=["I-AutoRec", "U-AutoRec"])
shapes["training ratings per parameter"] = (len(train) / shapes["parameters"]).round(3)
print(f"U-AutoRec has {shapes.loc['U-AutoRec', 'parameters'] / shapes.loc['I-AutoRec', 'parameters']:.2f} times "
      f"the parameters of I-AutoRec and {shapes.loc['U-AutoRec', 'examples'] / shapes.loc['I-AutoRec', 'examples']:.2f} "
      "times its examples.")
if not runtime.is_smoke():  # the text above is about the whole of u1.base (smoke mode keeps a slice of the items)
    assert per_user.mean() > per_item.mean(), "on u1.base users have more ratings each than items"
    assert shapes.loc["U-AutoRec", "examples"] < shapes.loc["I-AutoRec", "examples"]
    assert shapes.loc["U-AutoRec", "parameters"] > shapes.loc["I-AutoRec", "parameters"]
shapes

# %%
valid_fallback = evaluation.BiasBaseline().fit(fit_part).predict(valid)
config = autorec.BEST_ITEM if EPOCHS is None else autorec.BEST_ITEM.with_(epochs=EPOCHS)
candidates = [config]
if SELECT:
    candidates = [config.with_(lam=lam, dropout=drop) for lam in (3e-4, 1e-3, 3e-3) for drop in (0.0, 0.5)]
rows = []
for candidate in candidates:
    model = autorec.train_autorec(fit_part, index, candidate, seed=SEED)
    pred, _ = model.predict_pairs(valid, valid_fallback)
    rows.append({"λ": candidate.lam, "dropout": candidate.dropout,
                 "validation RMSE": evaluation.rmse(valid["rating"], pred), "seconds": model.fit.seconds})
selection = pd.DataFrame(rows).sort_values("validation RMSE")
best_row = selection.iloc[0]
item_config = config.with_(lam=float(best_row["λ"]), dropout=float(best_row["dropout"]))
print("chosen on validation:", item_config)
selection.round(4)

# %% [markdown]
# A weighted average of two models can beat both when they err differently. The weight is
# chosen on the validation slice as well; `w = 1` is I-AutoRec alone and `w = 0` U-AutoRec
# alone, so the chosen blend is never worse than either on validation.

# %%
user_config = autorec.BEST_USER.with_(lam=item_config.lam, dropout=item_config.dropout, epochs=item_config.epochs)
item_valid = autorec.train_autorec(fit_part, index, item_config, seed=SEED)
user_valid = autorec.train_autorec(fit_part, index, user_config, seed=SEED)
p_item, _ = item_valid.predict_pairs(valid, valid_fallback)
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
folder = runtime.run_dir(f"02_autorec_{SPLIT}" + ("_smoke" if runtime.is_smoke() else ""))
item_model = autorec.train_autorec(train, index, item_config, run_dir=folder / "item", seed=SEED)
user_model = autorec.train_autorec(train, index, user_config, run_dir=folder / "user", seed=SEED)
pred_item, unseen = item_model.predict_pairs(test, fallback)
pred_user, _ = user_model.predict_pairs(test, fallback)
pred_blend = autorec.blend(pred_item, pred_user, blend_weight)
scores["I-AutoRec"] = evaluation.score(test, pred_item, unseen)
scores["U-AutoRec"] = evaluation.score(test, pred_user, unseen)
scores[f"I/U-AutoRec blend (w={blend_weight})"] = evaluation.score(test, pred_blend, unseen)
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
bias_scores_ui = bias_model.mu + np.array([bias_model.user_bias.get(int(u), 0.0) for u in index.user_ids])[:, None] \
    + np.array([bias_model.item_bias.get(int(i), 0.0) for i in index.item_ids])[None, :]
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
results = table.reset_index(names="model")[["model", "rmse", "mae", "n_fallback"]]
results["data"] = f"ML-100K {SPLIT}" + (" (smoke slice)" if runtime.is_smoke() else "")
results.loc[results["model"].str.contains("AutoRec"), "train seconds"] = [
    item_model.fit.total_seconds, user_model.fit.total_seconds, train_seconds]
for name, metrics in ranking.iterrows():
    key = {"I/U blend": f"I/U-AutoRec blend (w={blend_weight})"}.get(name, name)
    results.loc[results["model"] == key, "recall@10"] = metrics["recall@10"]
    results.loc[results["model"] == key, "ndcg@10"] = metrics["ndcg@10"]
if ml1m is not None:
    results.loc[len(results)] = {"model": "I-AutoRec", "rmse": ml1m.rmse, "mae": ml1m.mae,
                                 "n_fallback": ml1m.n_fallback, "data": "ML-1M random 90/10"}
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
# Notebook **03** makes the input dropout used here the main subject (denoising autoencoders),
# **04** stacks more layers, and **05** makes the codes sparse, each measured on this same split.
