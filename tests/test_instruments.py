"""Instrument scoring against hand-scored examples.

Every expected value below is worked out by hand from the key in
the project's instrument notes (written out in the comments), never copied from the code.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.instruments import (
    Instrument,
    ScaleScore,
    get_instrument,
    list_instruments,
    peak,
    peak_session,
    reduction,
    remission,
    response,
)

NAN = np.nan

ALL_IDS = {
    "wai_sr", "wai_s", "wai_36", "star_p", "meq30", "piq", "ebi", "peq", "grid_hamd_17",
    "caps_iv", "caps_5", "ies_r", "qids_sr16",
}
PRECOMPUTED_ONLY = {"wai_s", "star_p", "piq", "peq", "caps_iv"}


def score(inst_id: str, rows) -> dict[str, ScaleScore]:
    return get_instrument(inst_id).score(np.array(rows, dtype=float))


# ---------------------------------------------------------------- registry / API


def test_registry_knows_every_instrument():
    assert {i.id for i in list_instruments()} == ALL_IDS
    assert all(isinstance(i, Instrument) for i in list_instruments())
    assert {i.id for i in list_instruments() if not i.accepts_items} == PRECOMPUTED_ONLY


def test_unknown_instrument_lists_known_ids():
    with pytest.raises(InputError) as exc:
        get_instrument("wai_xx")
    msg = str(exc.value)
    assert "wai_xx" in msg
    for iid in ALL_IDS:
        assert iid in msg


def test_instrument_is_frozen_and_has_public_fields():
    wai = get_instrument("wai_sr")
    with pytest.raises(AttributeError):
        wai.n_items = 3  # type: ignore[misc]
    assert wai.n_items == 12
    assert wai.item_ids == tuple(range(1, 13))
    assert wai.item_min == (1.0,) * 12 and wai.item_max == (5.0,) * 12
    assert wai.scales[:4] == ("total", "task", "bond", "goal")
    assert set(wai.precomputed_scales) >= {"total", "task", "bond", "goal"}
    assert "S10" in wai.citation
    assert wai.status_notes and all(n.status for n in wai.status_notes)


def test_unknown_scale_range_raises():
    with pytest.raises(InputError, match="Known scales"):
        get_instrument("wai_sr").scale_range("alliance")


# ---------------------------------------------------------------- WAI-SR


def test_wai_sr_hand_scored():
    # items 1..12 = 5 4 3 2 1 5 4 3 2 1 5 4
    # Task (1,2,10,12) = 5+4+1+4 = 14; Bond (3,5,7,9) = 3+1+4+2 = 10;
    # Goal (4,6,8,11) = 2+5+3+5 = 15; total = 14+10+15 = 39; item mean = 39/12 = 3.25
    s = score("wai_sr", [[5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]])
    assert s["task"].score[0] == 14
    assert s["bond"].score[0] == 10
    assert s["goal"].score[0] == 15
    assert s["total"].score[0] == 39
    assert s["total_mean"].score[0] == pytest.approx(3.25)
    assert s["total"].n_items == 12 and s["task"].n_items == 4
    assert s["total"].n_answered[0] == 12


def test_wai_sr_ranges():
    wai = get_instrument("wai_sr")
    assert wai.scale_range("total") == (12, 60)
    assert wai.scale_range("task") == (4, 20)
    assert wai.scale_range("total_mean") == (1, 5)


def test_prorating_rule_wai_sr():
    # same row with item 1 missing: answered sum = 39 - 5 = 34 over 11 items.
    # total allows 2 of 12 missing -> prorated 34 / 11 * 12; Task allows none -> missing.
    row1 = [NAN, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]
    # items 1, 2, 3 missing: 3 of 12 > 2 -> total missing; Goal (4,6,8,11) complete = 15
    row2 = [NAN, NAN, NAN, 2, 1, 5, 4, 3, 2, 1, 5, 4]
    # items 1 and 2 missing: 2 of 12 is still allowed -> (39 - 5 - 4) = 30 over 10 -> 30/10*12 = 36
    row3 = [NAN, NAN, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]
    s = score("wai_sr", [row1, row2, row3])
    assert s["total"].score[2] == pytest.approx(36)
    assert s["total"].score[0] == pytest.approx(34 / 11 * 12)
    assert s["total"].n_answered[0] == 11
    assert np.isnan(s["task"].score[0])
    assert s["task"].n_answered[0] == 3
    assert s["total_mean"].score[0] == pytest.approx(34 / 11)
    assert np.isnan(s["total"].score[1])
    assert s["goal"].score[1] == 15
    assert s["total"].n_answered[1] == 9


def test_all_missing_row_is_missing_everywhere():
    s = score("wai_sr", [[NAN] * 12])
    for sc in s.values():
        assert np.isnan(sc.score[0])
        assert sc.n_answered[0] == 0


# ---------------------------------------------------------------- WAI-36 (reverse keying)

WAI36_REVERSED = {1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34}


def test_wai_36_reverse_keying_hand_scored():
    # Row A: every item = 5; reversed items become 8 - 5 = 3.
    #   Goal has 6 reversed (3,9,10,12,27,34): 6*3 + 6*5 = 48
    #   Task has 5 reversed (7,11,15,31,33):   5*3 + 7*5 = 50
    #   Bond has 3 reversed (1,20,29):         3*3 + 9*5 = 54      total = 152
    # Row B: every item = 1; reversed become 7.
    #   Goal 6*7 + 6*1 = 48; Task 5*7 + 7*1 = 42; Bond 3*7 + 9*1 = 30; total = 120
    # Row C: reversed items answered 1, others 7 -> every keyed score 7: subscales 84, total 252
    row_c = [1 if i in WAI36_REVERSED else 7 for i in range(1, 37)]
    s = score("wai_36", [[5] * 36, [1] * 36, row_c])
    assert list(s["goal"].score) == [48, 48, 84]
    assert list(s["task"].score) == [50, 42, 84]
    assert list(s["bond"].score) == [54, 30, 84]
    assert list(s["total"].score) == [152, 120, 252]
    inst = get_instrument("wai_36")
    assert set(inst.reverse_items) == WAI36_REVERSED
    assert inst.scale_range("total") == (36, 252)


def test_wai_36_single_source_is_marked():
    inst = get_instrument("wai_36")
    assert inst.scale_spec("goal").status == "verified_single_source"
    assert any(n.fact == "reverse-keyed items" and n.status == "verified_single_source"
               for n in inst.status_notes)


# ---------------------------------------------------------------- precomputed only


@pytest.mark.parametrize(
    "iid, why",
    [
        ("wai_s", "UNVERIFIED"),
        ("star_p", "NOT FOUND"),
        ("piq", "NOT FOUND"),
        ("peq", "NOT FOUND"),
        ("caps_iv", "UNVERIFIED"),
    ],
)
def test_precomputed_only_refuses_items_and_says_why(iid, why):
    inst = get_instrument(iid)
    assert not inst.accepts_items
    assert inst.n_items == 0 and inst.item_ids == ()
    assert inst.reason and why in inst.reason
    with pytest.raises(InputError) as exc:
        inst.score(np.ones((2, 12)))
    msg = str(exc.value)
    assert "precomputed" in msg and why in msg and inst.reason in msg
    with pytest.raises(InputError):
        inst.out_of_range(np.ones((2, 12)))


def test_precomputed_ranges():
    assert get_instrument("wai_s").scale_range("total") == (12, 84)
    assert get_instrument("star_p").scale_range("total") == (0, 48)
    assert get_instrument("star_p").scale_spec("total").status == "unverified"
    assert get_instrument("caps_iv").scale_range("total") == (0, 136)
    assert get_instrument("caps_iv").scale_spec("total").status == "unverified"
    for scale in ("total", "ampi", "gapi"):
        assert get_instrument("piq").scale_range(scale) is None
    assert all(get_instrument("peq").scale_range(s) is None for s in get_instrument("peq").scales)
    assert set(get_instrument("piq").precomputed_scales) == {"total", "ampi", "gapi"}


# ---------------------------------------------------------------- MEQ30

MEQ_MYSTICAL = [4, 5, 6, 9, 14, 15, 16, 18, 20, 21, 23, 24, 25, 26, 28]
MEQ_MOOD = [2, 8, 12, 17, 27, 30]
MEQ_TRANS = [1, 7, 11, 13, 19, 22]
MEQ_INEFF = [3, 10, 29]


def meq_row(mystical, mood, trans, ineff):
    row = [NAN] * 30
    for items, v in ((MEQ_MYSTICAL, mystical), (MEQ_MOOD, mood), (MEQ_TRANS, trans),
                     (MEQ_INEFF, ineff)):
        for i in items:
            row[i - 1] = v
    return row


def test_meq30_factor_means_percent_and_complete_criterion():
    # Row A: Mystical items all 3, Positive mood 4, Transcendence 2, Ineffability 5.
    #   means 3, 4, 2, 5; % of max = mean/5*100 = 60, 80, 40, 100
    #   total mean = (15*3 + 6*4 + 6*2 + 3*5) / 30 = 96/30 = 3.2 -> 64 %; sum = 96
    #   complete ME needs >= 60 % on every factor: Transcendence 40 % -> 0
    # Row B: Transcendence 3 instead -> 60, 80, 60, 100 -> every factor >= 60 % (boundary) -> 1
    #   total = (45 + 24 + 18 + 15) / 30 = 102/30 = 3.4
    # Row C: like B but one Mystical item (item 4) = 2: Mystical = 44/15 = 2.9333 = 58.67 % -> 0
    row_c = meq_row(3, 4, 3, 5)
    row_c[4 - 1] = 2
    s = score("meq30", [meq_row(3, 4, 2, 5), meq_row(3, 4, 3, 5), row_c])
    assert list(s["mystical"].score[:2]) == [3, 3]
    assert list(s["positive_mood"].score[:2]) == [4, 4]
    assert list(s["transcendence"].score[:2]) == [2, 3]
    assert list(s["ineffability"].score[:2]) == [5, 5]
    assert s["total"].score[0] == pytest.approx(3.2)
    assert s["total"].score[1] == pytest.approx(3.4)
    assert s["total_sum"].score[0] == 96
    assert list(s["mystical_pct"].score[:2]) == [60, 60]
    assert list(s["transcendence_pct"].score[:2]) == [40, 60]
    assert s["ineffability_pct"].score[0] == 100
    assert s["positive_mood_pct"].score[0] == 80
    assert s["total_pct"].score[0] == pytest.approx(64)
    assert s["mystical"].score[2] == pytest.approx(44 / 15)
    assert s["mystical_pct"].score[2] == pytest.approx(44 / 75 * 100)
    assert list(s["complete_mystical"].score) == [0, 1, 0]


def test_meq30_uses_stand_alone_order():
    # stand-alone item 1 = "loss of usual sense of time" (Transcendence); item 3 = Ineffability;
    # item 2 = Positive mood. In the factor-grouped order items 1-15 would all be Mystical.
    row = [0] * 30
    row[0] = 5  # item 1 only
    s = score("meq30", [row])
    assert s["transcendence"].score[0] == pytest.approx(5 / 6)
    assert s["mystical"].score[0] == 0


def test_meq30_complete_flag_is_missing_when_a_factor_is_missing():
    # Ineffability (3 items) tolerates no missing item: item 3 blank -> Ineffability missing ->
    # flag missing. Mystical tolerates 3 of 15 missing: items 4, 5, 6 blank -> mean of 12 = 4.
    row = meq_row(4, 4, 4, 4)
    row[3 - 1] = NAN
    row[4 - 1] = row[5 - 1] = row[6 - 1] = NAN
    s = score("meq30", [row])
    assert np.isnan(s["ineffability"].score[0])
    assert np.isnan(s["ineffability_pct"].score[0])
    assert np.isnan(s["complete_mystical"].score[0])
    assert s["mystical"].score[0] == 4
    assert s["mystical"].n_answered[0] == 12
    # total: 4 of 30 missing (<= 6) -> mean of answered = 4
    assert s["total"].score[0] == 4
    # a 4th missing mystical item exceeds 3 of 15
    row[9 - 1] = NAN
    assert np.isnan(score("meq30", [row])["mystical"].score[0])


def test_meq30_threshold_is_marked_unverified():
    spec = get_instrument("meq30").scale_spec("complete_mystical")
    assert spec.status == "unverified" and spec.fraction == 0.6


# ---------------------------------------------------------------- EBI


def test_ebi_mean_default_and_sum():
    # items 10, 20, 30, 40, 50, 60.5 (VAS, non-integer allowed): sum 210.5, mean 210.5/6
    # row 2: last item missing -> mean of 5 = 150/5 = 30; prorated sum = 30 * 6 = 180
    s = score("ebi", [[10, 20, 30, 40, 50, 60.5], [10, 20, 30, 40, 50, NAN]])
    assert s["total"].score[0] == pytest.approx(210.5 / 6)
    assert s["total_sum"].score[0] == pytest.approx(210.5)
    assert s["total"].score[1] == pytest.approx(30)
    assert s["total_sum"].score[1] == pytest.approx(180)
    inst = get_instrument("ebi")
    assert inst.scale_range("total") == (0, 100)
    assert inst.scale_range("total_sum") == (0, 600)
    assert not inst.integer_items


def test_ebi_out_of_range_allows_fractions():
    mask = get_instrument("ebi").out_of_range(np.array([[0, 100, 55.5, -1, 100.5, NAN]]))
    assert mask.tolist() == [[False, False, False, True, True, False]]


# ---------------------------------------------------------------- GRID-HAMD-17

HAMD_0_4 = [1, 2, 3, 7, 8, 9, 10, 11, 15]
HAMD_0_2 = [4, 5, 6, 12, 13, 14, 16, 17]


def test_grid_hamd_per_item_ranges():
    inst = get_instrument("grid_hamd_17")
    for i in HAMD_0_4:
        assert (inst.item_min[i - 1], inst.item_max[i - 1]) == (0, 4)
    for i in HAMD_0_2:
        assert (inst.item_min[i - 1], inst.item_max[i - 1]) == (0, 2)
    # item 1 = 3 is valid (0-4); item 4 = 3 is not (0-2)
    row = [0] * 17
    row[0], row[3] = 3, 3
    mask = inst.out_of_range(np.array([row], dtype=float))
    assert mask[0].tolist() == [i == 4 for i in range(1, 18)]
    with pytest.raises(InputError, match="item 4"):
        inst.score(np.array([row], dtype=float))


def test_grid_hamd_total_hand_scored():
    # items 1..17 = 3 2 1 2 1 0 3 2 1 3 2 1 1 2 1 0 1
    # running sum: 3,5,6,8,9,9,12,14,15,18,20,21,22,24,25,25,26 -> 26
    # max row: 9 items * 4 + 8 items * 2 = 36 + 16 = 52
    max_row = [4 if i in HAMD_0_4 else 2 for i in range(1, 18)]
    row_missing = [3, 2, 1, 2, 1, 0, 3, 2, 1, 3, 2, 1, 1, 2, 1, NAN, 1]
    s = score("grid_hamd_17", [[3, 2, 1, 2, 1, 0, 3, 2, 1, 3, 2, 1, 1, 2, 1, 0, 1], max_row,
                               row_missing])
    assert s["total"].score[0] == 26
    assert s["total"].score[1] == 52
    assert np.isnan(s["total"].score[2])  # no prorating for a clinician-rated scale
    assert get_instrument("grid_hamd_17").scale_range("total") == (0, 52)


# ---------------------------------------------------------------- CAPS-5


def test_caps_5_clusters_hand_scored():
    # B items 1-5 = 1,2,3,4,0 -> 10; C items 6-7 = 2,2 -> 4; D items 8-14 = seven 1s -> 7;
    # E items 15-20 = 0,1,2,3,4,0 -> 10; total = 31
    row = [1, 2, 3, 4, 0, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 1, 2, 3, 4, 0]
    s = score("caps_5", [row])
    assert (s["b"].score[0], s["c"].score[0], s["d"].score[0], s["e"].score[0]) == (10, 4, 7, 10)
    assert s["total"].score[0] == 31
    inst = get_instrument("caps_5")
    assert inst.scale_range("total") == (0, 80)
    assert inst.scale_range("c") == (0, 8)


# ---------------------------------------------------------------- IES-R


def test_ies_r_hand_scored():
    # item i = i mod 5: 1 2 3 4 0 | 1 2 3 4 0 | 1 2 3 4 0 | 1 2 3 4 0 | 1 2
    # Intrusion 1,2,3,6,9,14,16,20 = 1+2+3+1+4+4+1+0 = 16 -> mean 2.0
    # Avoidance 5,7,8,11,12,13,17,22 = 0+2+3+1+2+3+2+2 = 15 -> mean 1.875
    # Hyperarousal 4,10,15,18,19,21 = 4+0+0+3+4+1 = 12 -> mean 2.0
    # total = 16 + 15 + 12 = 43 (= 4 * 10 + 1 + 2)
    s = score("ies_r", [[i % 5 for i in range(1, 23)]])
    assert s["intrusion"].score[0] == 2.0
    assert s["avoidance"].score[0] == 1.875
    assert s["hyperarousal"].score[0] == 2.0
    assert s["intrusion_sum"].score[0] == 16
    assert s["avoidance_sum"].score[0] == 15
    assert s["hyperarousal_sum"].score[0] == 12
    assert s["total"].score[0] == 43
    assert get_instrument("ies_r").scale_range("total") == (0, 88)


def test_ies_r_item_14_is_intrusion_not_hyperarousal():
    # the standard key puts item 14 in Intrusion (CamCOPS' divergent key moves it)
    row = [0] * 22
    row[14 - 1] = 4
    s = score("ies_r", [row])
    assert s["intrusion_sum"].score[0] == 4
    assert s["hyperarousal_sum"].score[0] == 0


# ---------------------------------------------------------------- QIDS-SR-16


def test_qids_max_rules_hand_scored():
    # items 1..16 = 1 3 0 2 | 2 | 0 2 1 0 | 1 3 0 2 1 | 1 3
    # sleep = max(1,3,0,2) = 3; item 5 = 2; appetite/weight = max(0,2,1,0) = 2;
    # items 10..14 = 1,3,0,2,1; psychomotor = max(1,3) = 3
    # total = 3 + 2 + 2 + 1 + 3 + 0 + 2 + 1 + 3 = 17   (plain item sum would be 22)
    row_a = [1, 3, 0, 2, 2, 0, 2, 1, 0, 1, 3, 0, 2, 1, 1, 3]
    # row B: respondent answered only the "decrease" items 6 and 8 (2 and 1) -> appetite = 2,
    # total still 17
    row_b = [1, 3, 0, 2, 2, 2, NAN, 1, NAN, 1, 3, 0, 2, 1, 1, 3]
    # row C: psychomotor items 15, 16 both blank -> domain missing -> total missing
    row_c = [1, 3, 0, 2, 2, 0, 2, 1, 0, 1, 3, 0, 2, 1, NAN, NAN]
    # row D: item 12 blank -> a direct domain missing -> total missing (no prorating)
    row_d = [1, 3, 0, 2, 2, 0, 2, 1, 0, 1, 3, NAN, 2, 1, 1, 3]
    s = score("qids_sr16", [row_a, row_b, row_c, row_d])
    assert s["sleep"].score[0] == 3
    assert s["appetite_weight"].score[0] == 2
    assert s["psychomotor"].score[0] == 3
    assert s["total"].score[0] == 17
    assert s["appetite_weight"].score[1] == 2
    assert s["total"].score[1] == 17
    assert np.isnan(s["psychomotor"].score[2]) and np.isnan(s["total"].score[2])
    assert np.isnan(s["total"].score[3])
    assert s["total"].n_items == 16
    assert s["total"].n_answered[1] == 14
    assert get_instrument("qids_sr16").scale_range("total") == (0, 27)


# ---------------------------------------------------------------- out_of_range / input checks


def test_out_of_range_mask_wai_sr():
    x = np.array([
        [1, 5, 0, 6, 2.5, NAN, np.inf, 3, 3, 3, 3, 3],
        [3] * 12,
    ])
    mask = get_instrument("wai_sr").out_of_range(x)
    assert mask.dtype == bool and mask.shape == x.shape
    assert mask[0].tolist() == [False, False, True, True, True, False, True] + [False] * 5
    assert not mask[1].any()


def test_score_refuses_invalid_values_and_shapes():
    wai = get_instrument("wai_sr")
    bad = np.full((3, 12), 3.0)
    bad[2, 6] = 9
    with pytest.raises(InputError) as exc:
        wai.score(bad)
    assert "item 7" in str(exc.value) and "row index 2" in str(exc.value)
    with pytest.raises(InputError, match="12 columns"):
        wai.score(np.ones((2, 11)))
    with pytest.raises(InputError, match="2-D"):
        wai.score(np.ones(12))


def test_score_does_not_modify_input():
    x = np.full((2, 36), 2.0)
    before = x.copy()
    get_instrument("wai_36").score(x)
    assert np.array_equal(x, before)


def test_score_accepts_many_rows_and_returns_arrays():
    x = np.tile(np.array([[5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]], dtype=float), (1000, 1))
    s = get_instrument("wai_sr").score(x)
    assert s["total"].score.shape == (1000,)
    assert s["total"].n_answered.dtype.kind == "i"
    assert (s["total"].score == 39).all()


# ---------------------------------------------------------------- peaks


def test_peak_ignores_nan_without_warning():
    x = np.array([[1, NAN], [NAN, NAN], [3, 2], [2, 4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = peak(x)
        idx = peak_session(x)
    assert np.array_equal(p, [1, NAN, 3, 4], equal_nan=True)
    assert np.array_equal(idx, [0, NAN, 0, 1], equal_nan=True)


def test_peak_axis_and_ties():
    x = np.array([[5.0, 5.0, 1.0], [NAN, 2.0, 2.0]])
    assert peak_session(x).tolist() == [0.0, 1.0]  # ties -> first session
    assert np.array_equal(peak(x, axis=0), [5, 5, 2])
    assert np.array_equal(peak_session(x, axis=0), [0, 0, 1])


def test_peak_zero_sessions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(peak(np.empty((3, 0)))).all()
        assert peak(np.empty((3, 0))).shape == (3,)


# ---------------------------------------------------------------- response / remission


def test_response_default_50_percent():
    # 20 -> 10 is exactly 50 % (responder); 20 -> 11 is 45 %; 20 -> 5 is 75 %;
    # baseline 0: relative change undefined -> NaN; missing baseline -> NaN
    r = response([20, 20, 20, 0, NAN, 20], [10, 11, 5, 0, 5, NAN])
    assert np.array_equal(r, [1, 0, 1, NAN, NAN, NAN], equal_nan=True)


def test_response_other_threshold_exact_boundary():
    # 10 -> 7 is exactly a 30 % reduction; binary 0.3 * 10 must not exclude it
    assert response([10.0], [7.0], threshold=0.3)[0] == 1
    assert response([10.0], [7.1], threshold=0.3)[0] == 0


def test_remission_default_hamd_rule():
    # >= 50 % reduction AND <= 7:
    # 20 -> 7: 65 % and 7 -> yes; 20 -> 8: 8 > 7 -> no; 10 -> 7: only 30 % -> no;
    # 14 -> 7: exactly 50 % and 7 -> yes; follow-up missing -> NaN; baseline missing -> NaN
    r = remission([20, 20, 10, 14, 20, NAN], [7, 8, 7, 7, NAN, 3])
    assert np.array_equal(r, [1, 0, 0, 1, NAN, NAN], equal_nan=True)


def test_remission_without_reduction_criterion_qids():
    # QIDS-SR-16 remission <= 5 (S28), no reduction criterion: 10 -> 5 yes, 4 -> 5 yes (worse
    # but still <= 5), 10 -> 6 no, missing baseline irrelevant -> yes
    rule = get_instrument("qids_sr16").outcome_rules["remission"]
    assert rule.params == {"max_score": 5.0, "min_reduction": None}
    r = remission([10, 4, 10, NAN], [5, 5, 6, 3], **rule.params)
    assert r.tolist() == [1, 1, 0, 1]


def test_hamd_outcome_defaults_match_helpers():
    rules = get_instrument("grid_hamd_17").outcome_rules
    assert rules["remission"].params == {"max_score": 7.0, "min_reduction": 0.5}
    assert rules["response"].params == {"threshold": 0.5}
    assert rules["remission"].status == "verified" and "S33" in rules["remission"].sources


def test_reduction_and_bad_threshold():
    assert np.array_equal(reduction([20, 0, NAN], [5, 0, 1]), [0.75, NAN, NAN], equal_nan=True)
    with pytest.raises(InputError):
        response([10], [5], threshold=50)
