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
# # 04 · What the trial can and cannot tell: the evidence behind "no significant difference"
#
# **The question.** The trial's primary result is a higher employment rate with IPS than
# with usual care at 12 months, with a confidence interval for the odds ratio that runs
# from well below 1 to far above it and a p-value well above .05. Read quickly, that is
# "IPS does not work". Read carefully, it is "this trial is too small to say". This page
# measures the difference between those two readings, from the data in use:
#
# 1. a **Bayesian re-analysis**: how probable a benefit, and a benefit as large as the
#    trial was planned to detect, are after the data, for a sceptic, a neutral reader and
#    an enthusiast;
# 2. the **reverse fragility index**: how few participants would have had to fare
#    differently for the result to be "significant";
# 3. a **tipping-point analysis** of the participants without a 12-month answer: does any
#    way they could have turned out change the conclusion?
# 4. **what the interval rules out**: the planned effect, a smaller one that would still
#    matter, and the size of trial the observed rates would have needed;
# 5. a **reverse-Bayes** reading (Matthews' Analysis of Credibility): what one would have
#    to believe beforehand for this result to be convincing.
#
# Every number here is our own: the paper prints none of them, so their ledger rows
# carry no status.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - say why a non-significant result from a small trial is not evidence of no effect;
# - state a sceptical, a neutral and an enthusiastic prior for an odds ratio and read the
#   posterior probability of benefit each gives;
# - compute a reverse fragility index and say what it does and does not measure;
# - read a confidence interval as the set of effects the data do not rule out;
# - find the prior an Advocacy Limit asks for.
# ```

# %% [markdown] tags=["bundled-data"]
# On the bundled file the counts come from the synthetic reconstruction, which was built
# to match the paper's Table 2, so the results describe the printed counts rather than
# the real participants.

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
# follow-up of the fragility, tipping-point, interval and credibility sections ("6m", "12m", "24m"); the primary is 12m
follow_up = "12m"
planned_or = None  # odds ratio the trial was planned to detect; None = the rates of the sample-size paragraph
sceptical_tail = (
    0.05  # the sceptical prior's probability of an OR above planned_or (and the enthusiastic prior's of an OR below 1)
)
neutral_prior = "jeffreys"  # neutral prior on each arm's rate: "jeffreys" (Beta(1/2, 1/2)) or "uniform" (Beta(1, 1))
important_rd = 0.10  # a smaller benefit that would still matter, as a risk difference: 0.10 = 10 percentage points
power_targets = (0.8, 0.9)  # powers for the sample size the observed rates would need

# %%
from IPython.display import Markdown

from ipsrep.analyses import employment, evidence
from ipsrep.methods import bayes
from ipsrep.methods.formatting import p_statement
from ipsrep.plots.evidence import posterior_figure, tipping_figure
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
level = 1 - alpha
Banner(ctx)

# %% [markdown]
# ## The result in question
#
# The comparison is research question 1's (page [01](01_rq1_employment.html)): the share of
# each group that had held a competitive job since baseline, among those who answered at
# each follow-up, tested by the paper's rule (Pearson's chi-squared, Fisher's exact test
# where an expected count is below 5), with the odds ratio and its {term}`Woolf` interval.
# On the bundled file the printed row stands above ours.

# %%
table2 = employment.employment_table(ctx.trial, level=level)
row = table2.set_index("follow_up").loc[follow_up]
captioned(employment.table2_display(table2, bundled=ctx.comparison),
          "Employment per group at each follow-up", paper="Table 2")

# %%
planned = evidence.planned_effect(planned_or)
Markdown(
    evidence.not_computed(row, "The comparison") if row["reason"] else
    f"At {follow_up}, {row['a']} of {row['n1']} IPS participants ({row['pct1']:.1f}%) and {row['b']} of "
    f"{row['n2']} TAU participants ({row['pct2']:.1f}%) had been employed: odds ratio {row['odds_ratio']:.2f} "
    f"({100 * level:g}% CI {row['ci_low']:.2f} to {row['ci_high']:.2f}), {p_statement(row['p'])}. The trial was "
    f"planned to detect an odds ratio of **{planned['odds_ratio']:.2f}** (a difference of "
    f"{100 * planned['rd']:.0f} percentage points; from {planned['source']})."
)

