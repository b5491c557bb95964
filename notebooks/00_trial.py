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
# # 00 · The trial and its participants
#
# **The question.** Can a job-support service built for people with severe mental
# illness help people with long-lasting pain back into ordinary paid work? The
# *IPS in Pain* trial (Sveinsdottir et al., *Pain Medicine* 2022; registered as
# NCT02697656) tested this at the tertiary pain clinic of Oslo University Hospital.
# Adults of working age who were out of work -- on long sick leave, on a work-capability
# or disability benefit, or unemployed -- and who said they wanted a job were allocated
# at random to one of two arms:
#
# * **IPS**: the clinic's interdisciplinary pain treatment *plus* an employment
#   specialist working by the Individual Placement and Support model (rapid search for
#   a regular job matching the person's wishes, support continuing after hiring, close
#   contact with the treatment team);
# * **TAU**: the same pain treatment alone (treatment as usual), with written advice on
#   work and benefits.
#
# The primary outcome is whether a participant held any competitive job at some point
# during the first year; employment was also asked about at 6 and 24 months. Health
# questionnaires (disability, quality of life, distress, pain) were filled in at
# baseline, 6 and 12 months.
#
# This first notebook describes *who* was studied: how participants moved through the
# trial (the flow diagram), who is missing at each follow-up, and what the two groups
# looked like at the start (Table 1 of the paper), recomputed from the participant-level
# data in use. It starts with what the sources say about the trial's setting, in our
# words (`data/sources/statements.csv`); the numbers in these statements are in
# `data/published/` and, where another source restates them, checked on the
# [claims page](08_claims.html).

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - read a participant flow and count who is analysed at each visit;
# - choose between Pearson's chi-squared and Fisher's exact test, and between Student's and
#   Welch's t test, by the paper's rules;
# - say what a baseline p-value in a randomised trial does and does not tell you.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
levene_alpha = 0.05  # Levene p below which a t test row switches to Welch
binary_test = "rule"  # "rule" (the paper's: exact p if an expected count < 5), or "pearson", "fisher", "yates"
t_test = "rule"  # "rule" (our reading: Student or Welch by Levene's test), or force "student" or "welch"
randomised = None  # participants randomised, for data other than the bundled file
withdrew = None  # participants who withdrew after randomisation, likewise

# %%
from IPython.display import Markdown

from ipsrep.analyses import attrition, baseline, claims, flow
from ipsrep.inputs import published
from ipsrep.plots.flow import flow_figure
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
Banner(ctx)

# %% [markdown]
# ## The trial in its setting
#
# **Why it was run.** The Introduction sets out the burden of chronic pain on work in
# Norway; the Norwegian summary adds a claim about the mental health of Norwegian pain
# patients that rests on another study (claim N25 on the claims page, not checkable):

# %%
Markdown(claims.statements_markdown(["T26", "N10"]))

# %% [markdown]
# **Who could take part, when, and how they were allocated.** Recruitment, eligibility
# and allocation as the paper's Methods give them. The allocation ratio changed during
# recruitment, and the paper does not say how many participants were allocated under
# each ratio; the withdrawals table below shows what the group sizes allow. Then the
# two arms: IPS as the paper defines it (its eight principles, the team meetings, and
# integration with pain treatment rather than mental health care) and usual care in full.

# %%
Markdown(claims.statements_markdown(["T03", "T29", "T04", "T05", "T08", "T09", "T30", "T31", "T32"]))

# %% [markdown]
# **How faithfully IPS was delivered.** The fidelity reviews as the paper reports them,
# beside the Norwegian summary's description of the same reviews (the scores are
# checked against their printed mean in the audit, notebook 06):

# %%
Markdown(claims.statements_markdown(["T07", "N02"]))

# %% [markdown]
# **Ethics and interests.** The approvals and safeguards the paper names; it declares one
# competing interest, and the pilot's job support was given by a specialist identified
# by the same initials:

# %%
Markdown(claims.statements_markdown(["T28", "T01", "T02", "P03"]))

