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
# these gaps with one random draw (its seed), and for Table 4 it does more: it searches
# the linkage of visits to participants until the mixed models refit close to the
# printed table.
#
# So which results on the other pages belong to the paper, which to the search, and
# which to the draw? This page answers with two **ensembles**, many reconstructions with
# different seeds, each analysed by the same library functions the other pages call,
# with the same parameters:
#
# * the **searched** ensemble rebuilds the reconstruction exactly as the committed one is
#   built, Table 4 search included;
# * the **unsearched** ensemble keeps the same samples for every group and visit (so
#   Tables 1-3 print as published) but links visits to participants only by rank on a
#   latent score, with a within-person correlation drawn for each member and outcome;
#   nothing aims at Table 4.
#
# Every result (every *key* of the ledger) is of one of three kinds. **Printed**: the
# printed summaries determine it, so it is the same in every member by construction.
# **Targeted**: a search or redraw of the reconstruction aims at it (Table 4's group,
# time and interaction terms in the searched ensemble; the side of .05 of every Levene
# test, which decides the t-test variant); it too holds in every member, by
# construction, and that is no finding. The search aims at the intercepts as well but
# does not enforce them (a member that misses only an intercept target is kept), so
# they count as free.
# **Free**: neither; only free results can be robust or not.
#
# In every member, as on the committed file, the HSCL-25 total is not tied to its
# subscales per participant (the trial's total is (10 x anxiety + 15 x depression) / 25;
# the three distress scores are reconstructed separately, `data/reconstructed/README.md`),
# so no result here combines the total with a subscale on the same participants.
#
# The ensembles are computed by `ipsrep ensemble --members N` and `ipsrep ensemble
# --members N --linkage unsearched` (on Dask; see the README) and stored under
# `data/ensemble/` and `data/ensemble_unsearched/`; this page only reads them.

# %% [markdown] tags=["bundled-data"]
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
unsearched_dir = "data/ensemble_unsearched"  # output folder of `ipsrep ensemble --linkage unsearched`

# %%
import pandas as pd
from IPython.display import Markdown, display

from ipsrep.plots.ensemble import p_spread_figure, table4_p_figure, table4_ranges_table, table4_spread_figure
from ipsrep.report import ensemble_page, scorecard, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned
from ipsrep.synthetic import ensemble, ensemble_member, ensemble_summary
from ipsrep.synthetic.reconstruct import DEFAULT_SEED, default_within_person_r

ctx = setup(data_path)
Banner(ctx)

# %% tags=["bundled-data"]
found = ensemble.read_ensemble(ensemble_dir)
try:
    unsearched = ensemble.read_ensemble(unsearched_dir)
except FileNotFoundError:
    unsearched = None
Markdown(ensemble_summary.ensembles_markdown(found, unsearched, unsearched_dir=unsearched_dir,
                                     committed_seed=DEFAULT_SEED, bundled=ctx.bundled))

# %% [markdown] tags=["bundled-data"]
# A seed is left out when its reconstruction misses anything the committed
# reconstruction meets: a printed comparison of Tables 1-3 (mean, SD and p, with the
# t-test variant Levene's rule picks) or, in the searched ensemble, a target of the
# Table 4 search. Counting such a member would count the search's failures as
# variation. The seeds left out, with the reason recorded for each:

# %% tags=["bundled-data"]
left_out = pd.concat([ensemble_summary.misses(e.metadata).assign(ensemble=name)
                      for name, e in (("searched", found), ("unsearched", unsearched)) if e is not None],
                     ignore_index=True)
captioned(left_out[["ensemble", "seed", "miss", "reason"]] if len(left_out) else Markdown("No seed was left out."),
          "Seeds left out of the ensembles, and why")

# %% [markdown] tags=["bundled-data"]
# ## What fixes each result
#
# The table counts the keys of each kind in each ensemble; the catalogue
# (`keys.csv`) gives every key's kind and what fixes it.

