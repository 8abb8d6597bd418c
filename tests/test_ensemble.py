"""Stacking: weights fitted on validation predictions, and the blend they make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import autorec, ensemble, evaluation, kernel_autorec


def test_stack_weights_recover_a_known_mix() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(1, 5, 500), rng.uniform(1, 5, 500)
    truth = 0.7 * a + 0.3 * b
    weights = ensemble.stack_weights({"a": a, "b": b}, truth)
    assert weights == pytest.approx({"a": 0.7, "b": 0.3})
    np.testing.assert_allclose(ensemble.blend({"a": a, "b": b}, weights), truth)


def test_stacked_blend_is_no_worse_than_any_member_where_fitted() -> None:
    rng = np.random.default_rng(1)
    truth = rng.uniform(1, 5, 2000)
    members = {f"m{k}": truth + rng.normal(0, 0.5 + 0.2 * k, truth.size) for k in range(3)}
    weights = ensemble.stack_weights(members, truth)
    stacked = evaluation.rmse(truth, ensemble.blend(members, weights), clip=None)
    assert all(stacked <= evaluation.rmse(truth, p, clip=None) for p in members.values())


def test_bad_inputs_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="No member predictions"):
        ensemble.stack_weights({}, np.ones(3))
    with pytest.raises(ValueError, match="3 predictions per member but 4 ratings"):
        ensemble.stack_weights({"a": np.ones(3)}, np.ones(4))
    with pytest.raises(ValueError, match=r"\['b'\] gave non-finite"):
        ensemble.stack_weights({"a": np.ones(3), "b": np.array([1.0, np.nan, 2.0])}, np.ones(3))
    with pytest.raises(ValueError, match=r"No predictions for member\(s\) \['b'\]"):
        ensemble.blend({"a": np.ones(3)}, {"a": 0.5, "b": 0.5})


def test_cross_validated_rmse_sees_through_an_overfitting_member() -> None:
    """In-sample, an extra column of noise always lowers the RMSE; on held-out parts it does not help."""
    rng = np.random.default_rng(2)
    truth = rng.uniform(1, 5, 400)
    preds = {"good": truth + rng.normal(0, 0.6, truth.size), "noise": rng.normal(3, 1, truth.size)}
    in_sample = evaluation.rmse(truth, ensemble.blend(preds, ensemble.stack_weights(preds, truth)), clip=None)
    alone = ensemble.cross_validated_rmse(preds, ["good"], truth)
    both = ensemble.cross_validated_rmse(preds, ["good", "noise"], truth)
    assert in_sample < evaluation.rmse(truth, preds["good"], clip=None)
    assert both >= alone - 1e-3


def test_forward_select_adds_the_most_useful_model_first() -> None:
    rng = np.random.default_rng(3)
    truth = rng.uniform(1, 5, 1000)
    errors = rng.normal(0, 1, (2, truth.size))
    preds = {"weak": truth + 0.9 * errors[0], "strong": truth + 0.4 * errors[1],
             "copy of strong": truth + 0.4 * errors[1] + rng.normal(0, 0.01, truth.size)}
    steps = ensemble.forward_select(preds, truth)
    assert list(steps.index) == [1, 2, 3] and steps.loc[1, "added"] == "strong"
    assert steps.loc[2, "added"] == "weak"  # its errors are independent of the strong model's
    assert set(steps.loc[3, "members"]) == set(preds)


def test_unknown_members_are_named() -> None:
    pairs = pd.DataFrame({"user_id": [1], "item_id": [1], "rating": [3.0]})
    with pytest.raises(ValueError, match=r"Unknown member\(s\) \['kNN'\]"):
        ensemble.member_predictions(pairs, None, pairs, np.ones(1), names=["kNN"])  # type: ignore[arg-type]


@pytest.mark.slow
def test_choose_and_refit_on_a_small_split(offline_data: Path) -> None:
    """Members, weights and GLocal-K's epochs come from the base file's validation slice; the chosen
    members are trained again on the whole base file."""
    split = evaluation.load_split("u1", max_item_id=150)
    train, test, fallback = split.train, split.test, split.fallback
    small = kernel_autorec.GLOCAL_K.with_(hidden=(16, 16), pretrain_epochs=2, finetune_epochs=1, iterations=2)
    names = [ensemble.GLOCAL, "I-AutoRec", "biased MF"]
    grids = {"autorec_grid": ((1e-3, 0.0), (3e-3, 0.5)), "mf_grid": ((5, 0.1), (10, 0.2))}
    chosen = ensemble.choose_and_refit(split, names=names, settings=ensemble.MemberSettings(small, 1),
                                       tune_settings=True, **grids)
    tuning = chosen.tuning
    assert tuning is not None and chosen.settings == tuning.settings and chosen.settings.glocal == small
    best = tuning.autorec_rows.loc[tuning.autorec_rows["valid_rmse"].idxmin()]
    assert (chosen.settings.autorec_lam, chosen.settings.autorec_dropout) == (best["lam"], best["dropout"])
    mf_best = tuning.mf_rows.loc[tuning.mf_rows["valid_rmse"].idxmin()]
    assert (chosen.settings.mf_factors, chosen.settings.mf_reg) == (mf_best["factors"], mf_best["reg"])
    assert len(tuning.autorec_rows) == len(tuning.mf_rows) == 2
    # the I-AutoRec candidate is the search's winner, scored on the same slice
    assert np.isclose(evaluation.rmse(chosen.valid_ratings, chosen.valid_predictions["I-AutoRec"]),
                      best["valid_rmse"])
    assert list(chosen.valid_predictions) == names and set(chosen.members) <= set(names)
    assert set(chosen.weights) == set(chosen.members) == set(chosen.final) and pd.Series(chosen.weights).notna().all()
    assert 1 <= chosen.glocal_epochs <= 3 and len(chosen.valid_ratings) == round(0.05 * len(train))
    assert all(p.shape == chosen.valid_ratings.shape and np.isfinite(p).all() for p in chosen.valid_predictions.values())
    if ensemble.GLOCAL in chosen.final:
        assert len(chosen.final[ensemble.GLOCAL].history) == chosen.glocal_epochs
    blended, members = chosen.predict(test, fallback)
    assert blended.shape == (len(test),) and set(members) == set(chosen.members)
    assert chosen.selection_wall > 0 and chosen.refit_wall > 0


def test_member_settings_reach_every_autorec_candidate() -> None:
    """The λ and dropout chosen per base file reach each AutoRec variant; each keeps its own size and optimiser."""
    settings = ensemble.MemberSettings(autorec_epochs=7, autorec_lam=3e-3, autorec_dropout=0.0)
    for base in (autorec.BEST_ITEM, autorec.BEST_USER, autorec.VARIANTS["deep"], autorec.BEST_ITEM.with_(hidden=1000)):
        config = settings.autorec_config(base)
        assert (config.lam, config.dropout, config.epochs) == (3e-3, 0.0, 7)
        assert (config.by, config.hidden, config.model, config.learning_rate) == (
            base.by, base.hidden, base.model, base.learning_rate)
    assert ensemble.MemberSettings().autorec_config(autorec.BEST_ITEM) == autorec.BEST_ITEM


def test_tune_needs_something_to_try() -> None:
    pairs = pd.DataFrame({"user_id": [1], "item_id": [1], "rating": [3.0]})
    with pytest.raises(ValueError, match="at least one AutoRec and one MF setting"):
        ensemble.tune(pairs, None, pairs, np.ones(1), autorec_grid=())  # type: ignore[arg-type]
