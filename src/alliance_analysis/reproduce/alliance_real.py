"""Exploratory alliance analyses on real trial data (no published claim attached).

On a long table of outcome scores (participant, arm, timepoint, scale, score) with a baseline
alliance covariate (e.g. ``ta``, alliance before the first dosing session) this computes what an
alliance researcher would look at first, per arm and between arms:

1. the alliance by arm (M, SD, n; Welch t test between arms);
2. r(alliance, outcome at the final visit) and r(alliance, change to the final visit) per arm and
   scale, with n (Pearson, Fisher-z CI);
3. pre-to-post change of every outcome per arm (paired t test, d_z with its noncentral-t CI);
4. linear mixed models ``score ~ tp * alliance`` per arm and ``score ~ tp * arm * alliance`` over
   both arms, on the first and final visits, random intercept per participant, REML with
   Satterthwaite df (the alliance centred at its median in the model's rows and scaled by its SD,
   as the trial's authors standardised their covariates).

Every result here is exploratory: nothing was pre-registered and nothing is compared with a
printed value. The tables say so in their notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

EXPLORATORY = "Exploratory analysis of real data; no published claim is attached and p values are not corrected."


def _per_person(long: pd.DataFrame, covariate: str) -> pd.DataFrame:
    return long.drop_duplicates("participant_id").set_index("participant_id")[["arm", covariate]]


def alliance_by_arm(long: pd.DataFrame, covariate: str, arm_labels: dict[str, str]) -> pd.DataFrame:
    """M, SD, n and missing n of the alliance per arm, and the Welch test between the two arms."""
    import pandas as pd

    from ..stats import welch_ttest

    people = _per_person(long, covariate)
    rows = []
    arms = sorted(people["arm"].unique())
    for arm in arms:
        x = people.loc[people["arm"] == arm, covariate].to_numpy(float)
        ok = x[np.isfinite(x)]
        rows.append({"arm": arm_labels.get(arm, arm), "n": ok.size, "n_missing": x.size - ok.size,
                     "mean": ok.mean(), "sd": ok.std(ddof=1), "min": ok.min(), "max": ok.max()})
    frame = pd.DataFrame(rows)
    if len(arms) == 2:
        a = people.loc[people["arm"] == arms[0], covariate].to_numpy(float)
        b = people.loc[people["arm"] == arms[1], covariate].to_numpy(float)
        res = welch_ttest(a, b)
        frame["welch_t"], frame["welch_df"], frame["welch_p"], frame["d_s"] = res.t, res.df, res.p, res.d_s
    return frame


def _wide_scale(long: pd.DataFrame, scale: str) -> pd.DataFrame:
    rows = long[long["scale"] == scale]
    return rows.pivot_table(index="participant_id", columns="timepoint", values="score",
                            aggfunc="first", observed=True)


def correlations(long: pd.DataFrame, covariate: str, first: str, last: str,
                 arm_labels: dict[str, str]) -> pd.DataFrame:
    """r(alliance, score at ``last``) and r(alliance, ``last`` − ``first``) per arm and scale."""
    import pandas as pd

    from ..stats import correlate

    people = _per_person(long, covariate)
    rows = []
    for scale in sorted(long["scale"].unique()):
        wide = _wide_scale(long, scale)
        if first not in wide.columns or last not in wide.columns:
            continue
        for arm in sorted(people["arm"].unique()):
            ids = people.index[people["arm"] == arm]
            w = wide.reindex(ids)
            alliance = people.loc[ids, covariate].to_numpy(float)
            for outcome, y in ((f"{last}", w[last].to_numpy(float)),
                               (f"{last} - {first}", (w[last] - w[first]).to_numpy(float))):
                res = correlate(alliance, y)
                rows.append({"scale": scale, "arm": arm_labels.get(arm, arm), "outcome": outcome,
                             "n": res.n, "r": res.r, "ci_low": res.ci[0], "ci_high": res.ci[1],
                             "p": res.p})
    return pd.DataFrame(rows)


def outcome_change(long: pd.DataFrame, first: str, last: str, arm_labels: dict[str, str]) -> pd.DataFrame:
    """Paired change ``first`` → ``last`` per scale and arm (t test, d_z with CI)."""
    import pandas as pd

    from ..stats import paired_ttest

    arm_of = long.drop_duplicates("participant_id").set_index("participant_id")["arm"]
    rows = []
    for scale in sorted(long["scale"].unique()):
        wide = _wide_scale(long, scale)
        if first not in wide.columns or last not in wide.columns:
            continue
        for arm in sorted(arm_of.unique()):
            w = wide.reindex(arm_of.index[arm_of == arm])
            res = paired_ttest(w[first].to_numpy(float), w[last].to_numpy(float))
            rows.append({"scale": scale, "arm": arm_labels.get(arm, arm), "n": res.n,
                         "n_dropped": res.n_dropped, "mean_pre": res.mean_pre, "mean_post": res.mean_post,
                         "mean_diff": res.mean_diff, "t": res.t, "df": res.df, "p": res.p,
                         "d_z": res.d_z, "d_z_ci_low": res.d_z_ci[0], "d_z_ci_high": res.d_z_ci[1]})
    return pd.DataFrame(rows)


def moderation_models(long: pd.DataFrame, covariate: str, first: str, last: str,
                      arm_labels: dict[str, str], reference_arm: str) -> pd.DataFrame:
    """Mixed models with the alliance as moderator of change (per arm, and arm × alliance)."""
    import pandas as pd

    from ..stats.mixed import mixed_model
    from .published_tables import standardise_median_sd

    frames = []
    arms = sorted(long["arm"].unique())
    for scale in sorted(long["scale"].unique()):
        rows = long[(long["scale"] == scale) & long["timepoint"].isin([first, last])]
        if rows["timepoint"].nunique() < 2:
            continue
        subsets = [(arm_labels.get(a, a), rows[rows["arm"] == a], f"score ~ tp * {covariate}") for a in arms]
        subsets.append(("both arms", rows, f"score ~ tp * arm * {covariate}"))
        for label, sub, formula in subsets:
            data = sub.rename(columns={"timepoint": "tp"}).copy()
            data["tp"] = data["tp"].astype(str)  # only the model's visits are levels
            data[covariate] = standardise_median_sd(data[covariate].to_numpy(float))
            reference = {"tp": first, "arm": reference_arm} if "arm" in formula else {"tp": first}
            res = mixed_model(data, formula, groups="participant_id", reference=reference)
            frame = res.to_frame()
            frame.insert(0, "scale", scale)
            frame.insert(1, "model", label)
            frame["n_obs"], frame["n_groups"], frame["singular"] = res.n_obs, res.n_groups, res.singular
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def alliance_tables(long: pd.DataFrame, covariate: str, covariate_label: str, first: str, last: str,
                    arm_labels: dict[str, str], reference_arm: str) -> list[Any]:
    """The four analyses as APA tables (each note says: exploratory, real data)."""
    from ..report.tables import ApaTable, bounded_cell, ci_cell, num_cell, p_cell

    by_arm = alliance_by_arm(long, covariate, arm_labels)
    corr = correlations(long, covariate, first, last, arm_labels)
    change = outcome_change(long, first, last, arm_labels)
    models = moderation_models(long, covariate, first, last, arm_labels, reference_arm)
    welch = ""
    if "welch_t" in by_arm.columns:
        r0 = by_arm.iloc[0]
        welch = (f" Welch test between arms: t({r0['welch_df']:.2f}) = {r0['welch_t']:.2f}, "
                 f"p = {p_cell(r0['welch_p'])}, d_s = {r0['d_s']:.2f}.")
    t1 = ApaTable(
        title=f"{covariate_label} by arm",
        note=EXPLORATORY + welch,
        columns=("Arm", "n", "Missing", "M", "SD", "Min", "Max"),
        rows=tuple((r["arm"], str(int(r["n"])), str(int(r["n_missing"])), num_cell(r["mean"]),
                    num_cell(r["sd"]), num_cell(r["min"], 0), num_cell(r["max"], 0))
                   for r in by_arm.to_dict("records")),
        data=by_arm, name="alliance_by_arm")
    t2 = ApaTable(
        title=f"Pearson r of {covariate_label} with the outcome at {last} and with its change from {first}",
        note=EXPLORATORY + " Lower scores are better on every scale except WEMWBS (well-being), so a "
             "negative r with a symptom score means more alliance, fewer symptoms. Fisher-z 95% CI.",
        columns=("Scale", "Arm", "Outcome", "n", "r", "95% CI", "p"),
        rows=tuple((r["scale"], r["arm"], r["outcome"], str(int(r["n"])), bounded_cell(r["r"]),
                    ci_cell(r["ci_low"], r["ci_high"], bounded=True), p_cell(r["p"])) for r in corr.to_dict("records")),
        data=corr, name="alliance_correlations")
    t3 = ApaTable(
        title=f"Outcome change from {first} to {last} per arm",
        note=EXPLORATORY + " Paired t test; d_z = mean difference / SD of differences, 95% CI from the "
             "noncentral t.",
        columns=("Scale", "Arm", "n", f"M {first}", f"M {last}", "Difference", "t", "df", "p", "d_z [95% CI]"),
        rows=tuple((r["scale"], r["arm"], str(int(r["n"])), num_cell(r["mean_pre"]), num_cell(r["mean_post"]),
                    num_cell(r["mean_diff"]), num_cell(r["t"]), num_cell(r["df"], 0), p_cell(r["p"]),
                    f"{num_cell(r['d_z'])} {ci_cell(r['d_z_ci_low'], r['d_z_ci_high'])}")
                   for r in change.to_dict("records")),
        data=change, name="outcome_change")
    t4 = ApaTable(
        title=f"{covariate_label} as moderator of change: linear mixed models",
        note=EXPLORATORY + f" score ~ tp * {covariate} per arm, score ~ tp * arm * {covariate} over both "
             f"arms; visits {first} and {last}; random intercept per participant; REML; Satterthwaite df. "
             f"{covariate} standardised in each model's rows as (x − median) / SD. Reference levels: "
             f"tp = {first}, arm = {arm_labels.get(reference_arm, reference_arm)}.",
        columns=("Scale", "Model", "Term", "b", "SE", "df", "t", "p", "n obs", "n participants"),
        rows=tuple((r["scale"], r["model"], r["term"], num_cell(r["estimate"]), num_cell(r["se"]),
                    num_cell(r["df"]), num_cell(r["t"]), p_cell(r["p"]), str(int(r["n_obs"])),
                    str(int(r["n_groups"]))) for r in models.to_dict("records")),
        data=models, name="alliance_moderation")
    return [t1, t2, t3, t4]