# %% tags=["bundled-data"]
kinds = ensemble_summary.kind_counts(found.keys).rename(columns={"keys": "searched"})
if unsearched is not None:
    kinds.insert(2, "unsearched", ensemble_summary.kind_counts(unsearched.keys)["keys"].to_numpy())
captioned(kinds, "Results of each kind: what fixes them, in the searched and unsearched ensembles")

# %% [markdown] tags=["bundled-data"]
# Printed keys (Table 1, the flow, Table 2, hours worked and the 20-hour comparison,
# Table 3, and the Fisher, Yates and Holm p-values computed from them) must print
# exactly as the paper does in every member. This is a check of the reconstruction, so
# only its outcome is shown.

# %% tags=["bundled-data"]
checks = {name: ensemble_summary.check_printed(e.results, e.keys)
          for name, e in (("searched", found), ("unsearched", unsearched)) if e is not None}
failing = pd.concat([c[~c["passes"]].assign(ensemble=name) for name, c in checks.items()], ignore_index=True)
Markdown(" ".join(
    f"In the {name} ensemble, **{int(c['passes'].sum())} of {len(c)}** printed keys print the same in all "
    f"{e.members} members and match the paper wherever the paper is self-consistent."
    for (name, c), e in zip(checks.items(), [found, unsearched], strict=False))
    + ("" if failing.empty else f" **{len(failing)}** do not; they are listed below: in those members the "
       "reconstruction missed a printed constraint."))

# %% tags=["bundled-data"]
failing if len(failing) else None

# %% [markdown] tags=["bundled-data"]
# Targeted keys are held by construction. In the searched ensemble the search puts
# every Table 4 estimate within half a printed SE of its target (0.2 SE for the row that
# contradicts itself), every SE within 10% of the printed SE and every p on the printed
# side of .05, with |z| kept at least 0.08 away from 1.96, and a member that misses any
# of these for a group, time or interaction term is left out (intercepts are aimed at,
# not enforced); every Levene test falls on the side of .05 that selects the
# t-test variant the paper printed. Their spread over the members shows these
# tolerances, not what the paper leaves open:

# %% tags=["bundled-data"]
summary = ensemble_summary.summarise(found.results, found.keys, alpha=alpha)
targeted = summary[summary["kind"] == "targeted"]
fixed_by = found.keys.set_index("key")["fixed_by"]
captioned(pd.DataFrame({"what the reconstruction aims at": fixed_by.reindex(targeted["key"]).to_numpy(),
                        "key": targeted["key"].to_numpy()}).groupby("what the reconstruction aims at", sort=False)
          .agg(keys=("key", "size"), example=("key", "first")),
          "Targeted results: what the reconstruction aims at, with the number of results and an example")

# %% [markdown] tags=["bundled-data"]
# ## Free results of the searched ensemble
#
# What the search and the printed summaries together leave open: for each free key the
# median over the members, the range holding the middle 95% of them (2.5th to 97.5th
# percentile), the minimum and maximum, for p-values the number of members below
# `alpha`, and `holds`: whether the key tells the same story in every member (a p-value
# on the same side of `alpha`, an estimate with the same sign).

# %% tags=["bundled-data"]
Markdown(ensemble_page.free_results_summary(summary))

# %% tags=["bundled-data"]
with pd.option_context("display.max_rows", None):
    display(captioned(ensemble_page.free_results(summary, alpha=alpha),
                      "Free results of the searched ensemble: their spread over the members"))

# %% [markdown] tags=["bundled-data"]
# ## The paper's Table 4 with the search
#
# The searched members' Table 4 estimates against the printed ones, in printed SEs, as
# Figure 2 of the health page does for the committed reconstruction alone.

# %% tags=["bundled-data"]
spread = ensemble_summary.table4_spread(found.results, found.keys)
table4_spread_figure(spread, reference_seed=DEFAULT_SEED if DEFAULT_SEED in found.metadata["seeds"] else None)

