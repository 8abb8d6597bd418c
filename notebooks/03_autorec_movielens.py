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
# # 03 · AutoRec on MovieLens 100K: baselines, validation, recommendations, scale
#
# Notebook 02 built the rating-matrix autoencoder on the lecture's toy matrices and wrote its
# objective in Keras: the masked loss on the observed ratings plus L2 on every layer's weights
# and biases. Here the same model, AutoRec (Sedhain et al., 2015), meets real data: 100,000
# MovieLens ratings, measured against baselines and published results, then used to recommend.
#
# **After this notebook you can**
# - write I-AutoRec in Keras (its layers with their regularisers, the masked loss) and train
#   I-AutoRec and U-AutoRec on MovieLens, choosing λ, dropout and the blend weight on a
#   validation slice (never the test set), and say which settings were fixed beforehand;
# - compare RMSE/MAE with baselines and published numbers, and see what L2 does against overfitting;
# - turn predictions into top-10 recommendations, measure Recall@10 and NDCG@10, and find
#   similar films from the learned item codes;
# - recommend for a brand-new user without retraining, and scale the same code to data too
#   large to hold as a dense matrix.

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
# The run mode picks the values: `full` searches λ and dropout and runs MovieLens 1M; `lecture`
# trains the stored configuration for 20 epochs instead of 30, to save time; `smoke` keeps the
# films with id ≤ 300 and trains for 2 epochs (1 for the boosting table).

# %%
from helpers.runtime import by_mode, smoke_or

SPLIT = "u1"  # the canonical MovieLens 100K split (u1..u5, ua, ub)
SELECT = by_mode(MODE, True, False, False)  # search λ and dropout on the validation slice
EPOCHS = by_mode(MODE, None, 20, 2)  # None = the stored configuration's 30 epochs
SMOKE_ITEMS = smoke_or(MODE, None, 300)  # smoke mode keeps only items with id <= 300
BOOST_EPOCHS = smoke_or(MODE, 10, 1)  # epochs of each variant in the boosting table
RUN_ML1M = by_mode(MODE, True, False, False)  # MovieLens 1M: downloads about 6 MB; skipped when offline
SEED = 0

# %%
from helpers.params import check_params

check_params(SPLIT=(SPLIT, str), SELECT=(SELECT, bool), EPOCHS=(EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), BOOST_EPOCHS=(BOOST_EPOCHS, int),
             RUN_ML1M=(RUN_ML1M, bool), SEED=(SEED, int, 0))

# %% [markdown]
# ## 1. MovieLens 100K
# 100,000 ratings (1–5 stars) by 943 users of 1,682 films, from GroupLens. The canonical
# split `u1` holds out 20,000 ratings as `u1.test`. We carve a further 5% of `u1.base` off as
# a **validation slice**: every choice below (MF's size and L2 weight, λ and dropout in full
# mode, the blend weight) is made on it; `u1.test` only scores models whose settings are fixed,
# and never makes a choice.

# %%
import tempfile

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from helpers import autorec, datasets, evaluation, plots, ratings, runtime, training
from helpers.report import save_results

runtime.set_seed(SEED)
split = evaluation.load_split(SPLIT, seed=SEED, max_item_id=SMOKE_ITEMS)  # the base and test files, a validation slice
train, test, index, fit_part, valid = split.train, split.test, split.index, split.fit, split.valid
titles = datasets.load_movie_titles("ml-100k")
print(f"{SPLIT}.base: {len(train):,} ratings, {index.n_users} users x {index.n_items} items; "
      f"{SPLIT}.test: {len(test):,}; validation slice: {len(valid):,}")
train["rating"].value_counts().sort_index().plot.bar(title=f"ratings in {SPLIT}.base", xlabel="stars")
plt.show()

# %% [markdown]
# ### Baselines
# Any model must beat these: the global mean rating, and the mean plus a user bias and an item
# bias (regularised averages, as in Koren 2008). The bias baseline is the **yardstick**: a
# rating model that does not beat its RMSE by more than 0.005 has not learned anything a sum of
# averages would not give. Then the classic model of a rating matrix, biased matrix
# factorisation: every user $u$ gets a vector $\mathbf p_u$, every item $i$ a vector
# $\mathbf q_i$ ($k$ numbers each), and $\hat r_{ui} = \mu + b_u + b_i + \mathbf p_u \cdot
# \mathbf q_i$. `evaluation.BiasedMF` fits it by alternating least squares (with the item
# vectors fixed, each user's $(\mathbf p_u, b_u)$ is a small ridge regression, and the other way
# round). The number of factors $k$ and the L2 weight are chosen on the validation slice.

