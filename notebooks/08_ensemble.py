# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What the reconstruction decides

# %% [markdown] tags=["other-data"]
# This page concerns the bundled reconstruction only: it shows which of that file's
# results belong to the paper's printed summaries and which to the random draw that
# filled what they leave open. On participant data nothing is left to a draw, so the
# page has nothing to show for the file in use.

# %% [markdown] tags=["bundled-data"]
# Every participant-level number in this report comes from a *synthetic* data set: 58
# rows rebuilt so that every count, mean, SD and test result the trial paper prints comes
# out as printed. Much of what an analysis needs is not printed, though: which
# participants answered which visit, which baseline score belongs with which 12-month
# score, how the hours are spread among those who worked. The reconstruction fills
# these gaps with one random draw (its seed). A different seed gives a different data
# set that agrees with the paper just as well.
#
# So which results on the other pages belong to the paper, and which to the draw? This
# page answers that with an **ensemble**: many reconstructions with different seeds, each
# analysed by the same library functions the other pages call, with the same
# parameters. A result that comes out the same in every member is decided by what the
# paper prints. A result that changes from member to member is decided by the draw,
# and on the other pages it stands for one possibility among many.
#
# The ensemble is computed by `ipsrep ensemble --members N` (on Dask; see the README)
# and stored under `data/ensemble/`; this page only reads it.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - explain why data rebuilt from published summaries match some results by construction and leave others open;
# - read the spread of a result across many reconstructions;
# - tell which of the front page's answers the printed numbers decide.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
ensemble_dir = "data/ensemble"  # output folder of `ipsrep ensemble`

# %%
import pandas as pd
from IPython.display import Markdown, display

from ipsrep.plots.ensemble import key_label, p_spread_figure, table4_spread_figure
from ipsrep.report import scorecard
from ipsrep.report.context import Banner, setup
from ipsrep.synthetic import ensemble
from ipsrep.synthetic.reconstruct import DEFAULT_SEED

ctx = setup(data_path)
Banner(ctx)

# %% tags=["bundled-data"]
found = ensemble.read_ensemble(ensemble_dir)
meta = found.metadata
seeds = meta["seeds"]
committed_in = DEFAULT_SEED in seeds
Markdown(
    f"**The ensemble:** {found.members} reconstructions (seeds {seeds[0]} to {seeds[-1]}), computed with "
    f"ipsrep {meta['version']}"
    + (f"; {len(meta['failed'])} seed(s) failed and are left out" if meta["failed"] else "")
    + ". " + ("The committed reconstruction, which the other pages use, is member "
              f"{seeds.index(DEFAULT_SEED)} (seed {DEFAULT_SEED}). " if committed_in else "")
    + ("" if ctx.bundled else "This page describes the bundled reconstruction's ensemble, not the data "
       "file in use: with real participant data nothing is left to a draw.")
)

# %% [markdown] tags=["bundled-data"]
# ## What the printed numbers fix
#
# The ledger keys fall into two kinds. Counts, valid percentages, means, SDs and the
# tests computed from them (Table 1, the flow, Table 2, hours worked and the 20-hour
# comparison, Table 3) are fixed by the paper up to its printed digits: every member
# must print them exactly as the paper does. This is a check of the reconstruction, so
# only its outcome is shown here.

# %% tags=["bundled-data"]
check = ensemble.check_determined(found.results, found.keys)
failing = check[~check["passes"]]
Markdown(
    f"Of the **{len(check)}** ledger keys the printed numbers determine, **{int(check['passes'].sum())}** print "
    f"the same in all {found.members} members and match the paper wherever the paper is self-consistent."
    + ("" if failing.empty else f" **{len(failing)}** do not; they are listed below: in those members the "
       "reconstruction missed a printed constraint, so they are not the paper's data set.")
)

# %% tags=["bundled-data"]
failing if len(failing) else None

# %% [markdown] tags=["bundled-data"]
# Everything else the report computes from participant data is left to the draw. The
# summary below gives, for each such key, the median over the members, the range
# holding the middle 95% of them (2.5th to 97.5th percentile), the minimum and maximum,
# and for p-values the share of members below `alpha`. The column `holds` says whether
# the key tells the same story in every member: a p-value on the same side of `alpha`,
# an estimate with the same sign. Some keys without a printed counterpart (the Yates and
# Fisher p-values of Table 2, the Student and Welch p-values for hours) depend only on
# fixed counts and summaries, and show no spread at all.

# %% tags=["bundled-data"]
summary = ensemble.summarise(found.results, found.keys, alpha=alpha)
with pd.option_context("display.max_rows", len(summary) + 1):
    shown = summary[["key", "published", "median", "p2_5", "p97_5", "min", "max", "share_below_alpha",
                     "reference", "holds"]].round(4)
    display(shown)

