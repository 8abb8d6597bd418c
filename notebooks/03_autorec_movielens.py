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
# Notebook 02's autoencoder, AutoRec (Sedhain et al., 2015), on MovieLens 100K.
#
# **After this notebook you can**
# - write AutoRec in Keras, train I- and U-AutoRec on MovieLens and choose settings on a
#   validation slice, never on the test set;
# - compare RMSE with baselines and published numbers, and see what L2 does against overfitting;
# - rank films for a user, find similar films from the item codes, and recommend for a new user
#   without retraining.
#
# **What you should see** (each printed from this run's numbers)
# - I-AutoRec beats the global mean, the bias baseline and biased MF (section 1's yardstick
#   lines, the Results table's `rmse`), and U-AutoRec, as the paper found;
# - without L2 the training and validation RMSE end further apart (the overfitting lines);
# - I-AutoRec's top 10 rank the held-out favourites higher than the bias baseline's (`ndcg@10`).

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
# The run mode picks the values: `full` searches λ and dropout and runs MovieLens 1M; `lecture`
# trains the stored configuration for 20 epochs instead of 30; `smoke` keeps the films with
# id ≤ 300 and trains for 2 epochs.

# %%
from helpers.runtime import by_mode, smoke_or

SPLIT = "u1"  # the canonical MovieLens 100K split (u1..u5, ua, ub)
SELECT = by_mode(MODE, True, False, False)  # search λ and dropout on the validation slice
EPOCHS = by_mode(MODE, None, 20, 2)  # None = the stored configuration's 30 epochs
SMOKE_ITEMS = smoke_or(MODE, None, 300)  # smoke mode keeps only items with id <= 300
RUN_ML1M = by_mode(MODE, True, False, False)  # MovieLens 1M: downloads about 6 MB; skipped when offline
SEED = 0

# %%
from helpers.params import check_params

check_params(SPLIT=(SPLIT, str), SELECT=(SELECT, bool), EPOCHS=(EPOCHS, (int, type(None))),
             SMOKE_ITEMS=(SMOKE_ITEMS, (int, type(None))), RUN_ML1M=(RUN_ML1M, bool), SEED=(SEED, int, 0))

# %% [markdown]
# ## 1. MovieLens 100K
# 100,000 ratings (1–5 stars) by 943 users of 1,682 films, from GroupLens. The canonical split
# `u1` holds out 20,000 ratings as `u1.test`. A further 5% of `u1.base` is carved off as a
# **validation slice**: every setting below is chosen on it; `u1.test` only scores models whose
# settings are fixed.

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
train["rating"].value_counts().sort_index().plot.bar(title=f"ratings in {SPLIT}.base", xlabel="stars",
                                                     ylabel="ratings", rot=0, figsize=(5, 3))
plt.show()