# %%
mean_model = evaluation.GlobalMean().fit(train)
bias_model = evaluation.BiasBaseline().fit(train)
fallback = bias_model.predict(test)  # for test users/items that u1.base never saw
scores = {"global mean": evaluation.score(test, mean_model.predict(test)),
          "user + item biases": evaluation.score(test, bias_model.predict(test))}
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
print(f"MF chosen on validation: k = {int(mf_best['factors'])}, reg = {mf_best['reg']}")
display(mf_selection.round(4))
pd.DataFrame({k: v.as_dict() for k, v in scores.items()}).T.round(4)

# %% [markdown]
# ### AutoRec, written in Keras
# **I-AutoRec** takes one *item* at a time: its vector of ratings by all users (943 inputs, 0
# where a user did not rate it) and rebuilds it. **U-AutoRec** takes one *user* at a time: the
# vector of that user's ratings of all items. Both are the network of notebook 02 at full size:
# an encoder $\mathbf h = g(V\mathbf r + \boldsymbol\mu)$ with 500 sigmoid units, a linear decoder
# $\hat{\mathbf r} = W\mathbf h + \mathbf b$ (the AutoRec paper's names; notebook 02's $W_1, b_1$
# and $W_2, b_2$), L2 on all four parameter tensors (the slide's
# $\sum_l^L (\lVert W_l\rVert_F^2 + \lVert b_l\rVert_F^2)$), and the masked loss on the observed
# ratings. Here λ is the weight of each `L2(λ)` regulariser, notebook 02's `lam_kit`: the slide's
# λ is this λ times the number of all observed training ratings, not of a batch's (notebook 02:
# exactly so when every batch holds as many ratings, approximately here, where batches of 64
# items hold different numbers).
# Beyond the paper, whose penalty covers the weights only, the kit penalises the biases too
# (as the slide does), and its configuration adds **input dropout**: a
# `Dropout` layer hides a random half (on average) of each example's observed ratings from the
# input during training and, as Keras's `Dropout` does, scales the rest up by 2, while the loss
# still covers all of them (the denoising idea of notebook 04).
#
# **What was chosen how.** The size (500 units), the activation, Adam with a learning rate of
# 0.003 decaying to 0 along a cosine, the batch size and the 30 epochs were **set beforehand**
# (`autorec.BEST_ITEM`; lecture mode trains 20 epochs) and are not searched here. λ and the
# dropout share are searched on the validation slice in full mode; lecture and smoke mode train
# `BEST_ITEM`'s values alone, with no search.
#
# **AutoRec as a non-linear factorisation.** Write I-AutoRec's output for item $i$ and user $u$
# out: $\hat r_{ui} = W_{u} \cdot \mathbf h_i + b_u$. The code $\mathbf h_i$ is an item vector
# (the $\mathbf q_i$ of MF), the decoder's row $W_u$ a user vector (the $\mathbf p_u$) and $b_u$
# a user bias. MF learns one free vector per item; AutoRec *computes* it from the item's ratings
# through the encoder, with parameters shared by all items. Section 2 checks this reading on the
# trained model.
#
# The first cell below writes the network and how it is compiled, with notebook 02's masked
# loss. It is marked `#| export`: `make sync` copies it into `helpers/autorec_net.py`, from which
# the kit's AutoRec training (`helpers.autorec`) builds, for this notebook's later cells and the
# later notebooks. The second cell
# builds and compiles I-AutoRec, and counts both models' examples and parameters.

# %%
#| default_exp autorec_net
#| export
import keras
import numpy as np

from helpers.losses import MaskedRMSE
from helpers.masked_loss import masked_mse  # written in notebook 02