# %% [markdown] tags=["bundled-data"]
# *Figure 1. Table 4 refitted on every reconstruction of the searched ensemble.* One
# panel per model term, one row per outcome; each small dot is one member's estimate
# minus the printed estimate, divided by the printed SE; the black bar spans the middle
# 95% of the members, the grey band one printed SE either side of the printed value, and
# the red diamond marks the committed reconstruction. Every dot comes from a synthetic
# data set, and every member was searched to lie within half a printed SE: the spread
# is the search's tolerance. The worst-pain interaction sits apart because its printed
# row contradicts itself and the search aims at the estimate its printed z implies.

# %% [markdown] tags=["bundled-data"]
# ## The paper's Table 4 on the printed summaries alone
#
# The real question for a reader of Table 4 is how much of it the rest of the paper
# pins down. The unsearched ensemble answers it within one family of linkages: each
# member keeps every printed summary of Tables 1-3, and links each outcome's visits by
# rank on a latent score whose correlation across visits, `r`, is drawn for that member
# and outcome uniformly between 0.3 and 0.9. Why that range: short-interval test-retest
# reliabilities of the trial's instruments, as the pain literature reports them, lie
# mostly between 0.7 and 0.9 (for the ODI, the studies reviewed by Fairbank and Pynsent
# 2000 report 0.83 to 0.99 over intervals of hours to days). Scores six or twelve months
# apart, over which chronic pain, disability and distress change, can correlate no more
# than the instrument agrees with itself over days, and usually correlate less: hence
# 0.9 at the top and 0.3 at the bottom. Who answered which visit is drawn as in the
# committed reconstruction before its search.

# %% tags=["bundled-data"]
calibrated = default_within_person_r()
Markdown(f"The correlations calibrated on the printed SEs for the committed reconstruction, from "
         f"{min(calibrated.values()):g} to {max(calibrated.values()):g}, lie inside the range "
         f"{ensemble_member.UNSEARCHED_R_RANGE[0]:g} to {ensemble_member.UNSEARCHED_R_RANGE[1]:g}.")

# %% tags=["bundled-data"]
if unsearched is not None:
    ranges = ensemble_summary.table4_ranges(unsearched.results, unsearched.keys, alpha=alpha)
    display(captioned(table4_ranges_table(ranges, alpha=alpha),
                      "The paper's Table 4 refitted on every member of the unsearched ensemble: ranges beside the "
                      "printed values"))
    sentence = Markdown(ensemble_summary.interaction_sentence(unsearched, alpha=alpha))
else:
    sentence = Markdown("The unsearched ensemble is not available; this section needs it.")
sentence

# %% tags=["bundled-data"]
if unsearched is not None:
    fig = table4_p_figure({"searched": spread, "unsearched": ensemble_summary.table4_spread(unsearched.results,
                                                                                    unsearched.keys)},
                          alpha=alpha, printed=ranges)
else:
    fig = None
fig

# %% [markdown] tags=["bundled-data"]
# *Figure 2. Table 4 p-values of both ensembles.* One panel per model term, one row
# per outcome; each dot is one member's p (grey: searched, blue: unsearched); the black
# bar is the p the paper prints, the dashed line `alpha`. The searched members sit on
# the printed side of `alpha` by construction; the unsearched ones show which p-values
# the printed summaries of Tables 1-3 allow. Computed on synthetic reconstructions.
#
# Where an unsearched interaction falls below `alpha` in many members, the printed
# Tables 1-3 are as compatible with a group-by-time effect as without one: only the
# within-person correlations, which the paper does not print, decide it. The printed
# Table 4 is then the only evidence, and it cannot be checked against the rest of the
# paper. The drawn correlation of each member is a function of its seed
# (`ipsrep.synthetic.ensemble_member.drawn_within_person_r`); higher correlations shrink the
# interaction's SE and its p.

# %% tags=["bundled-data"]
captioned(ensemble_page.interactions_by_r(unsearched, alpha=alpha) if unsearched is not None else None,
          "Interactions below alpha in the unsearched ensemble, by the drawn within-person correlation")

