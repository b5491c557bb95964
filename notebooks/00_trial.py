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
# trial (the flow diagram) and what the two groups looked like at the start (Table 1 of
# the paper), recomputed from the participant-level data in use.

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
levene_alpha = 0.05  # Levene p below which a t test row switches to Welch
binary_test = "paper"  # "paper" (exact p if an expected count < 5), "pearson" or "fisher"
t_test = "paper"  # "paper" (Student or Welch by Levene's test), "student" or "welch"
randomised = None  # participants randomised, for data other than the bundled file
withdrew = None  # participants who withdrew after randomisation, likewise

# %%
from IPython.display import Markdown, display

from ipsrep.analyses import baseline

from ipsrep.analyses import flow

from ipsrep.report import ledger

from ipsrep.inputs import published
from ipsrep.report.context import Banner, setup
from ipsrep.plots.flow import flow_figure

ctx = setup(data_path)
Banner(ctx)

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
# the share of the group in brackets (a range when instruments differ). On the bundled
# file these counts describe synthetic participants, rebuilt from the paper's summaries.

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
rates.round({"response_pct": 1})

# %% [markdown]
# Health questionnaires were answered far less completely than the employment
# question. The table gives, per group and visit, the smallest and largest number of
# respondents over the nine health scores (ODI, EQ-VAS, HSCL-25 with its two
# subscales, and the four BPI ratings):

# %%
summary.query("domain == 'questionnaires'").round({"pct_min": 1, "pct_max": 1}).reset_index(drop=True)

# %% [markdown]
# ## Table 1: the groups at baseline
#
# **Methods.** For a yes/no characteristic we count the participants with it and give
# the *valid percent*: the denominator is the number of the group's participants who
# answered that item, not the group size, so percentages for items with gaps rest on
# fewer people (the paper's footnote to Table 1 says the same). The benefit types are
# shares of those receiving any benefit. "Above cutoff" means a baseline HSCL-25 mean of
# 1.75 or more, the usual Norwegian threshold for clinically relevant distress
# (Strand et al. 2003). Continuous characteristics are given as mean and standard
# deviation (SD, with n - 1 in the denominator) over the respondents.
#
# Group differences are tested as the paper did in SPSS: a 2x2 Pearson chi-squared
# without continuity correction, switched to Fisher's exact test when the 2x2 table has
# an expected count below 5; and the independent-samples t test, read off the Welch line
# when Levene's test rejects equal variances (p below `levene_alpha`), else off the
# Student line. The paper prints p-values for some rows only; we compute one wherever a
# test is possible and leave the *P paper* cell empty where nothing was printed.

# %%
t1 = baseline.table1(ctx.trial, levene_alpha=levene_alpha, binary_test=binary_test, t_test=t_test)
baseline.side_by_side(t1, bundled=ctx.bundled)

# %%
tested = t1[~t1["test"].isin(["", "none"])]
Markdown(
    f"Rows tested: {len(tested)}; with p < {alpha:g}: {int((tested['p'] < alpha).sum())}. "
    f"Tests used: {', '.join(f'{k} ({v})' for k, v in tested['test'].value_counts().items())}."
)

# %% [markdown]
# **Reading the table.** On the bundled data every cell of the *data* columns should
# round to the printed cell beside it, except where the paper's own numbers rule that
# out (see the check before the ledger): the reconstruction was built to match the
# paper's summaries, so this is a check of the reconstruction and of our reading of the
# paper's methods (denominators, cutoff, test choice), not independent evidence about
# the trial. Where a percent falls exactly halfway between two printable values (a
# count of 6 out of 32, say, is 18.75%), the paper's software and Python may round it
# in different directions; the ledger accepts either.
#
# ### Teaching note: chi-squared or Fisher?
#
# Pearson's statistic sums (observed - expected)^2 / expected over the four cells of
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
baseline.alternatives(t1, "binary").round(4)

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
# We reproduce the habit, because it is what the paper's software invites, and show
# both p-values.

# %%
baseline.alternatives(t1, "continuous").round(4)

# %% [markdown]
# ### Teaching note: why test baseline differences at all?
#
# CONSORT advises against significance tests of baseline characteristics. Under
# randomisation every baseline difference is a chance difference by construction, so
# these p-values answer a question whose answer is known; what matters is whether an imbalance is large enough to affect the outcome
# (Altman 1985; Moher et al. 2010, CONSORT explanation of item 15).

# %% [markdown]
# ## Ledger
#
# Every number printed in Table 1 and the flow numbers that can be counted from the
# data, compared with the paper (on the bundled reconstruction; on other data the
# *published* and *status* columns stay empty and the values describe that data).
# Randomised and withdrawn counts are not listed: they are read from the paper, not
# computed.

# %% [markdown]
# One check needs no data at all. A printed percent is its count divided by a whole
# number of respondents, so for each count/percent pair of Table 1 we ask whether *any*
# denominator up to the group size reproduces the printed percent. Pairs for which none
# does are contradictions within the paper; the ledger marks them
# `source_inconsistent` rather than blaming the data:

# %%
baseline.percent_inconsistencies()[["key", "count", "printed", "nearest_n", "nearest_pct", "note"]]

# %%
status, notes = baseline.ledger_annotations() if ctx.bundled else ({}, {})
ledger.emit(
    ledger.compare(baseline.printed_table1_values(t1, ctx.trial), bundled=ctx.bundled, status=status, notes=notes),
    ledger.compare(flow.flow_ledger_values(ctx.trial), bundled=ctx.bundled),
)

# %% [markdown]
# ## Try it
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