def autorec_network(n_inputs: int, hidden: int, lam: float, dropout: float = 0.0, activation: str = "sigmoid",
                    name: str = "autorec", code_layer: keras.layers.Layer | None = None) -> keras.Model:
    """r -> Dropout -> g(V r + mu) -> W h + b, with L2(lam) on V, mu, W and b.

    `code_layer`, if given, is applied to the code (`helpers.autorec` passes notebook 06's L1 penalty)."""
    def l2() -> dict:  # one regulariser per tensor: the slide's ||W_l||^2 and ||b_l||^2
        return {"kernel_regularizer": keras.regularizers.L2(lam), "bias_regularizer": keras.regularizers.L2(lam)}

    inputs = keras.Input(shape=(n_inputs,), name="ratings")
    x = keras.layers.Dropout(dropout, name="input_dropout")(inputs) if dropout else inputs  # training only
    code = keras.layers.Dense(hidden, activation=activation, name="encoder", **l2())(x)  # V, mu
    if code_layer is not None:
        code = code_layer(code)
    outputs = keras.layers.Dense(n_inputs, name="decoder", **l2())(code)  # W, b; linear output
    return keras.Model(inputs, outputs, name=name)


OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "adagrad": keras.optimizers.Adagrad}


def compile_autorec(model: keras.Model, config, n_rows: int) -> keras.Model:
    """`config.optimizer` (Adam) with a learning rate that decays to 0 along a cosine over the whole run,
    the masked loss, and the RMSE over observed ratings as a metric."""
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"config.optimizer={config.optimizer!r}: choose one of {sorted(OPTIMIZERS)}.")
    steps = config.epochs * int(np.ceil(n_rows / config.batch_size))  # optimizer steps in the whole run
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)
    model.compile(optimizer=OPTIMIZERS[config.optimizer](schedule), loss=masked_mse, metrics=[MaskedRMSE(name="rmse")])
    return model


# %%
config = autorec.BEST_ITEM.with_epochs(EPOCHS)
runtime.set_seed(SEED)
i_autorec = autorec_network(index.n_users, config.hidden, config.lam, config.dropout, config.activation, "I-AutoRec")
compile_autorec(i_autorec, config, n_rows=index.n_items)  # one example per item
i_autorec.summary()
u_autorec = autorec_network(index.n_items, config.hidden, config.lam, config.dropout, config.activation, "U-AutoRec")
per_user, per_item = train.groupby("user_id").size(), train.groupby("item_id").size()
shapes = pd.DataFrame({"examples": [index.n_items, index.n_users], "inputs per example": [index.n_users, index.n_items],
                       "ratings per example (mean)": [per_item.mean(), per_user.mean()],
                       "parameters": [i_autorec.count_params(), u_autorec.count_params()]},
                      index=["I-AutoRec", "U-AutoRec"])
shapes["training ratings per parameter"] = len(train) / shapes["parameters"]
shapes.round(3)

# %% [markdown]
# The AutoRec paper found I-AutoRec better than U-AutoRec on MovieLens 1M and 10M and suggested
# a reason: there, items have more ratings each than users. The table shows whether that holds
# on this split. Both models see the same ratings, so the one with more parameters has fewer
# training ratings per parameter (the last column).
#
# **Choosing λ and dropout on validation.** Each candidate trains on the fitting part and is
# scored on the validation slice; `autorec.train_autorec` feeds the items' rows of the rating
# matrix (here with a checkpoint in a scratch folder). The model above is the first candidate; in
# full mode the others differ only in λ and dropout, and `autorec.train_autorec` builds them with
# `autorec_network`.

# %%
valid_fallback = split.valid_fallback  # the bias baseline fitted on the fitting part
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
print(f"{len(candidates)} candidate(s) trained; kept: λ = {item_config.lam}, dropout = {item_config.dropout}")
selection.round(4)

# %% [markdown]
# ### Overfitting: λ = 0 against the kept λ
# The slide labels the L2 term "Regularization to avoid overfitting". Train plain I-AutoRec
# (no input dropout, so L2 is the only regulariser) twice on the fitting part, with
# $\lambda = 0$ and with the kept $\lambda$, and after every epoch measure the RMSE on the
# **training** ratings and on the **validation** slice (dropout off). A falling training RMSE
# with a rising validation RMSE means the network memorises the ratings it sees rather than
# learning what generalises; the printed gap says how far apart the two curves end.

# %%
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
    net = autorec_network(index.n_users, plain_config.hidden, lam, 0.0, plain_config.activation)
    compile_autorec(net, plain_config, index.n_items)
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
    best = int(c["validation"].idxmin())
    print(f"λ = {lam:g}: last epoch train {c['train'].iloc[-1]:.4f}, validation {c['validation'].iloc[-1]:.4f} "
          f"(gap {gaps[lam]:.4f}); from its best validation epoch ({best}) to the last: train "
          f"{c['train'].iloc[-1] - c['train'][best]:+.4f}, validation {c['validation'].iloc[-1] - c['validation'][best]:+.4f}")