# %% [markdown]
# ## Participant flow
#
# A participant-level file can only describe the people in it. The trial file holds
# the analysed sample, so the two earliest steps of the flow -- how many people were
# randomised and how many withdrew afterwards -- are taken from the paper's Results
# when the bundled reconstruction is in use (and from the `randomised` / `withdrew`
# parameters otherwise). Everything below them is counted from the data: the size of
# each group and, at every visit, how many participants answered the employment
# question, reported hours worked and filled in the health questionnaires. A
# questionnaire box gives a range when the instruments were answered by different
# numbers of people.

# %%
if ctx.bundled:
    randomised, withdrew = published.value("flow.randomised"), published.value("flow.withdrew")
trunk = flow.participant_flow(ctx.trial, randomised=randomised, withdrew=withdrew)
summary = flow.follow_up_summary(ctx.trial)
flow_figure(trunk, summary)

# %% [markdown]
# *Figure 1. Participant flow, from randomisation to the last follow-up.* The two top
# boxes come from the paper on the bundled data (from the `randomised` and `withdrew`
# parameters otherwise); each box below the analysed sample counts, for its group and
# visit, who answered the employment item, the hours item and the questionnaires, with
# the share of the group in brackets (a range when instruments differ).

# %% [markdown] tags=["bundled-data"]
# On the bundled file these counts describe synthetic participants, rebuilt from the
# paper's summaries.

# %% [markdown]
# The trunk is internally consistent when the randomised count minus the withdrawals
# equals the analysed count:

# %%
Markdown(trunk.describe())

# %% [markdown]
# ### Completeness of the primary outcome
#
# The paper judges follow-up on the primary outcome by the share of each group that
# answered at each follow-up. Response rates are shown per group and pooled; the
# lowest and highest of the six group-wise rates are what the ledger compares with the
# range the paper gives in its Discussion.

# %%
rates = flow.primary_response_rates(ctx.trial)
captioned(rates.round({"response_pct": 1}), "Respondents among the participants analysed, per visit and group")

# %% [markdown]
# Health questionnaires were answered far less completely than the employment
# question. The table gives, per group and visit, the smallest and largest number of
# respondents over the nine health scores (ODI, EQ-VAS, HSCL-25 with its two
# subscales, and the four BPI ratings).

# %% [markdown] tags=["bundled-data"]
# On the bundled reconstruction the HSCL-25 total is not tied to its subscales per
# participant (the trial's total is (10 x anxiety + 15 x depression) / 25; the synthetic
# file keeps each printed row but the identity for almost no one:
# `data/reconstructed/README.md`), so nothing should combine the total with a subscale
# on the same participants there.

# %%
captioned(summary.query("domain == 'questionnaires'").round({"pct_min": 1, "pct_max": 1}).reset_index(drop=True),
          "Respondents to the questionnaires: the range across items, per group and visit")

# %% [markdown]
# ## Attrition: who is missing, per arm and visit
#
# **Intention to treat, and those who left.** The paper analyses participants by the arm
# they were randomised to, but those who withdrew after randomisation are in no analysis,
# and the text does not say from which arm they came:

# %%
Markdown(claims.statements_markdown(["T06", "T23"]))

# %% [markdown]
# Every way the withdrawals could split between the arms, with the share of the
# randomised that each split puts in IPS (half under a 1:1 allocation throughout, two
# thirds under 2:1 throughout). Whatever the split, IPS holds more than half of those
# randomised, which the early 2:1 phase (or chance) must explain; the sources do not
# say which split happened. The table is empty on data for which the `randomised` and
# `withdrew` parameters are not given.

# %%
captioned(attrition.withdrawal_table(trunk).round({"ips_share": 1}), "Withdrawals per group, and the IPS share of them")

# %% [markdown]
# **Missing answers among the analysed.** Per arm and visit: the analysed, those who
# answered, those missing and the response rate, for the employment question (the
# primary outcome), the hours item and the health questionnaires (for these, the fewest
# answers over the nine scores; `answered_range` gives the spread). The paper gives
# only the range of the employment response rates and says the secondary outcomes had
# relatively low response.