# %% [markdown]
# ### Baselines
# Any model must beat the global mean rating and the mean plus a user and an item bias
# (regularised averages, Koren 2008). The bias baseline is the **yardstick**: a model that does
# not beat its RMSE by more than 0.005 has learned nothing a sum of averages would not give.
# The classic model of a rating matrix is biased matrix factorisation: user $u$ gets a vector
# $\mathbf p_u$, item $i$ a vector $\mathbf q_i$ ($k$ numbers each), and
# $\hat r_{ui} = \mu + b_u + b_i + \mathbf p_u \cdot \mathbf q_i$, fitted by alternating least
# squares (`evaluation.BiasedMF`); $k$ and its L2 weight are chosen on the validation slice.

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
# **I-AutoRec** reads one *item* at a time (its ratings by all users, 0 where unrated) and
# rebuilds it; **U-AutoRec** reads one *user* at a time. Both are notebook 02's network at full
# size: an encoder $\mathbf h = g(V\mathbf r + \boldsymbol\mu)$ with 500 sigmoid units, a linear
# decoder $\hat{\mathbf r} = W\mathbf h + \mathbf b$ (the paper's names for notebook 02's
# $W_1, b_1, W_2, b_2$), L2 on all four tensors (the slide's
# $\sum_l^L (\lVert W_l\rVert_F^2 + \lVert b_l\rVert_F^2)$) and the masked loss. From here on
# (and in 04–08), λ is the Keras weight of each `L2(λ)`, 02's `lam_kit`, on the per-rating scale:
# the slide's λ is about this λ times the observed training ratings. Unlike the paper, which penalises the weights only, the kit also
# penalises the biases and adds **input dropout**: in training, a `Dropout` layer hides about
# half of each row's observed ratings (and doubles the rest), while the loss covers them all.
#
# **Set beforehand** (`autorec.BEST_ITEM`): the size, the activation, Adam at 0.003 decaying to
# 0 along a cosine, the batch size, 30 epochs (lecture mode: 20). Full mode searches λ and the
# dropout share on the validation slice.
#
# **A non-linear factorisation.** I-AutoRec predicts $\hat r_{ui} = W_u \cdot \mathbf h_i + b_u$:
# the code $\mathbf h_i$ is an item vector (MF's $\mathbf q_i$), the decoder's row $W_u$ a user
# vector ($\mathbf p_u$). MF learns a free vector per item; AutoRec *computes* it from the
# item's ratings.
#
# `make sync` copies the `#| export` cell into `helpers/autorec_net.py`, which later notebooks
# build from.


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
# The AutoRec paper found I-AutoRec better than U-AutoRec on MovieLens 1M and 10M and put it
# down to items having more ratings on average than users there; in `u1.base` users have more
# (`ratings per example (mean)`). Both models see the same ratings, so the one with more parameters also has
# fewer training ratings per parameter (the last column).
#
# **Choosing λ and dropout on validation.** Each candidate trains on the fitting part and is
# scored on the validation slice. The model above is the first candidate; in full mode
# `autorec.train_autorec` builds the others with `autorec_network`.

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
# The slide labels the L2 term "Regularization to avoid overfitting". Train plain I-AutoRec (no
# dropout, so L2 is the only regulariser) on the fitting part with $\lambda = 0$ and with the
# kept $\lambda$, and after every epoch measure the RMSE on the **training** ratings and on the
# **validation** slice. A training RMSE that keeps falling while the validation RMSE does not
# means the network memorises the ratings it sees.

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
# ### The test set, once, next to published numbers
# Retrain both models on all of `u1.base` with the kept settings (U-AutoRec takes I-AutoRec's λ
# and dropout, tuned for I-AutoRec, not for it; a checkpoint per epoch in the run folder) and score
# `u1.test`. A model that misses the yardstick serves nothing below.
#
# | model | data | RMSE | source |
# | --- | --- | --- | --- |
# | I-AutoRec | ML-1M, random 90/10 | 0.831 | Sedhain et al., *AutoRec*, WWW 2015 |
# | U-AutoRec | ML-1M, random 90/10 | 0.874 | Sedhain et al., 2015 |
# | GC-MC | ML-100K u1 | 0.910 | van den Berg et al., 2017 |
# | GLocal-K | ML-100K u1 | 0.8889 | Han et al., CIKM 2021: the lowest of its 60 test evaluations (notebook 08) |
#
# Only the ML-100K rows are comparable, and GLocal-K's, the best of 60 looks at the test set,
# flatters it.

# %%
folder = runtime.run_dir(f"03_autorec_{SPLIT}" + by_mode(MODE, "", "_lecture", "_smoke"))  # one folder per run mode
user_config = autorec.BEST_USER.with_(lam=item_config.lam, dropout=item_config.dropout, epochs=item_config.epochs)
item_model = autorec.train_autorec(train, index, item_config, run_dir=folder / "item", seed=SEED)
user_model = autorec.train_autorec(train, index, user_config, run_dir=folder / "user", seed=SEED)
pred_item, unseen = item_model.predict_pairs(test, fallback)
pred_user, _ = user_model.predict_pairs(test, fallback)
scores["I-AutoRec"] = evaluation.score(test, pred_item, unseen)
scores["U-AutoRec"] = evaluation.score(test, pred_user, unseen)
resumed = item_model.fit.resumed_from_epoch + user_model.fit.resumed_from_epoch
print(f"training time: I-AutoRec {item_model.fit.total_seconds:.1f} s, U-AutoRec {user_model.fit.total_seconds:.1f} s"
      + (" (partly or wholly in an earlier run)" if resumed else "")
      + f"; {int(unseen.sum())} test ratings used the bias fallback")