print(f"λ = 0 ends with the {'larger' if gaps[0.0] > gaps[item_config.lam] else 'smaller or equal'} train/validation "
      f"gap: in this run L2 {'narrowed' if gaps[0.0] > gaps[item_config.lam] else 'did not narrow'} it")

# %% [markdown]
# ### The boosting list, applied to the rating autoencoder
# Notebook 01 tried four of the slide's techniques for boosting performance on MNIST. Three of
# them are tried here, one at a time against the kept configuration, on a smaller epoch budget
# (`BOOST_EPOCHS`): the **dimensions** (hidden size), the **activation** of the code and the
# **optimizer** (each on the same cosine-decaying learning rate). More layers, input noise and
# a penalty on the code are the subjects of notebooks 05, 04 and 06. The **loss** stays the
# masked MSE: the measure is RMSE, and binary cross-entropy needs targets in [0, 1], not
# 1–5 stars. Every variant trains on the fitting part and is scored on the validation slice;
# the table is a look at the list, and nothing below is chosen from it.

# %%
boost_base = item_config.with_(epochs=BOOST_EPOCHS)
boost_variants = {"kept configuration": {}, "hidden 250": {"hidden": 250}, "hidden 1000": {"hidden": 1000},
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
valid_bias = evaluation.rmse(valid["rating"], valid_fallback)
print(f"{BOOST_EPOCHS} epoch(s) each; lowest validation RMSE: {boost_winner} "
      f"({boosting.loc[boost_winner, 'validation RMSE']:.4f}); the bias baseline on the same slice: {valid_bias:.4f}")
learned = boosting["validation RMSE"] < valid_bias - 0.005
print("did not beat the bias baseline by more than 0.005 (not learned in this budget):",
      ", ".join(learned.index[~learned]) or "none")
boosting.round(4)

# %% [markdown]
# ### Blending I-AutoRec and U-AutoRec
# A weighted average of two models can beat both when they err differently. The weight is
# chosen on the validation slice as well; `w = 1` is I-AutoRec alone and `w = 0` U-AutoRec
# alone, so the chosen blend is never worse than either on validation. U-AutoRec takes the λ and
# dropout kept for I-AutoRec; they are not searched for it.

# %%
user_config = autorec.BEST_USER.with_(lam=item_config.lam, dropout=item_config.dropout, epochs=item_config.epochs)
p_item = valid_preds[item_config]  # the kept I-AutoRec's validation predictions, from the search above
user_valid = autorec.train_autorec(fit_part, index, user_config, seed=SEED)
p_user, _ = user_valid.predict_pairs(valid, valid_fallback)
weights = np.round(np.arange(0.0, 1.0001, 0.05), 2)
blend_curve = pd.Series([evaluation.rmse(valid["rating"], autorec.blend_item_user(p_item, p_user, w)) for w in weights], index=weights)
blend_weight = float(blend_curve.idxmin())
ax = blend_curve.plot(title="validation RMSE of w * I-AutoRec + (1 - w) * U-AutoRec", xlabel="w", ylabel="RMSE")
ax.axvline(blend_weight, color="red", linestyle="--")
plt.show()
valid_i, valid_u, valid_b = blend_curve[1.0], blend_curve[0.0], blend_curve[blend_weight]
error_corr = float(np.corrcoef(p_item - valid["rating"], p_user - valid["rating"])[0, 1])
print(f"chosen blend weight w = {blend_weight}; validation RMSE: I-AutoRec {valid_i:.4f}, U-AutoRec {valid_u:.4f}, "
      f"blend {valid_b:.4f}; the two models' errors correlate at {error_corr:.2f}")
assert valid_b <= min(valid_i, valid_u), "the blend weight is chosen on validation, where w = 1 and w = 0 are candidates"

# %% [markdown]
# ### The test set, once, next to published numbers
# Retrain both on all of `u1.base` with the kept settings, checkpointing to the run folder
# (after a disconnect these two runs resume from their last completed epoch), and score
# `u1.test`. Each model is checked against the yardstick (the bias baseline's RMSE).
#
# | model | data | RMSE | source |
# | --- | --- | --- | --- |
# | I-AutoRec | ML-1M, random 90/10 | 0.831 | Sedhain et al., *AutoRec*, WWW 2015 |
# | U-AutoRec | ML-1M, random 90/10 | 0.874 | Sedhain et al., 2015 |
# | GC-MC | ML-100K u1 | 0.910 | van den Berg et al., *Graph Convolutional Matrix Completion*, 2017 |
# | GLocal-K | ML-100K u1 | 0.8889 | Han et al., *GLocal-K*, CIKM 2021: the lowest of its 60 test evaluations (notebook 08) |
#
# The comparable rows are the two ML-100K ones; section 4 runs ML-1M in full mode.

# %%
folder = runtime.run_dir(f"03_autorec_{SPLIT}" + by_mode(MODE, "", "_lecture", "_smoke"))  # one folder per run mode
item_model = autorec.train_autorec(train, index, item_config, run_dir=folder / "item", seed=SEED)
user_model = autorec.train_autorec(train, index, user_config, run_dir=folder / "user", seed=SEED)
pred_item, unseen = item_model.predict_pairs(test, fallback)
pred_user, _ = user_model.predict_pairs(test, fallback)
blend_key = f"I/U-AutoRec blend (w={blend_weight})"
scores["I-AutoRec"] = evaluation.score(test, pred_item, unseen)
scores["U-AutoRec"] = evaluation.score(test, pred_user, unseen)
scores[blend_key] = evaluation.score(test, autorec.blend_item_user(pred_item, pred_user, blend_weight), unseen)
train_seconds = item_model.fit.total_seconds + user_model.fit.total_seconds
resumed = item_model.fit.resumed_from_epoch + user_model.fit.resumed_from_epoch
print(f"training time, both models: {train_seconds:.1f} s" + (" (partly or wholly in an earlier run)" if resumed else "")
      + f"; {int(unseen.sum())} test ratings used the bias fallback")
assert item_model.model.count_params() == shapes.loc["I-AutoRec", "parameters"]
assert user_model.model.count_params() == shapes.loc["U-AutoRec", "parameters"]
bias_rmse = scores["user + item biases"].rmse
print(f"yardstick: the bias baseline's {SPLIT}.test RMSE {bias_rmse:.4f} (the global mean's: {scores['global mean'].rmse:.4f})")
for name in [k for k in scores if k not in ("global mean", "user + item biases")]:
    print(f"  {name}: {scores[name].rmse:.4f}, " + ("beats it by more than 0.005" if scores[name].rmse < bias_rmse - 0.005
                                                 else "does NOT beat it by more than 0.005: not learned in this run"))
for name, value in (("GC-MC", 0.910), ("GLocal-K (the best of its 60 test evaluations)", 0.8889)):
    print(f"the blend {'beats' if scores[blend_key].rmse < value else 'does not beat'} {name} ({value}): "
          f"{value - scores[blend_key].rmse:+.4f}")
plots.loss_curves(item_model.fit.history, metrics=("loss", "rmse"), title=f"I-AutoRec on {SPLIT}.base (training)")
plt.show()
table = pd.DataFrame({k: v.as_dict() for k, v in scores.items()}).T
table.round(4)

# %% [markdown]
# ## 2. Recommend
# A prediction for every missing entry means we can rank, for each user, the films they have
# not rated. First the top 10 for user 1, with five of the films they rated highest for
# context. Then **ranking quality**: a held-out rating of 4 or 5 counts as relevant, and for
# every test user with a relevant film we rank all the films of `u1.base` they did not rate there
# and look at the top 10.
# *Recall@10* is the share of a user's relevant films found in the top 10; *NDCG@10* also
# rewards putting them first. RMSE only looks at the ratings people chose to give, a top-10 list
# at every film a user has not rated.

# %%
scores_ui = autorec.blend_item_user(item_model.user_item_scores(), user_model.user_item_scores(), blend_weight)
user = int(index.user_ids[0])
seen = train.loc[train["user_id"] == user, "item_id"].to_numpy()
top10 = autorec.recommend(scores_ui[0], seen, index.item_ids, k=10)
liked = train[(train["user_id"] == user)].sort_values("rating", ascending=False).head(5)
print(f"user {user} rated {len(seen)} films; five of their favourites:")
print("  " + "\n  ".join(titles.reindex(liked["item_id"]).to_list()))
display(pd.DataFrame({"title": titles.reindex(top10).to_numpy(),  # predictions clipped to 1-5, as everywhere in the kit
                      "predicted": np.clip(scores_ui[0][index.items(top10)], 1, 5).round(2)},
                     index=pd.Index(top10, name="item_id")))
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
# I-AutoRec's 500-unit code of each film is computed from who rated it and how. Films with
# similar codes (cosine similarity) are films the model treats alike; it never saw a genre or a
# title.
# Section 1 read I-AutoRec as a factorisation: the prediction for item $i$ and user $u$ is the
# code $\mathbf h_i$ times the decoder's row for $u$, plus that user's bias. The cell checks
# that reading on the trained model too.

# %%
codes = item_model.codes()
unit = codes / np.linalg.norm(codes, axis=1, keepdims=True)
query_title = "Star Wars (1977)"
query_id = int(titles.index[titles == query_title][0]) if (titles == query_title).any() else int(index.item_ids[0])
q = int(index.items([query_id])[0])
similar = np.argsort(-(unit @ unit[q]))[1:11]
decoder = item_model.model.get_layer("decoder")
as_factorisation = codes @ keras.ops.convert_to_numpy(decoder.kernel) + keras.ops.convert_to_numpy(decoder.bias)
factor_gap = float(np.max(np.abs(as_factorisation - item_model.predicted)))
print(f"codes ({codes.shape[0]} items x {codes.shape[1]}) @ decoder weights ({index.n_users} user vectors) + user biases "
      f"= the model's predictions, largest difference {factor_gap:.1e}")
print(f"{SPLIT}.test RMSE: I-AutoRec {scores['I-AutoRec'].rmse:.4f}, biased MF {scores[mf_key].rmse:.4f}: the non-linear "
      "factorisation " + ("beats" if scores["I-AutoRec"].rmse < scores[mf_key].rmse else "does not beat") + " the linear one")
assert factor_gap < 1e-3
print(f"the 10 films whose codes are closest to {titles[query_id]}'s:")
pd.DataFrame({"title": titles.reindex(index.item_ids[similar]).to_numpy(),
              "cosine": (unit[similar] @ unit[q]).round(3)}, index=pd.Index(index.item_ids[similar], name="item_id"))

# %% [markdown]
# ### A map of the codes, coloured by genre
# The slide says of the code:
# <!-- slide -->In global context, the latent representation in encoding layer can be expected
# to embrace users' preferences for items, or vice versa.<!-- /slide -->
# The model never sees a genre, so genres are one test of what the item codes hold. First a
# picture: the codes projected on their first two principal components (PCA), films of a few
# large genres coloured (films with exactly one of them). Two components keep only part of the
# codes' variance (the share is in the title), so the picture can hide what the codes hold; the
# cell prints how often a coloured film's 10 nearest coloured films *in the picture* have its
# colour, against chance, which says whether the picture shows genre groups. Then a measure on
# the full codes: for each film with at least 20 training ratings, the share of its 10 nearest
# such films (cosine of the codes) that share at least one genre with it, against random pairs of
# films and the films' raw rating vectors (the model's input).

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
colour = genres[shown_genres].to_numpy()[only_one].argmax(axis=1)  # each coloured film's one genre
points = map2d[only_one]
dist = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
np.fill_diagonal(dist, np.inf)
near = np.argsort(dist, axis=1)[:, :10]
map_share = float((colour[near] == colour[:, None]).mean())
counts = np.bincount(colour)
map_chance = float(((counts * (counts - 1)).sum()) / (len(colour) * (len(colour) - 1)))
print(f"in the picture, {map_share:.0%} of a coloured film's 10 nearest coloured films have its colour; by chance "
      f"{map_chance:.0%} ({map_share / map_chance:.2f} times chance): " + (
          "the colours are mixed, the picture shows no genre clusters" if map_share < 1.2 * map_chance else
          "films of a colour sit together more often than chance, though not in separate clusters"
          if map_share < 2 * map_chance else "films of a colour group together"))


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
from_codes = genre_agreement(codes[well_rated], flags)
from_input = genre_agreement(item_model.inputs[well_rated], flags)
print(f"{int(well_rated.sum())} films with >= 20 ratings; share of the 10 nearest that share a genre: codes "
      f"{from_codes:.3f} ({from_codes / random_pairs:.2f} times random pairs' {random_pairs:.3f}), raw rating vectors "
      f"{from_input:.3f}: the codes' neighbours share a genre " + ("more" if from_codes > from_input else "no more")
      + f" often than the input's, in {codes.shape[1]} numbers instead of {index.n_users}")

# %% [markdown]
# ## 3. Try it yourself
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
# ## 4. Scale
# MovieLens 100K fits easily as a dense matrix (1,682 × 943 floats, 6 MB). MovieLens 20M does
# not: 26,744 films × 138,493 users is 3.7 billion entries, about 15 GB as float32, for 20
# million ratings. The kit's sparse path keeps the matrix as a `tf.sparse.SparseTensor` and
# densifies **one batch of rows at a time** in a `tf.data` pipeline; the model, the loss and the
# training call stay the same. Here it runs on MovieLens 100K so we can compare the two paths.
# Both paths are built inside `runtime.distribution_strategy().scope()`: on a runtime with
# several GPUs (or a TPU) Keras splits each batch across them; on one GPU or a CPU nothing
# changes.
#
# Then **MovieLens 1M, as in the AutoRec paper** (full mode): one million ratings by 6,040 users
# of 3,706 films, a random 90/10 split; the paper reports I-AutoRec RMSE 0.831. This downloads
# about 6 MB from GroupLens; with `COURSE_DATA_DIR` set and no `ml-1m/` folder there, it is
# skipped. It checkpoints to its run folder, so a disconnect costs at most one epoch.

# %%
sparse_item = autorec.train_autorec(train, index, item_config, sparse=True, seed=SEED)
pred_sparse, _ = sparse_item.predict_pairs(test, fallback)
sparse_rmse = evaluation.rmse(test["rating"], pred_sparse)
print(f"I-AutoRec test RMSE: dense path {scores['I-AutoRec'].rmse:.4f}, sparse path {sparse_rmse:.4f} "
      f"({sparse_item.fit.total_seconds:.1f} s): they differ by {abs(sparse_rmse - scores['I-AutoRec'].rmse):.4f} "
      "(the two paths feed the rows in different orders)")
print("dense ML-20M would need", f"{26_744 * 138_493 * 4 / 1e9:.1f} GB;",
      "one sparse batch of 64 items needs", f"{64 * 138_493 * 4 / 1e6:.0f} MB")
strategy = runtime.distribution_strategy()
print(type(strategy).__name__, "with", strategy.num_replicas_in_sync, "replica(s)")
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
                                           run_dir=runtime.run_dir("03_autorec_ml1m"))
        ml1m_pred, ml1m_unseen = ml1m_model.predict_pairs(ml1m_test, ml1m_fallback)
        ml1m = evaluation.score(ml1m_test, ml1m_pred, ml1m_unseen)
        print(f"ML-1M I-AutoRec test RMSE {ml1m.rmse:.4f} (paper: 0.831) in {ml1m_model.fit.total_seconds:.0f} s")