# %%
captioned(attrition.missing_by_visit(ctx.trial).round({"response_pct": 1}),
          "Answered and missing, per group, visit and domain")

# %% [markdown]
# Which employment follow-ups each participant answered, per arm:

# %%
captioned(attrition.missing_patterns(ctx.trial), "Which follow-up visits participants answered, per group")

# %% [markdown] tags=["bundled-data"]
# **What the reconstruction assumes about who is missing.** The paper fixes how many
# answered per arm and visit, not who. For the employment question the bundled
# reconstruction draws who is missing at random (`data/reconstructed/README.md`): it
# assumes that whether a participant answered has nothing to do with who they are, the
# strongest of the usual assumptions (missing completely at random). For the health
# questionnaires it draws one response order per arm and visit among that follow-up's
# employment respondents, so a participant answers all of a visit's questionnaires or
# none, except where the printed n differ between measures (the respondent sets are
# nested: who answered a less-answered measure answered the others). Which respondent
# holds which score is then chosen by a search that makes the mixed models of Table 4
# refit as printed, but the search does not choose who answered: who is missing a
# health score is drawn at random, as for the employment question. The table compares, at the primary
# 12-month follow-up, the baseline characteristics of those who answered the employment
# question with those who did not. On the bundled file these are synthetic participants,
# so any difference is the chance of that random draw and says nothing about the
# trial's real non-respondents; on a real trial file the same table is a first look at
# whether non-response was selective. With two or three missing per arm it is
# descriptive only.

# %% [markdown] tags=["other-data"]
# **Who is missing.** The table compares, at the primary 12-month follow-up, the
# baseline characteristics of those who answered the employment question with those
# who did not: a first look at whether non-response was selective (descriptive only
# when few are missing).

# %%
captioned(attrition.answered_vs_missing(ctx.trial, "employed_12m").round(1),
          "Baseline traits of those with and without an employment answer at 12 months")

# %% [markdown]
# The paper handles missing health data with mixed models estimated by maximum
# likelihood (notebook 03), which assume answers are missing at random given what was
# observed; the primary outcome's gaps were filled by telephone and, in the IPS arm
# only, from the specialists' logbooks, a source the control arm did not have.

# %% [markdown]
# ## The paper's Table 1: the groups at baseline
#
# **Methods.** For a yes/no characteristic we count the participants with it and give
# the *valid percent*: the denominator is the number of the group's participants who
# answered that item, not the group size, so percentages for items with gaps rest on
# fewer people (the paper's footnote to Table 1 says the same). The benefit types are
# shares of those receiving any benefit. "Above cutoff" means a baseline HSCL-25 mean of
# 1.75 or more, the cutoff for psychological distress that the paper takes from
# Strand et al. 2003 (its ref. 25). Continuous characteristics are given as mean and standard
# deviation (SD, with n - 1 in the denominator) over the respondents.
#
# The paper names Pearson chi-squared and independent-samples t tests for Table 1 and,
# in its footnote, Fisher's exact p where expected counts were below 5; it used SPSS and
# Stata without saying which ran these tests. We apply the chi-squared rule as stated,
# to the data in use: a 2x2 Pearson chi-squared without continuity correction, switched
# to Fisher's exact test when the table has an expected count below 5. For the t tests
# the paper does not say which line of SPSS's output it printed; our reading, which we
# apply project-wide with `levene_alpha`, takes the Welch line when Levene's test
# rejects equal variances and the Student line otherwise (notebook 06 checks which line
# fits each printed p). The paper prints p-values for some rows only; we compute one
# wherever a test is possible and leave the *P paper* cell empty where nothing was
# printed.

# %%
t1 = baseline.table1(ctx.trial, levene_alpha=levene_alpha, binary_test=binary_test, t_test=t_test)
captioned(baseline.side_by_side(t1, bundled=ctx.comparison), "The groups at baseline", paper="Table 1")

# %%
tested = t1[~t1["test"].isin(["", "none"])]
Markdown(
    f"Rows tested: {len(tested)}; with p < {alpha:g}: {int((tested['p'] < alpha).sum())}. "
    f"Tests used: {', '.join(f'{k} ({v})' for k, v in tested['test'].value_counts().items())}."
)