for model in (item_model, user_model):
    print(f"{model.config.describe()}, trained on all of {SPLIT}.base")
assert item_model.model.count_params() == shapes.loc["I-AutoRec", "parameters"]
assert user_model.model.count_params() == shapes.loc["U-AutoRec", "parameters"]
bias_rmse = scores["user + item biases"].rmse
print(f"yardstick: the bias baseline's {SPLIT}.test RMSE {bias_rmse:.4f} (the global mean's: {scores['global mean'].rmse:.4f})")
learned = {name: scores[name].rmse < bias_rmse - 0.005 for name in (mf_key, "I-AutoRec", "U-AutoRec")}
for name, ok in learned.items():
    print(f"  {name}: {scores[name].rmse:.4f}, " + ("beats it by more than 0.005" if ok else
                                                 "does NOT beat it by more than 0.005: FAILED, not learned in this run"))
for name, value in (("GC-MC", 0.910), ("GLocal-K (the best of its 60 test evaluations)", 0.8889)):
    d = value - scores["I-AutoRec"].rmse
    print(f"I-AutoRec {'beats' if d > 0 else 'does not beat'} {name} ({value}): RMSE "
          f"{'lower' if d > 0 else 'higher'} by {abs(d):.4f}")
demo_model = "I-AutoRec" if learned["I-AutoRec"] else "user + item biases"
print(f"sections 2 and 3 recommend with {demo_model}" + ("" if learned["I-AutoRec"] else
      ": I-AutoRec failed the yardstick in this run, so the demo falls back on the bias baseline"))
plots.loss_curves(item_model.fit.history, metrics=("loss", "rmse"), title=f"I-AutoRec on {SPLIT}.base (training)")
plt.show()
table = pd.DataFrame({k: v.as_dict() for k, v in scores.items()}).T
table.round(4)

# %% [markdown]
# ## 2. Recommend
# A prediction for every missing entry ranks each user's unrated films: first user 1's top 10,
# beside five films they rated highest. Then **ranking quality**: a held-out rating of 4 or 5 is
# relevant; for each test user with one, rank all of `u1.base`'s films they did not rate there.
# *Recall@10* is the share of their relevant films in the top 10; *NDCG@10* also rewards putting
# them first. Unlike RMSE, this looks at every such film.

# %%
bias_scores_ui = bias_model.score_matrix(index.user_ids, index.item_ids)  # users x items, like user_item_scores()
demo_scores = item_model.user_item_scores() if demo_model == "I-AutoRec" else bias_scores_ui
user = int(index.user_ids[0])
seen = train.loc[train["user_id"] == user, "item_id"].to_numpy()
top10 = autorec.recommend(demo_scores[0], seen, index.item_ids, k=10)
liked = train[(train["user_id"] == user)].sort_values("rating", ascending=False).head(5)
print(f"user {user} rated {len(seen)} films; five of their favourites:")
print("  " + "\n  ".join(titles.reindex(liked["item_id"]).to_list()))
print(f"the top 10 for user {user}, by {demo_model}:")
display(pd.DataFrame({"title": titles.reindex(top10).to_numpy(),  # predictions clipped to 1-5 for display
                      "predicted": np.clip(demo_scores[0][index.items(top10)], 1, 5).round(2)},
                     index=pd.Index(top10, name="item_id")))
ranking = pd.DataFrame({
    "user + item biases": evaluation.ranking_metrics(bias_scores_ui, index, train, test),
    "I-AutoRec": evaluation.ranking_metrics(item_model.user_item_scores(), index, train, test),
    "U-AutoRec": evaluation.ranking_metrics(user_model.user_item_scores(), index, train, test),
}).T
ranking.round(4)

