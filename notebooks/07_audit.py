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
# # Reporting audit: the paper checked against itself, and the trial it calls for
#
# The earlier notebooks recompute the trial's results from a data set. This one asks a
# different question, one that needs no participant data at all: do the numbers the
# paper prints agree with each other? A p-value sits beside the means, SDs and group
# sizes it was computed from; a percentage beside its count; an odds ratio beside its
# 2x2 table; a z beside its estimate and standard error. Each of these pairs can be
# checked, and so can the registry record the trial was registered with. The audit
# ends by turning the trial's own estimate into a plan for the larger trial its authors
# call for.
#
# Five parts:
#
# 1. every printed test result recomputed from the other printed numbers, with their
#    rounding taken into account;
# 2. granularity checks (GRIM and GRIMMER) of means and SDs on fixed-step scales;
# 3. the denominators behind the percentages, and what they say about missing answers;
# 4. the registry record against the paper;
# 5. planning: the sample-size paragraph, the power the trial had, and the size of a
#    trial that could settle the question.
#
# Parts 1-4 read only the published numbers (`data/published/`, `data/registry/`), so
# their results are the same whatever data file the report is built with. Part 5 takes
# the 12-month employment rates from the data in use.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - check printed means and percentages for consistency with whole-number data (GRIM-type checks);
# - recompute a test statistic and its p-value from printed summaries;
# - compare a trial's report with its registration.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
grid_points = 5  # values tried across each rounded input's window (corners included)
follow_up = "12m"  # follow-up whose observed employment rates drive the planning
power_targets = [0.8, 0.9]  # powers a new trial should reach
n_sim = 20000  # simulated trials per group size
seed = 2022  # base seed of the simulations
show_progress = True  # text progress bar while the chi-squared test is simulated

# %%
import pandas as pd
from IPython.display import Markdown

from ipsrep import audit
from ipsrep.analyses import claims
from ipsrep.audit import denominators, grim, ledger_rows, planning, recompute, registry
from ipsrep.plots import audit as audit_plots
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
Banner(ctx)

# %% [markdown]
# ## 1. Printed test results, recomputed with rounding windows
#
# **Method.** A number printed with two decimals, say a mean of 4.27, stands for every
# value from 4.265 to 4.275: its *rounding window*. A p-value recomputed from
# rounded means and SDs is therefore not a single number but an interval, found here by
# evaluating the test over the box formed by the input windows (corners included;
# `grid_points` values per window). Counts are exact. The printed result is then
# classified as
#
# - **consistent** when its own window meets the interval of the test the paper says
#   it used (independent-samples t-test, Pearson chi-squared, Fisher's exact test where
#   an expected count is below 5, Woolf intervals for odds ratios, the normal p of a z);
# - **consistent only under another variant** when it meets only the interval of a
#   neighbouring test: Welch's t instead of Student's, Yates-corrected or exact instead
#   of Pearson, or a last digit cut off instead of rounded;
# - **inconsistent** when no variant reproduces it.
#
# *Teaching note.* Tools such as statcheck recompute a p from a printed test statistic
# and its degrees of freedom. Here the statistic is mostly not printed and has to be
# rebuilt from rounded means, SDs and counts, whose rounding errors compound: two means
# printed to two decimals can move a p in its second or third decimal. Treating the
# printed inputs as exact would call such a p wrong when it is not; the intervals
# prevent that.

# %%
n_span = denominators.table1_valid_n_range()
ips_n = range(n_span["IPS"][0], n_span["IPS"][1] + 1)
tau_n = range(n_span["TAU"][0], n_span["TAU"][1] + 1)
checks = recompute.printed_statistic_checks(ips_n=ips_n, tau_n=tau_n, grid_points=grid_points)
captioned(audit.verdict_counts(**{
    family: checks[checks["key"].str.startswith(prefix)]
    for family, prefix in [("Table 1", "t1."), ("Table 2", "t2."), ("hours and ≥ 20 h", "rq2."),
                           ("historical controls", "hist."), ("Table 3", "t3."), ("Table 4", "t4."),
                           ("fidelity", "fidelity.")]
}), "Printed test results recomputed with rounding windows: verdicts per family of the paper's numbers")

# %% [markdown]
# The rows that are not plainly consistent, with the reason:

# %%
captioned(checks.loc[checks["verdict"] != "consistent", ["key", "printed", "inputs", "matched", "verdict", "note"]],
          "Printed test results not plainly consistent with their inputs, with the reason")

# %% [markdown]
# ### The paper's Table 3: Student or Welch?
#
# The paper says only that it used independent-samples t-tests. SPSS prints two lines
# for that procedure, one assuming equal variances (Student) and one not (Welch), and
# leaves the choice to the analyst. Recomputing every p both ways shows which line was
# copied into Table 3. Where the two groups' SDs are close the two tests agree and
# either line fits; where one SD is much larger than the other only one fits. Every row
# that only Welch's test reproduces has very unequal SDs (`sd_ratio`), as a rule "take
# Welch when Levene's test is significant" would give; but some rows with similar
# ratios fit only Student's test, so the rule cannot be confirmed from the summaries
# (Levene's test needs the data; page 03 sets the rule's pick on the data in use beside
# the printed variant, [which t-test did the paper print](03_rq3_health.html#which-t-test-did-the-paper-print)).

# %%
t_rows = checks[checks["key"].str.startswith(("t3.", "rq2.hours")) & checks["stated"].eq("student")]
captioned(recompute.t_test_variant_table(t_rows),
          "Printed t-test p-values: which test, Student or Welch, reproduces each")

# %%
audit_plots.t_test_variants_figure(t_rows)

# %% [markdown]
# *Figure 1. Printed p-values set against the Student and Welch recomputations.* Each
# row is one printed p (black tick); the blue and orange marks are the p of the Student
# and Welch tests, with pale bars for the spread that rounding of the printed means and
# SDs allows, and bold labels for rows only Welch's test reproduces. The inputs are the
# paper's printed summaries, not participant data.

# %% [markdown]
# The single nominally significant Table 3 comparison (worst pain at 12 months) fits
# only Student's test; the table above shows what Welch's test would have given for it.
# Mixing the two tests within one table is not wrong in itself, but the paper does not
# say it did so, and a reader recomputing the table from its own numbers would get a
# different p for the Welch rows.
#
# ### The paper's Table 1: p-values without group sizes
#
# Table 1 prints means and SDs but not how many participants answered each
# questionnaire at baseline. Its yes/no rows show that answers were missing (their valid
# percentages imply fewer than the full groups, part 3), so each continuous row's p is
# recomputed for every pair of group sizes in the range those rows imply. A row is
# consistent if some pair reproduces it; the columns on the right say which sizes do,
# and whether the full groups of the participant flow do.

# %%
t1 = recompute.table1_t_test_checks(ips_n, tau_n, grid_points=min(grid_points, 3))
captioned(t1[["key", "printed", "matched", "verdict", "n_ips_admitted", "n_tau_admitted", "full_n_admitted", "note"]],
          "Baseline p-values recomputed over the group sizes the paper leaves open")

# %% [markdown]
# ### The paper's Table 4: the "F Score" column
#
# Table 4 reports linear mixed models (the paper used SPSS and Stata). Its column
# headed "F Score" is in fact the ratio of each estimate to its standard error -- the
# z statistic that Stata's `mixed` prints -- and its P is the two-sided normal p of
# that z. Both can be checked: the z against the
# estimate and SE printed beside it, and the P against the z. In the figure, every
# model term should lie on the diagonal within its horizontal rounding range.

# %%
audit_plots.table4_z_figure(checks[checks["key"].str.startswith("t4.")])

# %% [markdown]
# *Figure 2. Table 4's printed z against the ratio of its printed estimate and SE.*
# Horizontal bars show the range that ratio can take given the rounding of both
# numbers, so a consistent term touches the dashed diagonal; the red point is the one
# that does not. Intercepts are left out to keep the scale readable, and only printed
# numbers are used.

# %% [markdown]
# One term falls far off the diagonal: the group-by-time interaction for worst pain,
# whose z and P are inconsistent with its estimate and SE and with each other (its P
# would need a z different from both). Which of the four printed numbers is wrong cannot
# be told from the table; since the term is not significant in any reading, the paper's
# conclusion does not depend on it. A second, much smaller disagreement (the time term
# for anxiety) is a matter of the last printed digit and is listed among the
# other-variant rows above.
#
# The 2x2 statistics (Table 1's yes/no rows, Table 2, the ≥ 20 hours comparison and the
# historical-control comparison) are all consistent with their counts once the
# denominators of part 3 are used; so is the mean fidelity score. Their ledger rows
# follow with the rest. Every row of this audit checks printed numbers against printed
# numbers, so its status is `consistent` or `inconsistent` (never `reproduced`, which
# the ledger keeps for values computed from participant data), and its note gives the
# range the rounding of the printed inputs admits.