# %% [markdown]
# ## 1. A Bayesian re-analysis
#
# **Why.** A p-value answers "how surprising are these data if IPS made no difference?".
# A reader wants the reverse: "given these data, how likely is it that IPS helps, and by
# how much?". Bayes' theorem answers that, at the price of stating what one believed
# before the trial (the *prior*). Since readers differ, we give three priors, in the
# convention of Spiegelhalter, Freedman and Parmar {cite:p}`spiegelhalter1994`:
#
# * a **{term}`sceptical prior`**: centred on no effect (odds ratio 1), normal on the log
#   odds ratio, with only a `sceptical_tail` (5%) probability of an odds ratio above the
#   planned one. It stands for a reader who doubts that IPS, proven in severe mental
#   illness, carries over to chronic pain, as the paper itself allows for when it says
#   effects might be more moderate here;
# * a **neutral prior**: independent Jeffreys Beta(1/2, 1/2) priors on the two employment
#   rates (`neutral_prior`), which add half a participant's worth of information to each
#   arm; for the normal approximation, a flat prior on the log odds ratio;
# * an **enthusiastic prior**: centred on the planned odds ratio, with the sceptical
#   prior's spread, so that it gives a 5% probability to no benefit at all. It stands
#   for a reader who takes the earlier IPS trials, on which the sample size was
#   based, at face value.
#
# Under the two normal priors the control group's rate gets the neutral Beta prior. The
# table states each prior: its median odds ratio, the range holding 95% of its
# probability, and its probability of an odds ratio above the planned one.

# %%
captioned(bayes.prior_settings(planned["odds_ratio"], tail=sceptical_tail, neutral=neutral_prior).round(3),
          "The priors of the Bayesian re-analysis")

# %% [markdown]
# **Methods.** For the neutral prior the model is conjugate: each arm's employment rate
# has a Beta posterior, Beta(employed + 1/2, not employed + 1/2), and the two are
# independent. The posterior of the odds ratio and the risk difference then follows by
# integrating one Beta against the other. Under the two normal priors the exact binomial
# likelihood of both arms is multiplied by the prior and integrated numerically: the
# control rate by Gauss-Jacobi quadrature, the log odds ratio on a fine grid. No Monte
# Carlo sampling is involved, so every probability is the same to the last digit on every
# run. Beside each, the **normal approximation**: the log odds ratio's likelihood taken as
# normal with Woolf's standard error, combined with a normal prior, gives a normal
# posterior with precision $1/s^2 + 1/\sigma_0^2$ and a precision-weighted mean
# {cite:p}`spiegelhalter1994`. The columns give the posterior median and 95% {term}`credible interval`
# of the odds ratio, the probability of any benefit (OR > 1), the probability of a benefit
# at least as large as the planned one, and the same for the risk difference (in
# percentage points, exact computation only).

# %%
post = evidence.bayesian_reanalysis(table2, planned=planned, tail=sceptical_tail, neutral=neutral_prior, level=level)
captioned(evidence.bayes_display(post), "Posterior of the odds ratio of employment under each prior")

# %%
(Markdown(evidence.not_computed(row, "Figure 1")) if row["reason"] else
 posterior_figure(evidence.posterior_curves(table2, follow_up, planned=planned, tail=sceptical_tail,
                                            neutral=neutral_prior),
                  planned_or=planned["odds_ratio"], follow_up=follow_up))

# %% [markdown]
# *Figure 1. Posterior distribution of the odds ratio of employment under three priors.*
# Solid curves are the exact posteriors (binomial likelihood, numerical integration),
# dashed curves the normal approximation, dotted curves the sceptical and enthusiastic
# priors (the neutral prior is a pair of Beta priors on the rates and has no curve on this
# axis). The solid vertical line marks no effect, the dash-dotted one the odds ratio the
# trial was planned to detect; the axis is logarithmic.