# %% [markdown]
# ### Item codes: films the model thinks alike
# I-AutoRec computes a film's 500-number code from who rated it and how, never from a genre or
# a title; films with similar codes (cosine) are films it treats alike. The cell also checks
# section 1's reading: codes times the decoder's weights, plus its biases, are the predictions.

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
# ### Do the codes hold genres?
# The slide says of the code:
# <!-- slide -->In global context, the latent representation in encoding layer can be expected
# to embrace users' preferences for items, or vice versa.<!-- /slide -->
# The model never sees a genre, so genres test what the codes hold. The picture projects the
# codes on two principal components, one panel per genre; the cell prints how far each genre's
# centre sits from the others', in standard deviations (SD). The measure uses the full codes: for films with at least 20 training ratings, the
# share of the 10 nearest (cosine) that share a genre, against random pairs and the raw rating
# vectors (the input).

# %%
genres = datasets.load_movie_genres("ml-100k").reindex(index.item_ids)
centred = codes - codes.mean(axis=0)
_, sing, axes_pc = np.linalg.svd(centred, full_matrices=False)
map2d = centred @ axes_pc[:2].T
shown_genres = ["Drama", "Comedy", "Action", "Horror", "Children's"]
share_pc = float((sing[:2] ** 2).sum() / (sing**2).sum())
fig, axes = plt.subplots(1, len(shown_genres), figsize=(15, 3.2), sharex=True, sharey=True)
for ax, name in zip(axes, shown_genres):
    pick = genres[name].to_numpy().astype(bool)
    ax.scatter(*map2d[~pick].T, s=3, color="lightgrey")
    ax.scatter(*map2d[pick].T, s=4, color="tab:blue")
    ax.set(title=f"{name} ({int(pick.sum())} films, blue)", xlabel="PC 1", ylabel="PC 2")
fig.suptitle(f"I-AutoRec item codes, first two principal components ({share_pc:.0%} of the variance); "
             "grey: the other films")
fig.tight_layout()
plt.show()
spread = map2d.std(axis=0)
apart = {}
for name in shown_genres:
    pick = genres[name].to_numpy().astype(bool)
    apart[name] = (map2d[pick].mean(axis=0) - map2d[~pick].mean(axis=0)) / spread
    print(f"{name}: centre {apart[name][0]:+.2f} SD along PC 1, {apart[name][1]:+.2f} SD along PC 2 "
          "from the other films'")
far = max(apart, key=lambda name: np.linalg.norm(apart[name]))
near = min(apart, key=lambda name: np.linalg.norm(apart[name]))
print(f"{far}'s films sit furthest from the rest, {near}'s nearest: the first two components "
      + ("separate some genres" if np.linalg.norm(apart[far]) >= 0.5 else "separate no genre well")
      + f" ({np.linalg.norm(apart[far]):.2f} SD at most); the measure below uses all {codes.shape[1]} numbers")


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
# A new user has no column in I-AutoRec, but section 1's reading gives them one without
# retraining: a decoder row is a user vector, so fit theirs by a ridge regression (strength 1,
# set beforehand) of their ratings, less the trained users' average prediction, on the rated
# films' centred codes plus a bias term. The demo uses I-AutoRec if section 1's verdict says it
# learned (its settings were fixed on the validation slice), else the bias baseline. Edit the ratings below, or
# use the sliders in Jupyter or Colab.

# %%
from helpers.demo import find_items, rating_widget

average_user = item_model.predicted.mean(axis=1)  # each film's prediction, averaged over the trained users
design = np.hstack([centred, np.ones((len(codes), 1))])  # each film's centred code, and a 1 for the user's bias
known = {title: item for item, title in titles.items() if item in set(index.item_ids)}


def recommend_new_user(my_ratings: dict[str, float], k: int = 10, strength: float = 1.0) -> pd.DataFrame:
    """The top k films for someone who gave `my_ratings` (exact titles -> 1..5), with no retraining."""
    missing = [t for t in my_ratings if t not in known]
    if missing:
        raise ValueError(f"unknown title(s) {missing}: copy exact titles from find_items(titles, 'word')")
    rated = index.items([known[t] for t in my_ratings])
    if demo_model == "I-AutoRec":  # ridge regression of (rating - average user's) on the rated films' codes
        x, r = design[rated], np.array(list(my_ratings.values()), dtype=float)
        row = np.linalg.solve(x.T @ x + strength * np.eye(x.shape[1]), x.T @ (r - average_user[rated]))
        predicted = average_user + design @ row
    else:  # the bias baseline: mu + b_i, the same list for every new user
        predicted = bias_model.score_matrix(np.array([-1]), index.item_ids)[0]
    top = pd.Series(predicted, index=index.item_ids).drop(index.item_ids[rated]).nlargest(k)
    return pd.DataFrame({"title": titles.reindex(top.index).to_numpy(),
                         "predicted rating": top.clip(1, 5).round(2).to_numpy()}, index=top.index.rename("item_id"))


