# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Research question 1: did IPS lead to more competitive employment?
#
# **The question.** The trial's primary outcome is simple to state: did a participant
# hold an ordinary, paid job on the open labour market at any time after enrolment? A
# single day of such work counts. The question was asked at 6, 12 and 24 months, and
# each answer covers the whole period since baseline, so a participant who had a job at
# 6 months counts as employed at 12 and 24 months too. The 12-month answer is the
# primary endpoint; 24 months is a longer-term look.
#
# This notebook recomputes, from the participant-level data in use:
#
# 1. the paper's Table 2 (employment per group at each follow-up, tested by the paper's
#    rule -- Pearson chi-squared, or Fisher's exact test where an expected count is
#    below 5 -- with the odds ratio and its 95% interval), with the p-values the rule
#    did *not* choose beside the one it did;
# 2. its Figure 2 (employment rates over time), this time with confidence intervals;
# 3. a forest plot of the three odds ratios;
# 4. the ancillary comparison with historical controls from the clinic's pain registry,
#    which rests on published counts only;
# 5. the sample-size calculation, including which textbook formula reproduces the
#    printed number.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - compute an odds ratio and its Woolf 95% confidence interval from a 2×2 table;
# - compare the Wald, Wilson and Clopper-Pearson intervals for a proportion;
# - redo a sample-size calculation and judge what power a trial of this size had.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
# P of Table 2: "rule" (the paper's: Fisher if an expected count < 5, else Pearson), or force
# "pearson", "yates", "fisher"
binary_test = "rule"
interval_method = (
    "wilson"  # employment-rate intervals: "wilson", "wald", "clopper_pearson", "agresti_coull", "jeffreys"
)
sample_size_formula = "unpooled"  # "unpooled", "pooled", "pooled_cc" or "arcsine"
design_rates = None  # (IPS, TAU) proportions for the sample size, e.g. (0.5, 0.3); None = as printed in the paper
design_power = None  # power for the sample size, e.g. 0.8; None = as printed in the paper
n_sim = 20000  # simulated trials for the power of the paper's test
seed = 2022  # seed of the power simulation (page 07 uses the same seed, n_sim and rates: one number)

# %%
from IPython.display import Markdown

from ipsrep.analyses import baseline, claims, employment, employment_historical, employment_power
from ipsrep.inputs import published
from ipsrep.plots.employment import employment_rates_figure, odds_ratio_forest
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
level = 1 - alpha
Banner(ctx)

# %% [markdown]
# ## The paper's Table 2: employment at each follow-up
#
# **Methods.** At each follow-up we count, per group, the participants who answered
# the employment question and those among them who had been employed since baseline.
# Percentages are *valid percentages*: the denominator is the number who answered at
# that follow-up, not the number randomised, so each follow-up has its own
# denominators. The two groups are compared in a 2x2 table (group by employed) by the
# rule of the paper's analysis plan: Pearson's chi-squared test without continuity
# correction, or Fisher's exact test when an expected count falls below 5. The rule is
# applied to the data in use, so on another trial a follow-up may get Fisher's p where
# the paper printed Pearson's; the *test* column says which test gave each P and why.
# The association is summarised by the odds ratio of employment, IPS versus TAU, with a
# Woolf interval at the confidence level 1 − alpha (95% by default).

# %%
table2 = employment.employment_table(ctx.trial, level=level)
captioned(employment.table2_display(table2, binary_test=binary_test, bundled=ctx.comparison),
          "Employment per group at each follow-up", paper="Table 2")

# %% [markdown] tags=["bundled-data"]
# **Reading the table.** On the bundled reconstruction each *recomputed* row should
# agree with the *paper* row above it; that checks the reconstruction and our reading
# of the methods, not the trial itself.