# %%
p = post[(post["follow_up"] == follow_up) & (post["method"] == "exact")].set_index("prior")
Markdown(
    evidence.not_computed(row, "The Bayesian re-analysis") if row["reason"] else
    f"At {follow_up}, the posterior probability that IPS raises employment at all is "
    f"**{p.at['sceptical', 'p_or_above_1']:.0%}** for the sceptic, **{p.at['neutral', 'p_or_above_1']:.0%}** for "
    f"the neutral reader and **{p.at['enthusiastic', 'p_or_above_1']:.0%}** for the enthusiast; the probability "
    f"of a benefit as large as the planned odds ratio is {p.at['sceptical', 'p_or_above_planned']:.1%}, "
    f"{p.at['neutral', 'p_or_above_planned']:.1%} and {p.at['enthusiastic', 'p_or_above_planned']:.1%}."
)

# %% [markdown]
# **Reading it** (on the bundled counts; the numbers above are recomputed for any data).
# Two things hold at once. A benefit of some size is more likely than not under every
# prior, so "IPS does not work" is not what these data say. But a benefit as
# large as the one the trial was planned for is improbable under every prior, even the
# enthusiast's: the data pull the enthusiastic prior down towards the observed odds
# ratio. The trial is weak evidence for a modest benefit and fairly strong evidence
# against the large effect seen in severe mental illness.
#
# ### Teaching note: why the neutral posterior looks like the p-value
#
# With a flat prior on the log odds ratio and the normal approximation, the posterior is
# the likelihood itself, $N(\hat\psi, s^2)$, so the probability of benefit is
# $\Phi(\hat\psi / s)$, and the one-sided p-value of the Wald test is $1 - \Phi(\hat\psi/s)$.
# Hence $P(\mathrm{OR} > 1) \approx 1 - p/2$ for a two-sided p: a p-value far above .05 can
# still mean a probability of benefit well above one half for a reader with no prior
# opinion, not "no effect".
# The exact and approximate columns agree to about a percentage point here; they part
# company when a cell count is small (try the 6-month rows, or a trial with very few
# events), because the normal approximation of a log odds ratio needs a few events in
# every cell.

# %%
ledger.emit(evidence.bayes_ledger(post, bundled=ctx.comparison))

# %% [markdown]
# ## 2. How fragile is "not significant"?
#
# **Methods.** The {term}`fragility index` of Walsh et al. {cite:p}`walsh2014` counts the
# participants whose outcome would have to be different for a significant result to lose
# its significance. Its mirror for a non-significant result, the reverse fragility index
# {cite:p}`khan2020`, counts the changes needed to *reach* significance. We search every
# table with the same group sizes and take the one nearest the observed table (each step
# is one participant counted employed instead of not employed, or the reverse), testing
# every candidate by the paper's own rule: Pearson's chi-squared without continuity
# correction, Fisher's exact test where an expected count is below 5. Walsh and Khan
# changed outcomes in one arm only, and the answer depends on that choice
# {cite:p}`lin2021fragility`, so the one-arm searches stand beside the search over both arms.
# The fragility quotient divides the index by the number analysed.

# %%
frag = evidence.fragility_table(table2, alpha=alpha)
captioned(frag.round(4), "Fragility: how many outcomes would have to change for p to cross alpha")

# %%
f = frag[(frag["follow_up"] == follow_up) & (frag["search"] == "either arm")].iloc[0]
Markdown(
    evidence.not_computed(row, "The fragility index") if row["reason"] else
    f"At {follow_up} the reverse fragility index is **{f['index']:.0f}** (fragility quotient "
    f"{f['quotient']:.3f}, i.e. {f['index']:.0f} of {f['n1'] + f['n2']} participants analysed): with "
    f"{f['a_new']:.0f}/{f['n1']} IPS and {f['b_new']:.0f}/{f['n2']} TAU participants employed instead of "
    f"{f['a']}/{f['n1']} and {f['b']}/{f['n2']}, the test would have given {p_statement(f['p_new'])}."
    if f["direction"] == "reverse" else
    f"At {follow_up} the result is significant; its fragility index is **{f['index']:.0f}** "
    f"(quotient {f['quotient']:.3f})."
)

# %% [markdown]
# **Reading it** (on the bundled counts). A handful of participants stands between this
# trial and a "significant" headline, about as many as did not answer at some follow-ups. That is
# not evidence for IPS: it says the same thing as the wide interval, in participants
# instead of odds ratios. A small index in either direction means the significance
# verdict is a coin that a few outcomes could flip, and should carry little weight on its
# own.