my_ratings = {"Star Wars (1977)": 5, "Return of the Jedi (1983)": 5, "Toy Story (1995)": 4,
              "Fargo (1996)": 2, "English Patient, The (1996)": 1}
print(f"recommended by {demo_model}:")
recommend_new_user(my_ratings)

# %%
popular = train["item_id"].value_counts().index[:12]
rating_widget([titles[i] for i in popular], recommend_new_user)
find_items(titles, "godfather")

# %% [markdown]
# ## 4. Scale
# MovieLens 100K fits as a dense matrix (1,682 × 943 floats, 6 MB); MovieLens 20M's 26,744
# films × 138,493 users would take about 15 GB. The kit's sparse path keeps the matrix as a
# `tf.sparse.SparseTensor` and densifies **one batch of rows at a time** in a `tf.data`
# pipeline; model, loss and training call stay the same. Under
# `runtime.distribution_strategy().scope()`, several GPUs (or a TPU) share each batch.
#
# Full mode also runs **MovieLens 1M as in the paper** (6,040 users, 3,706 films, random 90/10
# split; about 6 MB from GroupLens, skipped offline).

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
        ml1m_bias = evaluation.rmse(ml1m_test["rating"], ml1m_fallback)  # its own yardstick
        print(f"ML-1M I-AutoRec test RMSE {ml1m.rmse:.4f} (paper: 0.831; bias baseline {ml1m_bias:.4f}) "
              f"in {ml1m_model.fit.total_seconds:.0f} s")
else:
    print("MovieLens 1M not run (RUN_ML1M = False).")


# %% [markdown]
# ## Results
# This run's test scores and ranking metrics. `learned` says whether a model beat the yardstick
# by more than 0.005; the lines under it compare RMSEs and NDCG@10.

# %%
verdict = {name: "yes" if ok else "FAILED" for name, ok in learned.items()}
results = (table[["rmse", "mae", "n_fallback"]]
           .assign(data=f"ML-100K {SPLIT}" + (" (smoke slice)" if MODE == "smoke" else ""),
                   learned=[verdict.get(name, "yardstick" if name == "user + item biases" else "baseline")
                            for name in table.index])
           .join(ranking[["recall@10", "ndcg@10"]])
           .reset_index(names="model"))
if ml1m is not None:
    results = pd.concat([results, pd.DataFrame([{"model": "I-AutoRec", "rmse": ml1m.rmse, "mae": ml1m.mae,
                                                 "n_fallback": ml1m.n_fallback, "data": "ML-1M random 90/10",
                                                 "learned": "yes" if ml1m.rmse < ml1m_bias - 0.005 else "FAILED"}])],
                        ignore_index=True)
overfitting = pd.DataFrame([{"model": f"I-AutoRec, λ = {lam:g}, no dropout", "data": f"ML-100K {SPLIT}, "
                             f"validation slice, last of {len(c)} epochs (L2 and overfitting)",
                             "train rmse": c["train"].iloc[-1], "validation rmse": c["validation"].iloc[-1],
                             "gap": gaps[lam]} for lam, c in curves.items()])
save_results("03_autorec_movielens", MODE, pd.concat([results, overfitting], ignore_index=True))
display(results.round(4))
rmse_of = {k: v.rmse for k, v in scores.items()}
for k in ("I-AutoRec", "U-AutoRec"):
    gaps = [(other, rmse_of[other] - rmse_of[k]) for other in ("global mean", "user + item biases", mf_key)]
    print(f"{k} ({rmse_of[k]:.4f}), RMSE against " + ", ".join(
        f"{other}: {'lower' if d > 0 else 'higher'} by {abs(d):.4f}" for other, d in gaps))