# %% [markdown]
# In the paper, IPS participants were employed
# somewhat more often at every follow-up, the gap grew with time, and no comparison
# came near conventional significance: with groups this small, an odds ratio of about
# two is well within what chance alone produces.
#
# ### Teaching note: which p-value for a 2x2 table?
#
# Three p-values are in common use for the same 2x2 table, and they can disagree.
#
# * **Pearson's chi-squared** compares each cell with the count expected if group and
#   outcome were unrelated, and refers the sum of $(O - E)^2 / E$ (observed $O$, expected $E$) to
#   a chi-squared distribution with one degree of freedom. That distribution is an
#   approximation that holds when the expected counts are not too small (the usual
#   threshold is 5 in every cell).
# * **Yates' continuity correction** shrinks each |observed - expected| by one half
#   before squaring, to compensate for approximating a discrete count by a continuous
#   curve. It overcorrects: its p is systematically larger than the exact one, so
#   tests with it reject less often than the nominal level. SPSS prints it on the line
#   "Continuity Correction" directly under Pearson's, which makes it easy to report the
#   wrong line by accident.
# * **Fisher's exact test** fixes both margins and sums the probabilities of all tables
#   as extreme as the observed one. It needs no large-sample approximation, but because
#   it conditions on both margins it, too, tends to be conservative.
#
# The paper reports Pearson's p; on its printed counts every expected count is at least
# 5, so its rule gives Pearson. On other data the rule may give Fisher's p; the `rule`
# column below shows which. The choice still matters for
# reporting: the corrected and exact p-values below are noticeably larger, and a
# replication that picks a different line of the SPSS output gets different numbers.
# Setting the parameter `binary_test` to `"yates"` or `"fisher"` fills Table 2 and the
# ledger with those instead, whatever the expected counts, and the ledger then flags
# them as not matching.

# %%
captioned(table2[["follow_up", "min_expected", "chi2", "p_chi2", "chi2_yates", "p_yates", "p_fisher", "test"]].round(4),
          "Employment at each follow-up: the smallest expected count and the three p-values for a 2x2 table")

# %% [markdown]
# ### Teaching note: the odds ratio and Woolf's interval
#
# With *a* of *n1* IPS participants and *b* of *n2* TAU participants employed, the odds
# of employment are $a/(n_1 - a)$ and $b/(n_2 - b)$, and the odds ratio is their quotient,
# $\mathrm{OR} = a(n_2 - b) / \{b(n_1 - a)\}$. An odds ratio of 1 means no difference. Its sampling
# distribution is skewed, but the logarithm of the odds ratio is close to normal. Writing
# $c = n_1 - a$ and $d = n_2 - b$ for the participants not employed, its standard error is
# $\sqrt{1/a + 1/b + 1/c + 1/d}$ (Woolf 1955), and the interval at level $1 - \alpha$ is
#
# $$
# \exp\left(\log \mathrm{OR} \pm z_{1-\alpha/2} \sqrt{\tfrac{1}{a} + \tfrac{1}{b} + \tfrac{1}{c} + \tfrac{1}{d}}\right);
# $$
#
# the
# interval is built on the log scale and transformed back, which is why it is not
# symmetric around the estimate. Two cautions for reading it. First, when the outcome
# is common, as employment is here, an odds ratio is noticeably further from 1 than
# the ratio of the two percentages, so it should not be read as "twice as likely".
# Second, each interval below stretches from well under 1 to well above 3: the data
# are compatible with no effect and with a large one.
#
# The forest plot sets the three odds ratios on a log axis, where an interval's
# asymmetry disappears and equal ratios in either direction are equally far from 1.

# %%
odds_ratio_forest(table2.assign(follow_up=table2["months"].astype(str) + " months"), level=level)

# %% [markdown]
# *Figure 1. Odds ratios for employment, IPS against usual care, at each follow-up.*
# Squares mark the odds ratio and lines its Woolf interval at the level 1 − alpha (95% by default),
# on a log axis where the dashed line at 1 means no difference and points to the right
# favour IPS; the value and interval are written beside each row.

# %% [markdown] tags=["bundled-data"]
# On the bundled file the counts behind them come from the synthetic reconstruction.

# %% [markdown]
# ## The paper's Figure 2, redrawn with confidence intervals
#
# The paper's Figure 2 shows the employment rate of each group at each follow-up as
# bare points. Below, the same rates are drawn with an interval for each point (method
# chosen by `interval_method`, Wilson's score interval by default) and with the counts
# behind them, so that the reader can see how little a difference of one or two
# participants in a group of under twenty moves the picture.

# %%
rates = employment.employment_rates(ctx.trial, level=level, method=interval_method)
employment_rates_figure(rates)

# %% [markdown]
# *Figure 2. Share of each group employed since baseline, by follow-up.* Points are the
# percentages, bars their intervals (method and level set by the page's parameters; 95% by default),
# and each label gives the employed over those who answered at that visit; TAU is
# shifted slightly right so the bars do not hide each other.