# %%
ledger.emit(evidence.fragility_ledger(frag, bundled=ctx.comparison))

# %% [markdown]
# ## 3. The participants without an answer
#
# **Methods.** Some participants in the analysed sample did not answer the employment
# question at this follow-up (the paper's valid percentages leave them out). A
# {term}`tipping-point analysis` asks how they would have had to answer to change the
# conclusion. Since there are few, we need no imputation model: we test every completion,
# from none to all of each arm's missing participants employed, by the paper's rule.
# The participants who withdrew after randomisation are not in the data file and are not
# part of this grid.

# %%
captioned(evidence.missing_outcomes(ctx.trial, follow_up), "Participants without an employment answer, per group")

# %%
grid = evidence.tipping_point(ctx.trial, follow_up, alpha=alpha)
(Markdown(evidence.not_computed(row, "The tipping-point analysis")) if row["reason"] else
 tipping_figure(grid, alpha=alpha, observed_p=row["p"], follow_up=follow_up))

# %% [markdown]
# *Figure 2. Every way the missing answers could have turned out.* Each cell is one
# completed data set: columns count the IPS participants without an answer who were
# in fact employed, rows the same for TAU; the cell gives the paper's-rule p and the odds
# ratio had everyone answered. Red cells would have reached p < `alpha` and overturned the
# paper's conclusion of no significant difference; every other colour keeps it.

# %%
tip = evidence.tipping_summary(grid)
captioned(tip.round(4), "Best and worst cases for the missing employment outcomes")

# %%
best, worst = tip.set_index("case").loc["best case for IPS"], tip.set_index("case").loc["worst case for IPS"]
n_sig = int(grid["significant"].sum())
observed_sig = bool(row["p"] < alpha)
n_changed = int((grid["significant"] != observed_sig).sum())
Markdown(
    evidence.not_computed(row, "The tipping-point analysis") if row["reason"] else
    f"Of the {len(grid)} possible completions, **{n_sig}** reach p < {alpha:g}. In the best case for IPS "
    f"(every missing IPS participant employed, no missing TAU participant) the odds ratio would be "
    f"{best['odds_ratio']:.2f} with {p_statement(best['p'])}; in the worst case {worst['odds_ratio']:.2f} with "
    f"{p_statement(worst['p'])}. "
    + (f"No way of filling in the missing answers, however favourable, changes the verdict of the answers we have "
       f"({'significant' if observed_sig else 'no significant difference'})."
       if n_changed == 0 else
       f"{n_changed} of them would change the verdict of the answers we have "
       f"({'significant' if observed_sig else 'no significant difference'}); the figure shows which.")
)

# %%
ledger.emit(evidence.tipping_ledger(grid, tip, follow_up, bundled=ctx.comparison))

# %% [markdown]
# ## 4. What the interval rules out
#
# **Methods.** A 95% confidence interval holds every effect that a two-sided test at 5%
# would not reject; an effect outside it is "ruled out" at that level. We read the
# odds-ratio interval (Woolf's, as the paper) and an interval for the risk difference
# (Newcombe's hybrid score interval {cite:p}`newcombe1998`, which behaves well in groups
# this small) against four effects: the **planned** effect; a **smaller effect that would
# still matter**, set by `important_rd` at 10 percentage points (one more person in work
# for every ten offered IPS, a number needed to treat of 10: for people on long-term
# benefits, a gain of that size would be worth an employment service's cost, and it is
# about a quarter of the planned difference), turned into an odds ratio at the observed
# control rate; **no effect**; and **harm** of the important size. To claim that IPS makes
# no important difference (equivalence), the whole interval would have to lie between
# the harm and the benefit of the important size.

# %%
reading = evidence.interval_reading(row, planned=planned, important_rd=important_rd, level=level)
captioned(reading.round(3), "Effects the confidence interval of the odds ratio includes or rules out")

# %%
Markdown(evidence.not_computed(row, "The reading of the interval") if row["reason"] else
         evidence.reading_sentence(reading))