i_over_u = rmse_of["U-AutoRec"] - rmse_of["I-AutoRec"]
print(f"I-AutoRec {'beats' if i_over_u > 0 else 'does not beat'} U-AutoRec on {SPLIT}.test "
      f"(RMSE {'lower' if i_over_u > 0 else 'higher'} by {abs(i_over_u):.4f})")
ndcg = ranking["ndcg@10"]
better = ndcg["I-AutoRec"] > ndcg["user + item biases"]
print(f"NDCG@10: I-AutoRec {ndcg['I-AutoRec']:.4f}, the bias baseline {ndcg['user + item biases']:.4f} "
      f"({ndcg['I-AutoRec'] / max(ndcg['user + item biases'], 1e-12):.2f} times the baseline's): I-AutoRec's top 10 "
      + ("rank the held-out favourites higher" if better else "do NOT rank the held-out favourites higher"))

# %% [markdown]
# ## Exercises
# In the students' edition a `grader.check(...)` cell under each answer runs the public checks,
# which test only its form (answered, a number, a Keras model); hidden tests grade it.

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
    import numbers

    import numpy as np

    assert answer_1 is not ..., "not answered yet: replace ... with your answer"
    assert np.ndim(answer_1) == 0, "the answer is one number"
    value = np.asarray(answer_1).item()
    assert isinstance(value, numbers.Real) and not isinstance(value, bool), "the answer is a number"
    assert 0 <= value <= 1, "a share is between 0 and 1"


test_q03_1_form(answer_1)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q03_1_value(answer_1, train, test):
    per_film = train["item_id"].value_counts()
    expected = float((test["item_id"].map(per_film).fillna(0) < 20).mean())
    assert abs(float(answer_1) - expected) < 5e-4, "not the share of test ratings on films with fewer than 20 training ratings"


test_q03_1_value(answer_1, train, test)  # IGNORE

# %% [markdown] question={"name": "q03_2", "points": 4}
# **Exercise 2 (write Keras).** The AutoRec paper's penalty is
# $\frac{\lambda}{2}(\lVert W\rVert_F^2 + \lVert V\rVert_F^2)$: the two weight matrices only,
# halved; and it uses no dropout. Write `paper_autorec(n_inputs, hidden, lam)`: a Keras model
# reading rows of `n_inputs` ratings, with a sigmoid code of `hidden` units, a linear output of
# `n_inputs`, and exactly that penalty (what Keras adds to the loss) for λ = `lam` (on the
# per-rating scale of the mean loss, as above: the paper's λ over its sum is `lam` times the
# observed ratings), compiled with
# notebook 02's `masked_mse` and the slide's optimizer (RMSprop, learning rate 0.001). Write the
# layers yourself (`autorec_network` and `compile_autorec` earn no points). Hidden tests: random
# sizes (MovieLens 1M's 6,040 and 3,706 among them), the penalty against the weights, the loss
# at unrated entries, and a few epochs of training.

# %% tags=["solution"]
def paper_autorec(n_inputs: int, hidden: int, lam: float) -> keras.Model:
    """The AutoRec paper's network and objective, compiled: masked loss + lam / 2 (||V||^2 + ||W||^2)."""
    # BEGIN SOLUTION
    penalty = keras.regularizers.L2(lam / 2)  # Keras's L2(c) adds c * sum(w ** 2)
    inputs = keras.Input(shape=(n_inputs,))
    code = keras.layers.Dense(hidden, activation="sigmoid", kernel_regularizer=penalty)(inputs)
    outputs = keras.layers.Dense(n_inputs, kernel_regularizer=penalty)(code)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), loss=masked_mse)
    return model
    # END SOLUTION


# %% tags=["test"]
def test_q03_2_form(paper_autorec):
    import keras

    assert paper_autorec(6, 3, 0.01) is not None, "not answered yet: write the function's body"
    model = paper_autorec(6, 3, 0.01)
    assert isinstance(model, keras.Model), f"return the Keras model, not a {type(model).__name__}"
    assert model.input_shape == (None, 6) and model.output_shape == (None, 6), "rows of n_inputs ratings in and out"