# %% [markdown] tags=["bundled-data"]
# ## Table 4: the mixed models
#
# Table 4's mixed models use every visit of a participant at once, so they depend on
# exactly what the paper does not print: how each person's scores hang together over
# the year. The figure puts every member's estimate against the printed one, in units of
# the printed SE, as Figure 2 of the health page does for the committed reconstruction
# alone.

# %% tags=["bundled-data"]
spread = ensemble.table4_spread(found.results, found.keys)
table4_spread_figure(spread, reference_seed=DEFAULT_SEED if committed_in else None)

# %% [markdown] tags=["bundled-data"]
# *Figure 1. Table 4 refitted on every reconstruction of the ensemble.* One panel per
# model term, one row per outcome; each small dot is one member's estimate minus the
# printed estimate, divided by the printed SE; the black bar spans the middle 95% of the
# members, the grey band one printed SE either side of the printed value, and the red
# diamond marks the committed reconstruction. Every dot comes from a synthetic data set.

# %% tags=["bundled-data"]
per_term = spread.assign(within_1se=spread["distance"].abs() <= 1, below=spread["p"] < alpha).groupby(
    ["measure", "term"], sort=False).agg(within_1se=("within_1se", "mean"), same_sign=("same_sign", "mean"),
                                          p_below_alpha=("below", "mean")).reset_index()
inter = per_term[per_term["term"] == "interaction"].set_index("measure")
(100 * inter[["within_1se", "same_sign", "p_below_alpha"]]).round(0).rename(columns={
    "within_1se": "% within 1 printed SE", "same_sign": "% with the printed sign",
    "p_below_alpha": f"% with p < {alpha:g}"})

# %% [markdown] tags=["bundled-data"]
# The reconstruction searches, for every seed, a linkage of visits that brings Table 4
# close to the printed table, so the members are expected to cluster near zero, and the
# figure shows how closely they do. The worst-pain interaction stays apart in every member because the
# printed row contradicts itself (its estimate, SE and z do not agree; see the health
# page) and the search aims at the estimate its printed z implies. What the spread within
# a row shows is how much the printed table leaves open once it is matched.
#
# The table gives, for the group-by-time interaction of each outcome (the term that
# answers whether IPS changed the course of a health measure), the share of members
# whose estimate lies within one printed SE of the printed one, has the printed sign,
# and has a p below `alpha`.

# %% [markdown] tags=["bundled-data"]
# ## The p-values the draw decides
#
# Each row is one p-value; the thin line runs from its smallest to its largest value
# over the ensemble, the thick bar covers the middle 95% of the members, the white dot
# is the median and the red diamond the committed reconstruction. The percentage on the
# right is the share of members with p below `alpha` (the dashed line).

# %% tags=["bundled-data"]
p_rows = summary[summary["p_value"] & (summary["max"] > summary["min"] * (1 + 1e-9))]
t4_p = p_rows[p_rows["key"].str.startswith("t4.") & ~p_rows["key"].str.contains(".intercept.", regex=False)]
p_spread_figure(t4_p, alpha=alpha, title="Table 4: p of the group, time and interaction terms")

# %% [markdown] tags=["bundled-data"]
# *Figure 2. Table 4 p-values over the ensemble* (log scale; intercepts, whose p is
# always tiny, are left out). Computed on synthetic reconstructions.

# %% tags=["bundled-data"]
other_p = p_rows[~p_rows["key"].str.startswith("t4.")]
other_p = other_p.sort_values("share_below_alpha", ascending=False, kind="stable")
p_spread_figure(other_p, alpha=alpha, title="Levene's tests, Holm's adjustment and the hours sensitivity analyses")

# %% [markdown] tags=["bundled-data"]
# *Figure 3. Other p-values that change between members.* Levene's test of equal
# variances per Table 3 row, Holm's adjusted p of each row, and the Mann-Whitney and
# permutation tests of hours worked. Computed on synthetic reconstructions.

# %% [markdown] tags=["bundled-data"]
# ## Which results hold, and which swing

# %% tags=["bundled-data"]
varying = p_rows[~p_rows["key"].str.contains(".intercept.", regex=False)]
always = varying[varying["holds"] & (varying["share_below_alpha"] == 1)]
never = varying[varying["holds"] & (varying["share_below_alpha"] == 0)]
swing = summary[summary["p_value"] & ~summary["holds"]]


def _listed(rows: pd.DataFrame) -> str:
    return "; ".join(f"{key_label(k)} ({100 * s:.0f}% of members)"
                     for k, s in zip(rows["key"], rows["share_below_alpha"])) or "none"


def _families(rows: pd.DataFrame) -> str:
    names = {"t4": "Table 4 terms", "t3": "Table 3 Levene or Holm p-values", "rq2": "hours or 20-hour p-values"}
    counts = rows["key"].str.split(".").str[0].map(names).value_counts()
    return ", ".join(f"{n} {name}" for name, n in counts.items()) or "none"