# %% [markdown] tags=["bundled-data"]
# On the bundled file these are counts of synthetic participants.

# %%
ledger.emit(employment.rates_ledger(rates, bundled=ctx.comparison))

# %% [markdown]
# The intervals of the two groups overlap widely at every follow-up. Overlapping
# intervals are not themselves a test, but here they agree with Table 2.
#
# ### Teaching note: Wilson versus Wald intervals
#
# The interval most textbooks teach first, the Wald interval $\hat p \pm z\sqrt{\hat p(1 - \hat p)/n}$,
# uses the estimate itself to estimate the standard error. In small samples and for
# proportions away from one half its coverage falls below the nominal level, sometimes
# far below, and it can reach past 0 or 100% (Brown, Cai and DasGupta 2001). Wilson's
# interval instead collects every proportion that a score test would not reject; it is
# pulled towards one half and asymmetric, keeps close to the nominal coverage at these
# sample sizes, and never leaves [0, 1]. The Clopper-Pearson interval {cite:p}`clopper1934` inverts exact
# binomial tests and guarantees at least the nominal coverage, at the price of being
# wider. The table compares all three for the data in use.

# %%
captioned(employment.interval_comparison(ctx.trial, level=level),
          "Wald, Wilson and Clopper-Pearson intervals for the employment rates")

# %% [markdown]
# ## Ledger: the paper's Table 2
#
# Each printed cell of Table 2, with the recomputed value and whether it rounds to the
# printed digits. Our own rows (the Yates and Fisher p-values) have no printed
# counterpart and carry no status.

# %%
ledger.emit(employment.table2_ledger(table2, bundled=ctx.comparison, binary_test=binary_test))

# %% [markdown]
# ## Why was usual care so often employed? The paper's explanations
#
# The control group's employment was far above the rate the trial was planned for and
# the rates of earlier IPS trials in severe mental illness. The Discussion offers four
# explanations, here in our words (`data/sources/statements.csv`):

# %%
Markdown(claims.statements_markdown(["T14", "T15", "T16", "T17", "T18", "T33"]))

# %% [markdown]
# The fourth explanation can be set beside Table 1's row it cites. The groups differ
# in higher education in the direction the Discussion says, but the difference is well
# within chance at this size (the *P* column), and the row is a baseline comparison of
# a randomised trial, so it describes this sample, not a cause. The second
# explanation leans on the historical controls, whose outcome (work *at* 12 months)
# is not the trial's (any job *during* 12 months); see the ancillary analysis below.

# %%
t1_rows = baseline.side_by_side(baseline.table1(ctx.trial), bundled=ctx.comparison)
captioned(t1_rows[t1_rows["Characteristic"].eq("Higher education")].reset_index(drop=True),
          "Higher education at baseline, the row of the paper's Table 1 the explanation cites")

# %% [markdown]
# The Norwegian summary of the trial words the result more strongly than the paper
# does (statement N01; its headline claims are judged on the
# [claims page](08_claims.html)): it says IPS participants got work to a much greater
# extent than controls, while the table above shows overlapping groups at 6 months and
# intervals including 1 at every follow-up, and its own next sentence concedes the
# differences were not significant.

# %% [markdown]
# ## Ancillary analysis: IPS against historical controls
#
# Because the trial recruited fewer participants than planned, the authors added a
# comparison with patients from the Oslo University Hospital Pain Registry: people who
# were on a work-capability or disability benefit when they first came to the clinic
# and who answered the registry's question about work one year later. Their employment
# rate was compared with the IPS group's by Pearson's chi-squared test and an odds
# ratio. The registry patients are not in the participant-level file, so this
# comparison is recomputed from the counts the paper prints (the IPS denominator is
# the test's total n minus the registry n).
#
# **Why the comparison flatters IPS**, in our words. The two groups were not asked the
# same question. An IPS participant counts as employed if they worked at *any* point
# during the year; a registry patient counts only if they were working *at the moment*
# of the one-year question. Everyone employed at one year has been employed during the
# year, but not the other way round, so the IPS figure is inflated relative to the
# registry's by the very definition of the two outcomes. On top of that, the comparison is not randomised: trial
# participants had to want a job and live in Oslo, registry patients were not
# selected for either, and they were treated at a different time. The authors
# themselves caution that the outcomes are not directly comparable and that the
# analysis is secondary. They also describe the registry's clinical population as
# similar to the IPS group, citing the registry's own paper (their ref. 29) and printing
# no characteristic of the controls (statement T33, listed with the explanations above;
# claim S02 on the
# [claims page](08_claims.html), not checkable). The large odds ratio below is tilted in favour of IPS by
# design and should not be read as an estimate of its effect.