test_q03_2_form(paper_autorec)  # IGNORE

# %% tags=["test"]
""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
def test_q03_2_behaviour(paper_autorec):

    import keras
    import numpy as np

    from helpers import grading

    used = grading.kit_names_used(paper_autorec, allowed=("masked_mse",))  # the lesson's autorec_network too
    assert not used, f"write the Keras code yourself: it calls the kit's {', '.join(used)}"
    rng = np.random.default_rng()
    for n_inputs in (6040, 3706):  # MovieLens 1M's users and films: shapes only
        model = paper_autorec(n_inputs, 500, 1e-3)
        assert model.input_shape == (None, n_inputs) and model.output_shape == (None, n_inputs), \
            f"for n_inputs={n_inputs}: the model reads and returns rows of n_inputs ratings"
        assert model.count_params() == 2 * n_inputs * 500 + 500 + n_inputs, "two Dense layers with biases"
    for _ in range(3):
        n_inputs, hidden = int(rng.integers(4, 40)), int(rng.integers(2, 12))
        lam = float(10 ** rng.uniform(-3, -1))
        model = paper_autorec(n_inputs, hidden, lam)
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        assert [d.units for d in dense] == [hidden, n_inputs], "Dense(hidden), then Dense(n_inputs)"
        assert [d.get_config()["activation"] for d in dense] == ["sigmoid", "linear"], "a sigmoid code, a linear output"
        assert isinstance(model.optimizer, keras.optimizers.RMSprop), "compile with RMSprop"
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        assert abs(rate - 1e-3) < 1e-9, f"learning rate 0.001, not {rate:g}"
        weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()]
        model.set_weights(weights)  # biases too: the paper's penalty leaves them out
        v, w = weights[0].astype(float), weights[2].astype(float)
        expected = lam / 2 * (np.sum(v**2) + np.sum(w**2))
        penalty = float(sum(keras.ops.convert_to_numpy(x) for x in model.losses))
        assert abs(penalty - expected) <= 1e-4 * expected, \
            f"the penalty is {penalty:.6g}; lam / 2 * (||V||^2 + ||W||^2) is {expected:.6g} (lam={lam:.3g})"
        y = (rng.integers(1, 6, (16, n_inputs)) * (rng.random((16, n_inputs)) < 0.4)).astype("float32")
        y[:, 0] = 3.0  # every row holds a rating
        pred = rng.normal(3, 1, y.shape).astype("float32")
        moved = np.where(y == 0, pred + rng.normal(0, 5, y.shape), pred).astype("float32")  # unrated entries only
        loss = float(keras.ops.convert_to_numpy(model.compute_loss(y=y, y_pred=pred)))
        loss_moved = float(keras.ops.convert_to_numpy(model.compute_loss(y=y, y_pred=moved)))
        assert abs(loss_moved - loss) < 1e-4 * loss, "the loss changes with the predictions at unrated entries (0s)"
        masked = float(np.mean((pred - y)[y > 0].astype(float) ** 2))
        assert abs(loss - (masked + expected)) < 1e-3 * loss, \
            "the loss is not the MSE over the rated entries plus the penalty: compile with the masked loss"
    model = paper_autorec(20, 8, 1e-3)
    x = (rng.integers(1, 6, (40, 20)) * (rng.random((40, 20)) < 0.5)).astype("float32")

    def masked_error() -> float:
        out = keras.ops.convert_to_numpy(model(x, training=False))
        return float(np.mean((out - x)[x > 0] ** 2))

    before = masked_error()
    model.fit(x, x, epochs=20, batch_size=8, verbose=0)
    after = masked_error()
    assert after < 0.9 * before, f"20 epochs of fit took the masked MSE from {before:.3f} only to {after:.3f}"


test_q03_2_behaviour(paper_autorec)  # IGNORE

# %% [markdown]
# ## What's next
# Notebook **04** makes the input dropout used here the main subject (denoising autoencoders),
# **05** stacks more layers, and **06** makes the codes sparse; each trains its rating models on
# this same `u1` split.