# %% [markdown] tags=["bundled-data"]
# **Reading the table.** On the bundled data every cell of the *data* columns should
# round to the printed cell beside it, except where the paper's own numbers rule that
# out (see the check before the ledger): the reconstruction was built to match the
# paper's summaries, so this is a check of the reconstruction and of our reading of the
# paper's methods (denominators, cutoff, test choice), not independent evidence about
# the trial.

# %% [markdown]
# Where a percent falls exactly halfway between two printable values (a
# count of 6 out of 32, say, is 18.75%), the paper's software and Python may round it
# in different directions; the ledger accepts either.
#
# ### Teaching note: chi-squared or Fisher?
#
# Pearson's statistic sums $(O - E)^2 / E$ (observed count $O$, expected count $E$) over the four cells of

# the 2x2 table, the expected counts being what the margins imply if group and
# characteristic were unrelated. Its p-value comes from the chi-squared distribution
# with one degree of freedom, a large-sample approximation. The approximation is poor
# when some expected counts are small, and the classic rule of thumb (Cochran 1954)
# asks for all of them to be at least 5. Fisher's exact test avoids the approximation:
# holding both margins fixed, it adds up the hypergeometric probabilities of every
# table at least as unlikely as the one observed. It tends to be conservative (its p is
# usually the larger of the two), which is why it is kept for sparse tables. When a
# characteristic is very common in both groups, as psychological distress above the
# cutoff is here, the "not above" column holds only a few people, and its expected
# counts drop below 5 even in a trial of this size.
#
# The table below puts the two p-values side by side with the smallest expected count,
# so you can see where the rule switched and how much it mattered. Rows with no printed
# p (receiving a benefit, the benefit types, time out of work) are sparse too; we
# apply the same rule to them.

# %%
captioned(baseline.alternatives(t1, "binary").round(4),
          "Baseline proportions: Pearson chi-squared and Fisher's exact p side by side")

# %% [markdown]
# ### Teaching note: Student or Welch?
#
# Student's t test pools the two groups' variances into one. That is efficient when the
# variances are equal, but with unequal group sizes (here roughly two to one) it is
# biased when they are not: if the smaller group has the larger spread, the pooled
# test rejects too often. Welch's test keeps the variances apart and adjusts the degrees
# of freedom, and loses little when they happen to be equal. SPSS prints both lines
# next to Levene's test of equal variances, and the customary reading picks the line by
# Levene's p. That two-stage habit is itself criticised (the preliminary test has low
# power in small samples and changes the error rate of the final test; Zimmerman 2004;
# Delacre, Lakens and Leys 2017), and many statisticians now recommend Welch by default.
# We follow the habit as our reading of what the paper's software invites (the paper
# does not say it did) and show both p-values.

# %%
captioned(baseline.alternatives(t1, "continuous").round(4), "Baseline means: Student and Welch t-test p side by side")

# %% [markdown]
# ### Teaching note: why test baseline differences at all?
#
# CONSORT advises against significance tests of baseline characteristics. Under
# randomisation every baseline difference is a chance difference by design, so
# these p-values answer a question whose answer is known; what matters is whether an
# imbalance is large enough to affect the outcome
# (Altman 1985; Moher et al. 2010, CONSORT explanation of item 15).

# %% [markdown]
# ## What the paper says it could not know
#
# The Discussion's methodological considerations, in our words: the sample fell short
# of the plan, the historical comparison is not like for like, nobody counted how many
# patients were screened or declined, and the secondary outcomes had low response.

# %%
Markdown(claims.statements_markdown(["T19", "T20", "T21", "T22"]))

# %% [markdown]
# ## Ledger
#
# Every number printed in Table 1 and the flow numbers that can be counted from the
# data, compared with the paper (on the bundled reconstruction, and on other data with
# `ipsrep build --compare-with-paper`; otherwise the *published* and *status* columns
# stay empty and the values describe that data).
# Randomised and withdrawn counts are not listed: they are read from the paper, not
# computed. The attrition rows (`attrition.*`) are our own quantities: the paper prints
# no response rate per arm and visit.