# %%
ledger.emit(ledger_rows.check_ledger(checks, admitted=t1, bundled=ctx.comparison))

# %% [markdown]
# ## 2. Granularity: can these means and SDs exist?
#
# **Method.** When every score is a multiple of a fixed step (whole EQ-VAS points, ODI
# steps of 2, HSCL item means in steps of 1/25, whole pain ratings, whole hours), the
# mean of n scores is a multiple of step/n, and only some printed means are possible
# (GRIM, Brown and Heathers 2017); the SD must likewise come from a whole sum of squares
# of the right parity (GRIMMER, Anaya 2016). Where a scale's scoring allows a finer grid
# -- the ODI rescales a form with unanswered items to 0-100, hours may be logged in
# halves -- a mean that fails the stated grid but fits the finer one is classified as
# consistent under the other variant. Table 1 prints no n, so there the question is
# which n the means allow.

# %%
gran = grim.granularity_checks(ips_n, tau_n)
captioned(audit.verdict_counts(**{source.removeprefix("Sveinsdottir et al. 2022, "): g
                                  for source, g in gran.groupby("source", sort=False)}),
          "Granularity of the printed means and SDs: verdicts per table of the paper")

# %%
captioned(gran.loc[gran["verdict"] != "consistent", ["key", "printed", "n", "grid", "matched", "verdict", "note"]],
          "Means and SDs that whole-number answers cannot give, or only in part")

# %% [markdown]
# Every ODI mean in Table 3 is off the 2-point grid that ten fully answered items would
# give, so some ODI forms must have been scored from fewer items and rescaled, which the
# paper does not mention; one of them needs forms with two unanswered items. The IPS
# group's mean hours worked is not a mean of whole hours for its n, but is one of half
# hours. Table 1's means, read with their grids, pin down how many answered at baseline
# (the `n` column below): for several rows the full groups are impossible.

# %%
captioned(gran.loc[gran["source"].str.endswith("Table 1"),
                   ["key", "printed", "grid", "n", "full_n", "verdict", "note"]],
          "Granularity of the baseline means and SDs")

# %%
ledger.emit(ledger_rows.granularity_ledger(gran, bundled=ctx.comparison),
            ledger_rows.hours_grim_ledger(grim.hours_granularity(), bundled=ctx.comparison))

# %% [markdown]
# ## 3. Implied denominators
#
# **Method.** A count printed with its percentage admits only the denominators n for
# which the count over n rounds to the percentage. Tables 1 and 2 print "valid
# percentages" of those who answered, so these n are the respondents to each item; set
# against the analysed group sizes (`base`) they show how much was missing. Where no n
# rounds to the printed value, the truncated reading is tried.

# %%
pct = denominators.percentage_denominator_table()
captioned(pct[["key", "group", "count", "printed", "n_rounded", "n_truncated", "base", "missing", "verdict", "note"]],
          "Denominators implied by the printed percentages")

# %% [markdown]
# Two things stand out. The married row of Table 1 prints for the IPS group a
# percentage that no denominator rounds to; the count over the denominator that fits
# everything else rounds to a different last digit, which Table 2 prints for the very
# same fraction. And the yes/no items of Table 1 were answered by different numbers of
# participants, some well below the analysed group; the p-values of Table 1 (part 1) and
# the granularity of its means (part 2) narrow down the respondents to its continuous
# rows in the same way:

# %%
captioned(denominators.table1_admitted_n(ips_n, tau_n), "Group sizes the baseline table admits")

# %% [markdown]
# One cross-check is possible directly: the HSCL "above cutoff" row is computed from the
# same questionnaires as the HSCL mean, so the denominators of the former should
# reproduce the p and pass GRIMMER for the latter. They do:

# %%
captioned(denominators.hscl_cutoff_cross_check(),
          "The HSCL-25 mean of the paper's Table 1 checked at the respondents its cut-off row implies")

# %% [markdown]
# ### Response rates, process measures and job types
#
# The Discussion gives the primary outcome's response rates as a range. Table 2's
# denominators give the rate of each group at each follow-up (page 00 tables the rates
# of the data in use, [completeness of the primary outcome](00_trial.html#completeness-of-the-primary-outcome)),
# and the printed range matches when the groups are taken separately, not when they are pooled:

# %%
rates = denominators.response_rates(pct)
captioned(denominators.response_range_check(rates), "Printed response-rate ranges against the implied ones")

# %% [markdown]
# The Norwegian summary reports the IPS participants' views of the job support at six
# months as whole percentages without a denominator. Taken together, those
# percentages admit only a few denominators up to the size of the IPS group. Page 06
# tables them and compares them with the number of IPS participants who returned the
# six-month questionnaires ([the trial's process measures](06_qualitative.html#the-trial-s-process-measures));
# the ledger rows below record them.

# %%
process = denominators.process_denominators()

# %% [markdown]
# The types of jobs are likewise printed as four whole percentages of all jobs found.
# The number of jobs is not given; the admissible totals below also leave at least one
# job for each of the other sectors listed in the Norwegian summary's figure.

# %%
jobs = denominators.jobs_denominators()
captioned(jobs, "Job types in the IPS group: printed counts and percentages checked")

# %%
ledger.emit(
    ledger_rows.denominator_ledger(pct, bundled=ctx.comparison),
    ledger_rows.implied_n_ledger(process, jobs, denominators.table1_admitted_n(ips_n, tau_n), rates,
                               ips_n=n_span["IPS"][1], bundled=ctx.comparison),
)

# %% [markdown]
# ## 4. The registry record against the paper
#
# The trial was registered at ClinicalTrials.gov (NCT02697656). The table sets each
# registered item beside what the paper reports; the verdict follows fixed rules from
# the comparison columns (`ipsrep.audit.registry.outcome_verdict`), and "disclosed"
# means the paper itself says why it departs from the record.

# %%
reg = registry.registry_vs_paper()
captioned(reg[["item", "registered", "registered_months", "reported", "reported_months", "reported_where", "verdict"]],
          "The registry record against the paper")

# %%
captioned(registry.enrollment_comparison(), "Enrolment: registered against reported")

# %% [markdown]
# The registered enrollment matches neither the number randomised nor the number
# analysed, and the paper does not comment on it. Of the registered outcomes, quality
# of life, disability and pain intensity (registered as a numeric rating scale; the
# paper uses the four numeric rating scales of the Brief Pain Inventory) are reported as
# registered; the paper notes that its BPI items replaced items planned in the
# protocol, which is a departure from the protocol, not from this record. Of the
# registered employment
# measures (hours, days and weeks worked over a year) only hours appear, while the
# primary outcome the paper analyses -- any job at all since baseline, at three time
# points -- is not the measure the record describes. Psychological distress, the
# 20-hour indicator and the historical comparison are reported without being in the
# record.

# %%
ledger.emit(ledger_rows.registry_rows(registry.registry_ledger_values(reg), bundled=ctx.comparison))

# %% [markdown]
# ### The IPS principles: registry record, paper and pilot
#
# The record describes IPS by its own list of eight principles, and it is not the
# paper's list. Set side by side (our paraphrases, `data/registry/ips_principles.csv`):
# the record has no systematic job development, counts the rejection of prevocational
# training as a principle, puts rapid job search last, and speaks of integration with
# treatment where both papers name mental health services and then adapt the principle
# to pain treatment. The trial's fidelity was rated on the 25-item fidelity scale, not
# against either list.

# %%
Markdown("*Table: The IPS principles as the trial paper, the registry record and the pilot paper list them,"
         " with our comparison*\n\n" + claims.principles_markdown())

# %% [markdown]
# ### Fidelity: the reviews behind the mean
#
# The Methods report four fidelity reviews of the IPS service on the Norwegian IPS
# fidelity scale. The mean of the four printed scores is checked with the other printed
# statistics in part 1 (`audit.fidelity.mean`); here the reviews themselves, with the
# count of reviews and of those below the accepted threshold checked against the
# printed counts. The mean sits in the scale's fair range, but it averages two reviews
# below the threshold with two later ones above it. The Norwegian summary describes the
# same reviews differently (statement N02), which the [claims page](08_claims.html)
# judges contradicted by the paper's own report.

# %%
reviews = recompute.fidelity_reviews()
captioned(reviews, "The fidelity reviews behind the printed mean")