# %% [markdown]
# **Reading it** (on the bundled counts). The planned effect sits at the very edge of what
# the data allow: just inside the odds-ratio interval and just outside the risk-difference
# one. Two reasonable scales give opposite verdicts on the effect the trial was designed
# to find, which is itself the lesson: a trial this small cannot separate "the effect we
# hoped for" from "no effect" from "a smaller effect that still matters". All three are
# compatible with the data.
#
# ### The trial that would have settled it
#
# Had the observed rates been the true ones, how many participants per group would a
# trial need to detect the difference with the paper's test? (Fleiss' pooled formula,
# the one whose test is Pearson's chi-squared; page [06](07_audit.html) §5, *How large a
# trial would settle it*, sets this beside the other formulas and a simulation of the
# test itself, and shows the power the trial actually had.)

# %%
sizes = evidence.needed_sample_size(row, alpha=alpha, powers=power_targets)
captioned(sizes.round(2), "Sample size per group that would have detected the observed difference")

# %%
Markdown(evidence.sample_size_sentence(sizes, row, follow_up))

# %% [markdown]
# ## 5. Reverse Bayes: what would make the result credible?
#
# **Methods.** The {term}`Analysis of Credibility` {cite:p}`matthews2018` runs Bayes'
# theorem backwards: instead of choosing a prior and computing the posterior, it asks
# which prior would make the posterior interval just touch "no effect". For a
# *significant* result that is the Scepticism Limit: the sceptical prior needed to
# overturn it. A sceptical prior can never make a *non-significant* result significant,
# because it only pulls the estimate further towards 1; the question becomes the
# Advocacy Limit (AdL): how large an effect prior evidence would have to support (a prior
# whose 95% range runs from no effect to AdL) for the combined evidence to show a benefit.
# With logged interval bounds $l < 0 < u$, $\log \mathrm{AdL} = -(u + l)(u - l)^2 / (2ul)$.

# %%
cred = evidence.credibility(row)
enthusiast = post[
    (post["follow_up"] == follow_up) & (post["prior"] == "enthusiastic") & (post["method"] == "exact")
].iloc[0]
Markdown(
    evidence.not_computed(row, "The Analysis of Credibility") if row["reason"] else
    f"The {follow_up} interval is not significant, and its Advocacy Limit is an odds ratio of **{cred['limit']:.1f}**: "
    f"the result becomes credible evidence of a benefit only for a reader whose prior evidence already put 95% of "
    f"its weight on odds ratios between 1 and {cred['limit']:.1f} (a prior centred on {cred['prior_mean_or']:.2f}). "
    f"For comparison, the enthusiastic prior of section 1, centred on the planned {planned['odds_ratio']:.2f} but "
    f"less certain, leaves a posterior interval from {enthusiast['or_low']:.2f} to {enthusiast['or_high']:.2f}."
    if not cred["significant"] else
    f"The {follow_up} interval is significant, and its Scepticism Limit is an odds ratio of **{cred['limit']:.2f}**: "
    f"the result stays credible unless prior evidence makes effects beyond that implausible."
)

# %%
ledger.emit(evidence.interval_ledger(reading, sizes, cred, follow_up, bundled=ctx.comparison))

# %% [markdown]
# **Reading it.** For the result to count as evidence that IPS works in chronic pain, a
# reader would already have to believe that effects as large as those in severe mental
# illness are plausible here. The trial itself does not supply that belief; the earlier
# trials do, if one accepts that they carry over. The honest summary is the paper's own
# closing sentence: a larger trial is needed.
#
# ## Summary

# %%
frag_row = frag[(frag["follow_up"] == follow_up) & (frag["search"] == "either arm")].iloc[0]
Markdown(
    evidence.not_computed(row, "Every analysis of this page") if row["reason"] else
    f"* **Posterior probability of any benefit at {follow_up}** (exact): sceptical "
    f"{p.at['sceptical', 'p_or_above_1']:.0%}, neutral {p.at['neutral', 'p_or_above_1']:.0%}, enthusiastic "
    f"{p.at['enthusiastic', 'p_or_above_1']:.0%}; of a benefit at least the planned OR {planned['odds_ratio']:.2f}: "
    f"{p.at['sceptical', 'p_or_above_planned']:.1%}, {p.at['neutral', 'p_or_above_planned']:.1%}, "
    f"{p.at['enthusiastic', 'p_or_above_planned']:.1%}.\n"
    f"* **{'Reverse f' if frag_row['direction'] == 'reverse' else 'F'}ragility index**: {frag_row['index']:.0f} "
    f"(quotient {frag_row['quotient']:.3f}).\n"
    f"* **Missing answers**: {n_sig} of {len(grid)} completions reach p < {alpha:g} "
    f"(best case for IPS: {p_statement(best['p'])}).\n"
    f"* **What the interval rules out**: "
    + "; ".join(f"{e}: {v}" for e, v in zip(reading["effect"], reading["verdict"], strict=True)) + ".\n"
    f"* **Credibility**: {cred['kind']} limit, odds ratio {cred['limit']:.2f}."
)

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("04_evidence", "sceptical_tail", "0.01"))