Markdown(
    f"**Held in every member.** Every result the printed numbers determine (the {len(check)} keys checked "
    f"above). Of the {len(varying)} p-values that change between members (intercepts aside), "
    f"{len(always)} are below {alpha:g} in every member ({_listed(always)}) and {len(never)} in none "
    f"({_families(never)}).\n\n"
    f"**Swing with the draw.** {len(swing)} p-value(s) fall below {alpha:g} in some members and not in others "
    f"(share of members below {alpha:g} in brackets): {_listed(swing)}."
)

# %% [markdown] tags=["bundled-data"]
# A swinging p-value is not a finding about the trial. The paper does not contain the
# information that would settle it, and on the other pages it shows what one plausible
# data set gives. Where the paper prints the number itself (Table 4), the printed value
# is the trial's answer and the ensemble shows how far a reconstruction can be trusted
# to reproduce it.
#
# ## The front page's answers
#
# The front page answers each research question in a line, from the ledger of the
# committed reconstruction. The same answer functions applied to every member's values
# say whether the line would read the same whatever the seed.

# %% tags=["bundled-data"]
rob = [ensemble.answer_robustness(fn, found, alpha=alpha) for fn in scorecard.ANSWERS]
pd.DataFrame({"question": [r.question for r in rob], "verdict": [r.verdict for r in rob],
              "members as here": [f"{r.same} of {r.members}" if r.verdict != "not from participant data" else ""
                                  for r in rob]})

# %% tags=["bundled-data"]
changing = [r for r in rob if r.verdict == "not robust"]
Markdown(
    "Every answer computed from participant data reads the same in every member." if not changing else
    "Answers that change with the draw: " + "; ".join(
        f"*{r.question}* reads as on the front page in {r.same} of {r.members} members, with "
        f"{len(r.variants)} different versions" for r in changing) + "."
)

# %% [markdown] tags=["bundled-data"]
# ### Teaching note: what the spread is, and what it is not
#
# The spread on this page is not a confidence interval. A confidence interval describes
# how a result would vary over new samples of patients; here the patients (as far as
# the paper describes them) are fixed, and the spread describes how much the printed
# summaries leave open. Tools that reconstruct samples from means and SDs, such as
# SPRITE (Heathers et al. 2018), show this for one variable; an ensemble of whole-trial
# reconstructions shows it for any analysis at once. A practical lesson for
# reporting: summaries per visit and per group pin down the cross-sectional tests and
# almost nothing of the longitudinal ones. Publishing the within-person correlations,
# or the participant data, would remove most of the spread shown here.
#
# ## How long it takes
#
# Each member is computed by `ipsrep.synthetic.ensemble.member_results(seed)`: the
# reconstruction, then the analyses of pages 00-03.

# %% tags=["bundled-data"]
if len(found.timings):
    t = found.timings["cpu_seconds"]
    timing = Markdown(f"Median CPU time per member: {t.median():.1f} s (range {t.min():.1f} to {t.max():.1f} s; "
                      "the first member on each worker also loads what every member shares).")
else:
    timing = Markdown("No timings were stored with this ensemble.")
timing

# %% [markdown] tags=["bundled-data"]
# ## Try it
#
# * Set `alpha = 0.01` or `0.10`: which p-values now hold in every member, and does any
#   front-page answer change its verdict?
# * Compute an ensemble of your own, e.g. `ipsrep ensemble --members 20 --first-seed 1
#   --out /tmp/ens`, and set `ensemble_dir = "/tmp/ens"`: with other seeds the spreads
#   should look alike, the check of the determined keys should still pass.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-08-share
#
# In 180 of 200 reconstructions a coefficient's p is below 0.05; in the other 20 it is
# above. What does this say about the trial's real data, and what does it not say?
# ```
#
# ```{solution} ex-08-share
# :class: dropdown
#
# It says the printed summaries do not decide the result: data sets that match every
# printed number give either answer. It does not say the real p is below 0.05 with 90%
# probability: the real data are one data set that fits the summaries, not a draw from
# our ensemble, whose spread reflects the reconstruction's assumptions. Only the
# trial's records settle it.
# ```
#
# ```{exercise}
# :label: ex-08-fixed
#
# Why does every reconstruction give the same odds ratio for employment at 12 months,
# while the mixed-model estimates differ between reconstructions?
# ```
#
# ```{solution} ex-08-fixed
# :class: dropdown
#
# The odds ratio depends only on the four counts of a 2×2 table, and the paper prints
# them (percentages and group sizes fix whole counts), so every reconstruction built to
# match them has the same table. The mixed models depend on which participant gave which
# score at which visit, which no printed summary fixes.
# ```