# %%
Markdown(claims.statements_markdown(["T07", "N02", "T24"]))

# %%
ledger.emit(ledger_rows.fidelity_ledger(reviews, bundled=ctx.comparison))

# %% [markdown]
# ## 5. Planning the next trial
#
# ### The sample-size paragraph
#
# The paper's sample-size paragraph gives the employment rates it planned for, the
# level, the power and the resulting number per group. Four textbook formulas for two
# proportions give different answers from those inputs; only one returns the paper's
# figure. Page 01 runs the four formulas and names the one that matches
# ([sample size](01_rq1_employment.html#sample-size)); the ledger rows below record them.

# %% [markdown]
# *Teaching note.* The formula that matches is the unpooled one: both terms use the
# variances under the alternative, $p_1(1-p_1) + p_2(1-p_2)$ (as notebook 01 derives),
# while the analysis used Pearson's chi-squared, whose variance under the
# null is pooled. The pooled (Fleiss) formula is the one that matches the test
# actually run, and asks for a few more participants.
#
# ### The power the trial had
#
# The design assumed a large difference; the trial observed a smaller one. With the
# group sizes it achieved, what was its chance of detecting the difference it found, if
# that were the true one?

# %%
observed = planning.observed_rates(ctx.trial, follow_up)
obs = observed.set_index("group")
p_ips, p_tau = float(obs.at["IPS", "rate"]), float(obs.at["TAU", "rate"])
n_ips_obs, n_tau_obs = int(obs.at["IPS", "n"]), int(obs.at["TAU", "n"])
not_planned = planning.planning_reason(observed)  # "" when the observed rates allow power and sample size
captioned(observed, "Employment at the follow-up the power is computed for")

# %%
achieved = planning.achieved_power(p_ips, p_tau, n_ips_obs, n_tau_obs, alpha=alpha, n_sim=n_sim, seed=seed)
captioned(achieved, "The power the trial had for its observed rates, by method")

# %% [markdown]
# ### How large a trial would settle it
#
# Participants per group for each target power, first by the four formulas, then by
# simulating the chi-squared test itself at a range of sizes around the formula's
# answer (the progress bar counts the sizes simulated).

# %%
captioned(planning.n_per_group_analytic(p_ips, p_tau, alpha=alpha, powers=power_targets),
          "Sample size per group for the observed rates, analytic")

# %%
simulated = {}
for target in [] if not_planned else power_targets:
    simulated[target] = planning.n_per_group_simulated(
        p_ips, p_tau, power=target, alpha=alpha, n_sim=n_sim, seed=seed, progress=show_progress,
        desc=f"simulating {round(100 * target)}% power")
(Markdown(f"The simulation at the observed {follow_up} rates was {not_planned}.") if not_planned else
 captioned(pd.DataFrame({"power": list(simulated), "n_per_group_simulated": [n for n, _ in simulated.values()]}),
           "Sample size per group for the observed rates, simulated"))

# %%
top = max(power_targets)
n_top, sim_table = simulated.get(top, (0, None))
analytic_top = planning.n_per_group_analytic(p_ips, p_tau, alpha=alpha, powers=[top]).set_index("method")
(Markdown(f"Figure 3 is not drawn: the simulation was {not_planned}.") if not_planned else
 audit_plots.simulated_power_figure(sim_table, target=top, chosen=n_top,
                                    analytic=analytic_top.at["pooled", "n_exact"]))

# %% [markdown]
# *Figure 3. Simulated power of the chi-squared test by participants per group.* Each
# dot is the share of simulated trials that reached significance, with bars of two
# Monte Carlo SEs; the dotted line is the target power, the red line the first size
# reaching it and the dashed line the pooled formula's answer. The rates simulated are
# those observed at `follow_up` in the data in use.

# %% [markdown]
# ### Power over plausible true effects
#
# The trial's estimate is one possible truth among many. The left panel shows the power
# the trial had over a range of true IPS employment rates, for two control rates: the
# trial's own control group and the control rate of the IPS review the paper
# cites (its ref. 14, a summary of 28 trials; the plot labels it "meta-analysis"); the
# diamonds mark the trial's estimate and the review's
# pair. The right panel shows how power grows with the number of participants per
# group for the three scenarios, with the size each needs marked.