# %% [markdown] tags=["bundled-data"]
# ## Other free p-values
#
# Each row is one free p-value of the searched ensemble; the thin line runs from its
# smallest to its largest value, the thick bar covers the middle 95% of the members, the
# white dot is the median and the red diamond the committed reconstruction. The count on
# the right is the number of members with p below `alpha` (the dashed line).

# %% tags=["bundled-data"]
p_rows = summary[summary["p_value"] & (summary["kind"] == "free") & (summary["max"] > summary["min"] * (1 + 1e-9))]
p_spread_figure(p_rows, alpha=alpha, title="Free p-values of the searched ensemble") if len(p_rows) else None

# %% [markdown] tags=["bundled-data"]
# *Figure 3. Free p-values of the searched ensemble:* the Mann-Whitney and permutation
# tests of hours worked, which depend on how the hours spread among those who worked.
# Computed on synthetic reconstructions.

# %% [markdown] tags=["bundled-data"]
# ## Which results hold, and which swing
#
# Only free keys can hold or swing; the verdicts below count members, never rounded
# percentages.

# %% tags=["bundled-data"]
Markdown("\n\n".join(ensemble_page.verdicts_text(e, name, alpha=alpha)
                      for name, e in (("searched", found), ("unsearched", unsearched)) if e is not None))

# %% [markdown] tags=["bundled-data"]
# A swinging p-value is not a finding about the trial. The paper does not contain the
# information that would settle it, and on the other pages it shows what one plausible
# data set gives. Where the paper prints the number itself (Table 4), the printed value
# is the trial's answer; the unsearched ensemble shows how far the rest of the paper
# supports it.
#
# ## The front page's answers
#
# The front page answers each research question in a line, from the ledger of the
# committed reconstruction. The same answer functions applied to every member's values
# say what decides each line: the printed numbers, the reconstruction's construction, or
# the draw (a verdict only for answers that quote free keys).

# %% tags=["bundled-data"]
captioned(ensemble_page.answers_table(scorecard.ANSWERS, {"searched": found, "unsearched": unsearched}, alpha=alpha),
          "The front page's answers: what decides each in the searched and unsearched ensembles")

# %% [markdown] tags=["bundled-data"]
# ### Teaching note: what the spread is, and what it is not
#
# The spread on this page is not a confidence interval. A confidence interval describes
# how a result would vary over new samples of patients; here the patients (as far as
# the paper describes them) are fixed, and the spread describes how much the printed
# summaries leave open. Tools that reconstruct samples from means and SDs, such as
# SPRITE (Heathers et al. 2018), show this for one variable; an ensemble of whole-trial
# reconstructions shows it for any analysis at once. Two lessons for reading such an
# ensemble: a result that a reconstruction was built to match shows nothing when it
# holds in every member, so ask what each result was fitted to; and summaries per visit
# and per group pin down the cross-sectional tests and almost nothing of the
# longitudinal ones. Publishing the within-person correlations, or the participant
# data, would remove most of the spread shown here.
#
# ## How long it takes
#
# A searched member is `ipsrep.synthetic.ensemble_member.member_results(seed)`: the
# reconstruction with its Table 4 search, then the analyses of pages 00-03. An
# unsearched member is `unsearched_member_results(seed)`: the same without the search.

# %% tags=["bundled-data"]
Markdown(ensemble_page.timing_text({"searched": found, "unsearched": unsearched}))

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("09_ensemble", "alpha", "0.01"))

# %% [markdown]
# * Set `alpha = 0.01` or `0.10`: how many unsearched members keep an interaction below
#   it, and does any front-page verdict change?
# * Compute ensembles of your own, e.g. `ipsrep ensemble --members 20 --first-seed 1
#   --linkage unsearched --out /tmp/ens`, and set `unsearched_dir = "/tmp/ens"`: with
#   other seeds the ranges should look alike and the check of the printed keys should
#   still pass.

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
