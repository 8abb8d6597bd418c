"""Every lesson's claims ("What you should see" at its top), each checked with a margin on both committed
run records, lecture and full (results/record-<mode>.json, written by `make run` and kept by `make
record`). A notebook itself only prints these comparisons as verdicts, since a student's run may land
either side of a close one; this test says when a recorded run no longer supports what the text sets out
to show. Claims that a notebook asserts in its own cells (02's untouched i4 weights and its λ rule, 07's
reloaded model) hold in any run that passes, so in both records."""

from __future__ import annotations

from typing import Any

import pytest

from tools import readme_tables

RECORDS = readme_tables.records()


def rows(rec: dict[str, Any], notebook: str) -> list[dict[str, Any]]:
    entry = next((e for e in rec["notebooks"] if e["notebook"] == notebook), None)
    assert entry is not None and entry["ok"], f"the {rec['mode']} record has no successful run of {notebook}"
    return entry["results"]


def row(table: list[dict[str, Any]], key: str, start: str, **where: Any) -> dict[str, Any]:
    found = [r for r in table if str(r.get(key, "")).startswith(start)
             and all(str(r.get(k, "")).startswith(v) for k, v in where.items())]
    assert found, f"no row whose {key} starts with {start!r} ({where})"
    return found[0]


def test_a_run_is_recorded() -> None:
    assert RECORDS, "no results/record-<mode>.json: make run MODE=<mode>, then make record"
    for rec in RECORDS.values():
        assert rec["commit"] and all(e["ok"] for e in rec["notebooks"])


MODES = sorted(RECORDS)


def value(table: list[dict[str, Any]], start: str, column: str, key: str = "model", **where: Any) -> float:
    return float(row(table, key, start, **where)[column])


@pytest.mark.parametrize("mode", MODES)
def test_01_the_lecture_model_learned_and_early_stopping_beats_the_fixed_epochs(mode: str) -> None:
    table = rows(RECORDS[mode], "01_mnist_autoencoder")
    assert row(table, "model", "lecture's autoencoder")["learned"] == "yes"  # 01 §3
    for column in ("val BCE", "test BCE"):  # 01 §4, and again on the test images (Results)
        assert value(table, "same, early stopping", column) < value(table, "lecture's autoencoder", column) - 0.002


@pytest.mark.parametrize("mode", MODES)
def test_01_a_wider_code_is_better_at_each_step_and_adam_beats_rmsprop(mode: str) -> None:
    table = rows(RECORDS[mode], "01_mnist_autoencoder")
    widths = [value(table, f"sweep: {name}", "val BCE") for name in ("hidden 16", "lecture's model", "hidden 64",
                                                                    "hidden 128")]
    assert all(a > b + 0.005 for a, b in zip(widths, widths[1:])), widths  # 01 §6: 16 < 32 < 64 < 128 units
    for column in ("val BCE", "test BCE"):  # 01 §6, and Results on the test images
        assert value(table, "sweep: optimizer adam", column) < value(table, "sweep: lecture's model", column) - 0.01


@pytest.mark.parametrize("mode", MODES)
def test_02_the_unmasked_loss_learns_the_zeros(mode: str) -> None:
    table = rows(RECORDS[mode], "02_rating_matrix_autoencoder")
    masked = row(table, "model", "5 x 5, masked loss")
    unmasked = row(table, "model", "5 x 5, unmasked MSE")
    # 02 §1: the unmasked loss pulls the blanks towards 0; the masked one leaves them rating-sized
    assert unmasked["mean prediction at blanks"] < 0.5 < 1.0 < masked["mean prediction at blanks"]


@pytest.mark.parametrize("mode", MODES)
def test_02_the_masked_models_fit_the_rated_entries(mode: str) -> None:
    table = rows(RECORDS[mode], "02_rating_matrix_autoencoder")
    masked = [r for r in table if "masked loss" in str(r["model"])]
    assert masked and all(r["RMSE on rated entries"] < 0.05 for r in masked)


@pytest.mark.parametrize("mode", MODES)
def test_03_i_autorec_beats_the_baselines_and_u_autorec(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "03_autorec_movielens") if str(r.get("data")) == "ML-100K u1"]
    mean, biases = value(table, "global mean", "rmse"), value(table, "user + item biases", "rmse")
    item, user, mf = value(table, "I-AutoRec", "rmse"), value(table, "U-AutoRec", "rmse"), value(table, "biased MF", "rmse")
    assert biases < mean - 0.1 and item < biases - 0.03 and item < mf - 0.01 and item < user - 0.03
    assert value(table, "I-AutoRec", "ndcg@10") > 1.5 * value(table, "user + item biases", "ndcg@10")