# %%
hist_counts = employment_historical.published_historical_counts()
hist = employment_historical.historical_control_comparison(**hist_counts, level=level)
hist_data = employment_historical.historical_on_data(table2, hist_counts, level=level)
captioned(employment_historical.historical_display({"IPS counts as printed": hist,
                                                     "IPS counts in the data in use": hist_data}),
          "IPS employment against the historical controls, with the printed and the data's counts")

# %% [markdown]
# The first column uses only printed counts and so checks the paper's arithmetic with the
# test the paper names (Pearson's; its ledger rows are checks of printed numbers,
# `consistent` or `inconsistent`). The second puts the 12-month IPS count of the data
# in use against the same registry controls; a small IPS arm can push an expected count
# below 5, and then the rule's p is Fisher's.

# %% [markdown] tags=["bundled-data"]
# On the bundled reconstruction the two columns coincide.

# %%
ledger.emit(employment_historical.historical_ledger(hist, bundled=ctx.comparison))

# %% [markdown]
# ## Sample size
#
# **What the paper says.** The planned size was based on earlier IPS trials in severe
# mental illness: an assumed employment proportion with IPS, an assumed proportion in
# controls, a 5% significance level (the paper does not say one- or two-sided; we take
# two-sided) and 90% power (the printed values are
# in the table's `p1`, `p2`, `alpha` and `power` columns). The paper gives the
# resulting number per group but not the formula.
#
# **What we do.** We run the four formulas found in textbooks and software for
# comparing two independent proportions and see which one returns the printed number:
#
# * *unpooled*: the variance of the difference taken at the alternative for both terms,
#
#   $$
#   n = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2\,[p_1(1 - p_1) + p_2(1 - p_2)]}{(p_1 - p_2)^2}
#   $$
#
#   participants per group;
# * *pooled* (Fleiss): the $z_{1-\alpha/2}$ term uses the variance under the null hypothesis,

#   at the average proportion, as the chi-squared test itself does;
# * *pooled_cc* (Fleiss, Tytun and Ury 1980): the pooled answer with a continuity
#   correction, the counterpart of Yates' test;
# * *arcsine*: Cohen's effect size h {cite:p}`cohen1988` on the arcsine-square-root scale, as in G*Power's
#   and statsmodels' power routines.

# %%
design = employment_power.published_design()
p_ips, p_tau = design_rates if design_rates is not None else (design["p_ips"], design["p_tau"])
power = design_power if design_power is not None else design["power"]
sizes = employment_power.sample_size_table(p_ips, p_tau, alpha=design["alpha"], power=power)
captioned(sizes.round(2), "Sample size per group for the planned difference in employment, by formula")

# %%
printed_n = int(published.value("ss.n_per_group"))
matching = sizes.loc[sizes["n_per_group"] == printed_n, "method"].tolist()
Markdown(
    f"Formula(s) giving the printed {printed_n} per group: **{', '.join(matching) or 'none'}**. "
    "The others ask for "
    f"{', '.join(f'{m} {n}' for m, n in zip(sizes['method'], sizes['n_per_group'], strict=True) if m not in matching)}."
)

# %% [markdown]
# **Reading it.** Only the simplest formula, with unpooled variances and no continuity
# correction, reproduces the printed number. It is also the least conservative: the
# test actually planned (Pearson's chi-squared) uses the pooled variance, and the
# pooled formulas ask for several more participants per group. So even the original
# target was at the optimistic end of the usual choices. The trial then analysed far
# fewer participants than planned, with unequal groups, and the control group's
# employment rate turned out much higher than the assumed one.
#
# The power of the paper's test (Pearson, or Fisher when an expected count is below 5)
# with the group sizes actually analysed at 12 months, first for the design's
# assumed difference and then for the difference observed: the normal approximation
# and a simulation of the test itself.

# %%
power_table = employment_power.power_on_data(p_ips, p_tau, table2, alpha=alpha, n_sim=n_sim, seed=seed)
captioned(power_table.round(3), "Power of the trial for the planned difference, analytic and simulated")