else:
    print("MovieLens 1M not run (RUN_ML1M = False).")

# %% [markdown]
# ## Results
# The test scores, training times and ranking metrics of this run; the sentences under the
# table are printed from it (a signed number is how much lower the model's RMSE is than the
# baseline's: positive means the model is better).

# %%
train_seconds_by_model = pd.Series({"I-AutoRec": item_model.fit.total_seconds,
                                    "U-AutoRec": user_model.fit.total_seconds, blend_key: train_seconds},
                                   name="train seconds")
results = (table[["rmse", "mae", "n_fallback"]]
           .assign(data=f"ML-100K {SPLIT}" + (" (smoke slice)" if MODE == "smoke" else ""))
           .join(train_seconds_by_model)
           .join(ranking.rename(index={"I/U blend": blend_key})[["recall@10", "ndcg@10"]])
           .reset_index(names="model"))
if ml1m is not None:
    results = pd.concat([results, pd.DataFrame([{"model": "I-AutoRec", "rmse": ml1m.rmse, "mae": ml1m.mae,
                                                 "n_fallback": ml1m.n_fallback, "data": "ML-1M random 90/10"}])],
                        ignore_index=True)
save_results("03_autorec_movielens", MODE, results)
display(results.round(4))
rmse_of = {k: v.rmse for k, v in scores.items()}
for k in [k for k in rmse_of if "AutoRec" in k]:
    print(f"{k} ({rmse_of[k]:.4f}): {rmse_of['global mean'] - rmse_of[k]:+.4f} against the global mean, "
          f"{rmse_of['user + item biases'] - rmse_of[k]:+.4f} against the bias baseline")