@pytest.mark.parametrize("mode", MODES)
def test_03_without_l2_train_and_validation_end_further_apart(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "03_autorec_movielens") if "overfitting" in str(r.get("data"))]
    gaps = {str(r["model"]): r["gap"] for r in table}
    plain = gaps.pop("I-AutoRec, λ = 0, no dropout")
    assert len(gaps) == 1 and plain > next(iter(gaps.values())) + 0.05, gaps


@pytest.mark.parametrize("mode", MODES)
def test_04_the_gaussian_denoiser_rebuilds_noisy_digits_better(mode: str) -> None:
    table = rows(RECORDS[mode], "04_denoising_autoencoder")
    basic = row(table, "variant", "basic", data="MNIST validation")
    gaussian = row(table, "variant", "denoising, gaussian", data="MNIST validation")
    assert gaussian["BCE, gaussian-noisy input"] < basic["BCE, gaussian-noisy input"] - 0.003
    assert gaussian["BCE, clean input"] > basic["BCE, clean input"]  # 04: the price on clean digits


@pytest.mark.parametrize("mode", MODES)
def test_04_no_free_win(mode: str) -> None:
    table = rows(RECORDS[mode], "04_denoising_autoencoder")
    where = {"data": "MNIST validation"}
    basic = row(table, "variant", "basic", **where)
    masking = row(table, "variant", "denoising, masking", **where)
    gaussian = row(table, "variant", "denoising, gaussian", **where)
    assert masking["BCE, masked input"] > basic["BCE, masked input"] - 0.002  # masking does not beat basic
    assert gaussian["BCE, masked input"] > basic["BCE, masked input"] + 0.01  # each loses on the other damage
    assert masking["BCE, gaussian-noisy input"] > basic["BCE, gaussian-noisy input"] + 0.01


@pytest.mark.parametrize("mode", MODES)
def test_04_stronger_noise_means_a_larger_advantage_and_a_larger_cost(mode: str) -> None:
    sweep = sorted((r for r in rows(RECORDS[mode], "04_denoising_autoencoder") if "sweep" in str(r.get("data"))),
                   key=lambda r: r["noise std"])
    assert len(sweep) >= 3 and all(r["learned"] for r in sweep)
    advantage = [r["basic, noisy input"] - r["denoiser, noisy input"] for r in sweep]
    cost = [r["denoiser, clean input"] - r["basic, clean input"] for r in sweep]
    assert all(b > a for a, b in zip(advantage, advantage[1:])) and all(b > a for a, b in zip(cost, cost[1:]))


@pytest.mark.parametrize("mode", MODES)
def test_04_the_chosen_drop_rate_beats_plain_i_autorec_on_u1_test(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "04_denoising_autoencoder") if "u1.test" in str(r.get("data"))]
    assert value(table, "denoising I-AutoRec", "rmse", key="variant") < \
        value(table, "I-AutoRec (no corruption)", "rmse", key="variant") - 0.001


@pytest.mark.parametrize("mode", MODES)
def test_05_pretraining_gives_a_head_start_that_fades(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "05_stacked_autoencoder") if str(r.get("data")).startswith("MNIST")]
    pre = row(table, "model", "stacked, pre-trained + fine-tuned")
    end = row(table, "model", "stacked, end to end")
    longer = value(table, "stacked, end to end, longer", "validation BCE")
    assert pre["validation BCE, epoch 1"] < end["validation BCE, epoch 1"] - 0.03  # the head start
    assert abs(longer - pre["validation BCE"]) < 0.01  # fades at the same total epochs
    basic = value(table, "basic", "validation BCE")
    assert end["validation BCE"] > basic + 0.005 and longer < basic - 0.003


@pytest.mark.parametrize("mode", MODES)
def test_05_no_deep_model_beats_i_autorec(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "05_stacked_autoencoder") if str(r.get("data")).startswith("ML-100K")]
    assert row(table, "model", "deep 512-256-512 SELU, code dropout")["learned"] == "FAILED"
    deep = row(table, "model", "deep + input dropout")
    assert deep["learned"] == "yes" and all(r["learned"] == "yes" for r in table if str(r["model"]).startswith("I-AutoRec"))
    assert deep["validation rmse"] > value(table, "I-AutoRec + input dropout", "validation rmse") + 0.005