# %% [markdown]
# * **A harsher sceptic.** Set `sceptical_tail = 0.01`: the sceptic now gives a 1% chance
#   to the planned effect. How far does the probability of benefit fall? Why does the
#   enthusiast move too?
# * **A more modest plan.** Set `planned_or = 2.5`, closer to what the trial observed.
#   The priors shrink with it; which prior's probability of benefit changes most?
# * **Another neutral prior.** Set `neutral_prior = "uniform"`: one participant's worth of
#   prior information per arm instead of half. Does any probability move by more than a
#   percentage point?
# * **What matters.** Set `important_rd = 0.05` or `0.20` and reread section 4.
# * **Another follow-up.** Set `follow_up = "24m"`: the reverse fragility index, the
#   tipping-point grid and the Advocacy Limit for the longer-term result.
# * **Your own data.** Point `data_path` at another trial file that follows
#   `data/README.md`; every number on this page is recomputed from it.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-04-flat
#
# A made-up trial employs 30 of 50 participants with the new service and 20 of 50 with usual
# care. Using the normal approximation with a flat prior on the log odds ratio, compute the
# posterior probability that the service helps, and compare it with the two-sided Wald p-value.
# ```
#
# ```{solution} ex-04-flat
# :class: dropdown
#
# $\mathrm{OR} = (30 \cdot 30)/(20 \cdot 20) = 2.25$, $\log \mathrm{OR} = 0.811$, and
# $s = \sqrt{1/30 + 1/20 + 1/20 + 1/30} = 0.408$. The posterior is $N(0.811, 0.408^2)$, so
# $P(\mathrm{OR} > 1) = \Phi(0.811/0.408) = \Phi(1.99) = 0.977$. The two-sided Wald p is
# $2\{1 - \Phi(1.99)\} = 0.047$: with a flat prior, $P(\text{benefit}) = 1 - p/2$. A p just
# under .05 is a 97.7% probability of benefit, and a p of .30 still an 85% probability.
# ```
#
# ```{exercise}
# :label: ex-04-adl
#
# A trial reports an odds ratio with 95% interval 0.70 to 3.0. Compute its Advocacy Limit,
# and describe the prior it calls for.
# ```
#
# ```{solution} ex-04-adl
# :class: dropdown
#
# $l = \log 0.7 = -0.357$, $u = \log 3 = 1.099$, so
#
# $$
# \log \mathrm{AdL} = -\frac{(u + l)(u - l)^2}{2ul} = -\frac{0.742 \times 2.118}{2 \times (-0.392)} = 2.005,
# $$
#
# and $\mathrm{AdL} = 7.4$. The result is credible evidence of benefit only for a reader whose
# prior puts 95% of its weight on odds ratios between 1 and 7.4 (centred on
# $\sqrt{7.4} = 2.7$), that is, who already believed in a sizeable benefit.
# ```
#
# ```{exercise}
# :label: ex-04-fragility
#
# Why is the reverse fragility index over both arms never larger than the index found by
# changing outcomes in one arm only? Can it be smaller?
# ```
#
# ```{solution} ex-04-fragility
# :class: dropdown
#
# Every one-arm change is also a change in "either arm", so the minimum over the larger
# set of tables cannot exceed the minimum over the smaller one. It is smaller when moving
# one participant in each arm closes the gap faster than moving two in one arm; for a
# small arm, each participant moves its rate a lot, so the cheapest changes are usually
# there (compare the rows of the fragility table).
# ```