best_single = min(("I-AutoRec", "U-AutoRec"), key=rmse_of.get)
print(f"{best_single} is the better single model on {SPLIT}.test; the blend "
      + ("beats" if rmse_of[blend_key] < rmse_of[best_single] else "does not beat") + " it")
ndcg = ranking["ndcg@10"]
print(f"NDCG@10: the blend {ndcg['I/U blend']:.4f}, the bias baseline {ndcg['user + item biases']:.4f} "
      f"({ndcg['I/U blend'] / max(ndcg['user + item biases'], 1e-12):.2f} times the baseline's)")

# %% [markdown]
# ## Exercises
# Each exercise has an answer cell. In the students' edition a `grader.check(...)` cell under it
# runs the public checks, which only say whether the answer has the right form (answered, a
# share between 0 and 1, a function that returns a whole number), never whether it is right;
# the instructor's grading runs hidden tests.

# %%
from helpers import grading

grader = grading.grader("03_autorec_movielens")

# %% [markdown] question={"name": "q03_1", "points": 2}
# **Exercise 1.** Films with few training ratings are where a rating autoencoder has least to
# go on. What share of the ratings in `test` are of films that have **fewer than 20 ratings** in
# `train`? (A film `train` never saw counts as having 0.) Compute it from `train` and `test`
# and give a fraction between 0 and 1, to three decimal places or more.