# %%
Markdown(employment_power.power_sentence(power_table))

# %% [markdown]
# Against the difference the trial was designed for, the smaller, unbalanced sample
# lost some power but kept most of it. Against a difference of the size actually
# observed, power is low: a non-significant result is what one should expect even if
# that difference were real. This is the arithmetic behind the paper's remark that
# the study was too small to be conclusive.
#
# The ledger row `ss.n_per_group` holds the answer of the formula named by
# `sample_size_formula` for the paper's design values; our own rows give every
# formula's answer.

# %%
ledger.emit(employment_power.sample_size_ledger(
    employment_power.sample_size_table(design["p_ips"], design["p_tau"], alpha=design["alpha"], power=design["power"]),
    method=sample_size_formula, bundled=ctx.comparison))

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("01_rq1_employment", "alpha", "0.10"))

# %% [markdown]
# What to try:
#
# * **Alpha.** Set `alpha = 0.10`: every interval narrows (the odds-ratio intervals,
#   the employment-rate intervals); does any odds-ratio interval now exclude 1? The
#   ledger's CI rows turn discrepant, since they no longer answer the paper's question.
# * **Continuity correction and exact tests.** Set `binary_test = "yates"` or `"fisher"`
#   and compare the P column of Table 2 with the paper's. Which follow-up moves most,
#   and why is it the one with the smallest expected count?
# * **Interval method.** Set `interval_method = "wald"` and redraw Figure 2: where does
#   the Wald interval differ most from Wilson's (hint: the smaller group, the more
#   extreme rate)?
# * **Sample size.** Set `design_rates = (0.5, 0.35)`, a difference closer to what the
#   trial observed, and see how many participants each formula asks for. Set
#   `sample_size_formula = "pooled"` to see the ledger flag the printed number.
# * **Your own data.** Point `data_path` at another trial file that follows
#   `data/README.md`; Table 2, the figures and the ledger describe that file, and the
#   historical comparison's second row puts its IPS arm against the registry controls.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-01-woolf
#
# A made-up trial employs 20 of 40 participants in one arm and 10 of 40 in the other, so
# $a = 20$, $c = 20$, $b = 10$, $d = 30$. Compute the odds ratio and its 95% {term}`Woolf`
# interval by hand.
# ```
#
# ```{solution} ex-01-woolf
# :class: dropdown
#
# $\mathrm{OR} = ad/(bc) = (20 \cdot 30)/(10 \cdot 20) = 3$, so $\log \mathrm{OR} = 1.099$.
# The standard error is $\sqrt{1/20 + 1/10 + 1/20 + 1/30} = 0.483$, and
#
# $$
# \exp(1.099 \pm 1.960 \times 0.483) = (1.16,\ 7.73).
# $$
#
# The interval excludes 1 but is far from symmetric around 3: it is symmetric on the
# log scale.
# ```
#
# ```{exercise}
# :label: ex-01-wald
#
# One participant of ten is employed. Compute the 95% Wald interval
# $\hat p \pm z\sqrt{\hat p(1 - \hat p)/n}$ and say what is wrong with it. Which
# interval does {numref}`fig-01-2` draw instead?
# ```
#
# ```{solution} ex-01-wald
# :class: dropdown
#
# $\hat p = 0.1$ and $\sqrt{0.1 \times 0.9 / 10} = 0.095$, so the Wald interval is
# $0.1 \pm 0.186 = (-0.086,\ 0.286)$: it reaches below 0, an impossible share. The
# figure draws the {term}`Wilson` interval (the `interval_method` parameter), here
# $(0.018,\ 0.404)$, which stays inside $[0, 1]$ and is not symmetric around $\hat p$.
# ```
#
# ```{exercise}
# :label: ex-01-size
#
# With the unpooled formula of the sample-size section, how many participants per group
# detect employment rates of 60% against 40% with two-sided $\alpha = 0.05$ and 80%
# power ($z_{0.975} = 1.960$, $z_{0.80} = 0.842$)?
# ```
#
# ```{solution} ex-01-size
# :class: dropdown
#
# $$
# n = \frac{(1.960 + 0.842)^2\,(0.6 \cdot 0.4 + 0.4 \cdot 0.6)}{(0.6 - 0.4)^2}
#   = \frac{7.851 \times 0.48}{0.04} = 94.2,
# $$
#
# so 95 per group, before any allowance for drop-out.
# ```