# %% [markdown]
# One check needs no data at all. A printed percent is its count divided by a whole
# number of respondents, so for each count/percent pair of Table 1 we ask whether *any*
# denominator up to the group size reproduces the printed percent. Pairs for which none
# does are contradictions within the paper; the ledger marks them
# `source_inconsistent` rather than blaming the data:

# %%
captioned(baseline.percent_inconsistencies()[["key", "count", "printed", "nearest_n", "nearest_pct", "note"]],
          "Printed percentages that no whole count of respondents gives, with the nearest ones")

# %%
status, notes = baseline.ledger_annotations() if ctx.comparison else ({}, {})
missing_values, missing_quantities = attrition.attrition_ledger_values(ctx.trial)
ledger.emit(
    ledger.compare(baseline.printed_table1_values(t1, ctx.trial), bundled=ctx.comparison, status=status, notes=notes,
                   **baseline.table1_hints(t1)),
    ledger.compare(flow.flow_ledger_values(ctx.trial), bundled=ctx.comparison),
    ledger.compare(missing_values, quantities=missing_quantities, bundled=ctx.comparison),
)

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("00_trial", "t_test", "welch"))

# %% [markdown]
# What to try:
#
# * Set `t_test = "welch"` (or `"student"`) to use one t test for every continuous row,
#   and compare the *P data* column and the ledger statuses with the default. Which rows
#   move, and does any p cross `alpha`?
# * Set `binary_test = "pearson"` and look at the HSCL cutoff row: how far does the
#   chi-squared p drift from the exact one when the expected counts are this small?
# * Lower `levene_alpha` to 0.01 or raise it to 0.5 and watch the *Test* column: the
#   preliminary test decides which line you read.
# * Point `data_path` at your own trial file (see `data/README.md`), with `randomised`
#   and `withdrew` from your own flow records: the same flow diagram and Table 1 are
#   produced, and the ledger lists your values under the same keys.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-00-rule
#
# A baseline characteristic is present in 3 of 30 participants in one group and 1 of 30
# in the other. Which test does the paper's rule choose for this row, and why? (The
# expected count of a cell is its row total times its column total over the grand total.)
# ```
#
# ```{solution} ex-00-rule
# :class: dropdown
#
# Four participants have the characteristic, so each group is expected to hold
# $30 \times 4 / 60 = 2$ of them. An expected count below 5 makes the chi-squared
# approximation unreliable, so the rule uses Fisher's exact test.
# ```
#
# ```{exercise}
# :label: ex-00-baseline
#
# In a randomised trial, what question does a p-value for a baseline difference answer,
# and what should a reader look at instead to judge whether an imbalance matters?
# ```
#
# ```{solution} ex-00-baseline
# :class: dropdown
#
# It gives how often a difference at least this large would arise if allocation alone
# separated the groups, and randomisation makes that true by design: every baseline
# difference of a properly run trial *is* chance, so a small p flags a surprise, not a
# bias, and a large p does not show the groups are alike. What matters is the size of
# the difference and how strongly the characteristic predicts the outcome; a large
# imbalance in a strong predictor can bias an unadjusted comparison even with a large p.
# ```
#
# ```{exercise}
# :label: ex-00-flow
#
# Use {numref}`fig-00-1`. At which visit are the most randomised participants missing,
# and why is an analysis restricted to those seen at that visit no longer an
# {term}`intention to treat` analysis in the strict sense?
# ```
#
# ```{solution} ex-00-flow
# :class: dropdown
#
# Read the difference between the randomised and the analysed counts in each arm at each
# visit of the figure. An analysis of those seen keeps everyone in their randomised arm,
# but drops people whose absence may depend on the arm and on the outcome; intention to
# treat in the strict sense analyses everyone randomised, which needs their outcome or a
# model that uses every observation they gave. The mixed models of notebook 03 do that
# for the 58 analysed, but the nine who withdrew after randomisation are in no analysis,
# so even they are not intention to treat in the strict sense.
# ```