# %% tags=["solution"]
answer_1 = float((test["item_id"].map(train["item_id"].value_counts()).fillna(0) < 20).mean())  # SOLUTION

# %% tags=["test"]
def test_q03_1_form(answer_1):
    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    assert isinstance(answer_1, (int, float)), "the answer is a number"
    assert 0 <= answer_1 <= 1, "a share is between 0 and 1"


test_q03_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q03_1_value(answer_1, train, test):
    per_film = train["item_id"].value_counts()
    expected = float((test["item_id"].map(per_film).fillna(0) < 20).mean())
    assert abs(answer_1 - expected) < 5e-4, "not the share of test ratings on films with fewer than 20 training ratings"


test_q03_1_value(answer_1, train, test)  # IGNORE

# %% [markdown] question={"name": "q03_2", "points": 3}
# **Exercise 2 (write code).** Write `autorec_parameters(n_inputs, hidden)`: the number of
# parameters (weights and biases of the encoder and the decoder) of the network
# `autorec_network` builds for rows of `n_inputs` ratings and a code of `hidden` units, for any
# sizes, from the shapes of its layers. The hidden tests try it on other sizes, MovieLens 1M's
# among them (6,040 users, 3,706 films).

# %% tags=["solution"]
def autorec_parameters(n_inputs: int, hidden: int) -> int:
    """Weights and biases of an n_inputs -> hidden -> n_inputs AutoRec."""
    # BEGIN SOLUTION
    return n_inputs * hidden + hidden + hidden * n_inputs + n_inputs
    # END SOLUTION


# %% tags=["test"]
def test_q03_2_form(autorec_parameters):
    assert autorec_parameters(7, 3) is not None, "not answered yet: write the function's body"
    value = autorec_parameters(7, 3)
    assert isinstance(value, int) or float(value).is_integer(), f"a count is a whole number, not {value!r}"


test_q03_2_form(autorec_parameters)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q03_2_value(autorec_parameters):
    import random

    cases = [(6040, 500), (3706, 500), (1, 1)] + [(random.randint(2, 5000), random.randint(1, 1000)) for _ in range(5)]
    for n_inputs, hidden in cases:
        expected = 2 * n_inputs * hidden + hidden + n_inputs
        assert autorec_parameters(n_inputs, hidden) == expected, \
            f"for n_inputs={n_inputs}, hidden={hidden}: not the count of weights and biases"


test_q03_2_value(autorec_parameters)  # IGNORE

# %% [markdown]
# ## What's next
# Notebook **04** makes the input dropout used here the main subject (denoising autoencoders),
# **05** stacks more layers, and **06** makes the codes sparse; each trains its rating models on
# this same `u1` split.