# %%
scenarios = {f"trial's estimate ({follow_up})": (p_ips, p_tau), **planning.benchmark_rates()}
plan = planning.scenario_table(scenarios, n_ips_obs, n_tau_obs, alpha=alpha, powers=power_targets)
captioned(plan, "Power and sample size over plausible true effects")

# %%
(Markdown(f"Figure 4 is not drawn: planning from the observed {follow_up} rates was {not_planned}.") if not_planned
 else audit_plots.power_figure(**planning.power_figure_inputs(p_ips, p_tau, n_ips_obs, n_tau_obs, plan,
                                                              follow_up=follow_up, alpha=alpha, powers=power_targets),
                               targets=power_targets))

# %% [markdown]
# *Figure 4. Power of the chi-squared test over true effects and over trial sizes.*
# Left: power at the group sizes achieved, as the true IPS employment rate varies, one
# curve per control rate, with diamonds at the trial's estimate and the review's
# pair. Right: power as participants per group grow (log axis) for each scenario, with
# the size needed for each target marked; the trial's own rates and sizes come from the
# data in use.

# %% [markdown]
# Read together (on the bundled data): at the sizes it achieved, the trial would have
# detected even the difference it was designed for less often than planned, the
# review's difference about as often as not, and a difference like the one it
# observed only rarely. Confirming a difference of the observed size needs several
# hundred participants per group -- the multicentre trial the authors call for rather
# than a somewhat larger single-centre one.

# %%
plan_keys = plan.assign(key=[f"observed_{follow_up}", "meta", "design"])
ledger.emit(ledger_rows.planning_ledger(planning.sample_size_reproduction(), achieved, plan_keys,
                                      {t: n for t, (n, _) in simulated.items()}, follow_up=follow_up,
                                      bundled=ctx.comparison))

# %% [markdown] tags=["summary"]
# ## Summary
#
# Counts of every check in this notebook by verdict. A "consistent only under another
# variant" is not an error: it says the paper used a test, or a way of printing, other
# than the one it states. The inconsistent rows are the ones a reader should not take
# at face value.

# %% tags=["summary"]
captioned(audit.verdict_counts(
    **{
        "test results": checks,
        "granularity": gran,
        "percentages": pct,
        "registry items": registry.registry_checks(reg),
    }
), "Every check of this page, by verdict")

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("07_audit", "follow_up", "24m"))

# %% [markdown]
# What to try:
#
# - Set `grid_points = 2` (corners only) and then `9`: the verdicts should not change,
#   which shows that the intervals are driven by the corners of the rounding boxes.
# - Set `follow_up = "24m"`: the planning then starts from the 24-month rates, where
#   the observed difference is larger. How much smaller does the required trial get?
# - Change `power_targets` to `[0.8, 0.9, 0.95]` and watch the simulated sizes climb.
# - Lower `n_sim` to `2000`: the simulated sizes become noisier (look at the error bars
#   of the simulated-power figure) while the formula's answer stays put.
# - Build the report with your own trial's data (`ipsrep build --data FILE`): parts 1-4
#   still audit this paper, part 5 plans from your data's rates.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-06-grim
#
# Seventeen people answer an item on a whole-number scale. Can their mean be printed
# as 3.47? As 3.48? By {term}`GRIM`, a mean $\bar x$ printed to $d$ decimals is possible
# only if some integer total $k$ satisfies
#
# $$
# \left| \frac{k}{n} - \bar x \right| \le \tfrac12\,10^{-d}.
# $$
# ```
#
# ```{solution} ex-06-grim
# :class: dropdown
#
# Possible means are multiples of $1/17 \approx 0.0588$. $59/17 = 3.4706$ rounds to
# 3.47, so 3.47 is possible; the neighbours are $59/17 = 3.4706$ and $60/17 = 3.5294$,
# and neither rounds to 3.48, so 3.48 is impossible for 17 whole-number answers.
# ```
#
# ```{exercise}
# :label: ex-06-mc
#
# The simulated power in {numref}`fig-06-3` comes from `n_sim` simulated trials. How
# precise is a simulated power of 0.80 from 2000 trials?
# ```
#
# ```{solution} ex-06-mc
# :class: dropdown
#
# Each simulated trial rejects or not, so the estimate is a binomial proportion with
# standard error $\sqrt{0.8 \times 0.2 / 2000} = 0.009$: about $\pm 0.018$ at 95%. Near
# the 80% line that is enough to move the smallest adequate size by a few participants,
# which is why the figure shows error bars.
# ```