@pytest.mark.parametrize("mode", MODES)
def test_06_l1_makes_the_relu_code_sparser_at_a_cost(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "06_sparse_autoencoder") if str(r.get("data")).startswith("MNIST")]
    l1, basic = row(table, "variant", "L1 0.001"), row(table, "variant", "basic ReLU")
    assert l1["mean_activation"] < basic["mean_activation"] / 2 and l1["active_units"] < basic["active_units"]
    assert l1["validation BCE"] > basic["validation BCE"] + 0.01


@pytest.mark.parametrize("mode", MODES)
def test_06_kl_with_the_same_optimizer_is_sparser_and_better_than_the_saturated_sigmoid(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "06_sparse_autoencoder") if str(r.get("data")).startswith("MNIST")]
    kl, basic = row(table, "variant", "KL"), row(table, "variant", "basic sigmoid")
    assert kl["optimizer"] == basic["optimizer"]
    assert kl["validation BCE"] < basic["validation BCE"] - 0.01
    assert kl["mean_activation"] < basic["mean_activation"] / 2


@pytest.mark.parametrize("mode", MODES)
def test_06_l1_on_the_rating_code_halves_its_activation_and_costs_rmse(mode: str) -> None:
    table = [r for r in rows(RECORDS[mode], "06_sparse_autoencoder") if str(r.get("data")).startswith("ML-100K")]
    l1, plain = row(table, "variant", "I-AutoRec, code L1 0.01"), row(table, "variant", "I-AutoRec (no sparsity)")
    assert l1["code mean activation"] < plain["code mean activation"] / 2
    assert l1["validation rmse"] > plain["validation rmse"] + 0.003


@pytest.mark.parametrize("mode", MODES)
def test_07_training_resumes_and_every_framework_gives_float32s_value(mode: str) -> None:
    table = rows(RECORDS[mode], "07_colab_gpu_runtime_check")
    assert float(row(table, "measure", "resumed from epoch")["value"]) == 3
    values = [r for r in table if str(r["measure"]).startswith("the slide's x after 50 iterations")]
    assert len(values) >= 3 and all(float(r["value"]) == 2.0 for r in values)
    assert all(float(r["value"]) > 0 for r in table if "on CPU" in str(r["measure"]))


def results_08(mode: str) -> tuple[list[dict[str, Any]], dict[str, float], float]:
    """08's validation rows, its single models' u1.test RMSE, and the blend's."""
    table = rows(RECORDS[mode], "08_beyond_autorec")
    test = {str(r["variant"]): r["rmse"] for r in table if "u1.test" in str(r.get("data"))}
    blend = next(v for k, v in test.items() if k.startswith("stacked blend"))
    valid = [r for r in table if "validation" in str(r.get("data"))]
    return valid, {k: v for k, v in test.items() if not k.startswith("stacked blend")}, blend


@pytest.mark.parametrize("mode", MODES)
def test_08_the_kernel_cuts_nothing_and_the_blend_beats_its_members(mode: str) -> None:
    valid, singles, blend = results_08(mode)
    assert float(row(valid, "variant", "GLocal-K as published")["cut"]) == 0  # section 4
    assert blend < min(singles.values()) - 0.003  # Reading the results


def test_08_the_full_run_shows_what_lecture_mode_cannot() -> None:
    valid, singles, _ = results_08("full")
    assert value(valid, "no fine-tuning", "lowest val RMSE", key="variant") > \
        value(valid, "GLocal-K as published", "lowest val RMSE", key="variant") + 0.01  # section 5
    assert results_08("lecture")[1]["GLocal-K"] > singles["GLocal-K"] + 0.02  # section 6
    others = [v for k, v in singles.items() if k != "GLocal-K" and not k.startswith("Bayesian FM")]
    assert singles["GLocal-K"] < min(others) - 0.003  # Reading the results: GLocal-K beats the rest
    assert float(row(valid, "variant", "Adam instead of L-BFGS-B")["cut"]) > 0.1  # sections 4-5: Adam, from the same start, cuts


@pytest.mark.parametrize("mode", MODES)
def test_08_richer_features_help_the_fm_and_it_beats_every_other_single_model(mode: str) -> None:
    valid, singles, _ = results_08(mode)
    steps = [value(valid, name, "validation RMSE", key="variant") for name in ("MF", "SVD++", "timeSVD++ flipped")]
    assert all(a > b + 0.002 for a, b in zip(steps, steps[1:])), steps  # section 7
    others = [v for k, v in singles.items() if k != "Bayesian FM"]
    assert singles["Bayesian FM"] < min(others) - 0.003  # Reading the results
