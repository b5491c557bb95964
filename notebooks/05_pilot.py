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
# # The pilot study: a handful of participants, one year, and what the numbers allow
#
# Before the randomised trial, the same research group offered Individual Placement and
# Support (IPS) to a handful of patients at the pain clinic and interviewed them about it
# (Rødevand et al., *BMC Musculoskeletal Disorders* 2017;18:550). The pilot was built to
# hear how patients experienced job support alongside pain treatment, not to estimate an
# employment rate, yet the trial paper's Introduction repeats its result (three of eight in work within a year).
# This notebook rebuilds what can be rebuilt from the text:
#
# 1. the participants as a structured table, saying cell by cell what the paper states
#    and what we had to choose;
# 2. follow-up and employment over the year, per person;
# 3. the 12-month employment rate with an exact interval, beside the ranges the pilot
#    compares itself with and beside the trial's arms;
# 4. whether the printed interview lengths are arithmetically possible;
# 5. one place where the paper disagrees with itself.
#
# Nothing here uses the trial's participant-level data; the data file is loaded only so
# that every notebook starts with the same check and banner. The last sections give the
# pilot's own context and the limitations its authors state.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - put a rate from a handful of participants in context with an exact (Clopper-Pearson) interval;
# - judge what a one-year uncontrolled pilot can and cannot show;
# - check whether printed summaries (range, mean, SD) are arithmetically possible.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
# an alternative reconstruction of the pilot's participants can be tried here
pilot_csv = "data/pilot/participants.csv"
# number of interviews behind the printed lengths; None means every participant
n_interviews = None

# %%
from IPython.display import Markdown

from ipsrep.analyses import claims, pilot
from ipsrep.plots.pilot import follow_up_figure, interview_samples_figure, rate_comparison_figure
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned, publication_table

ctx = setup(data_path)
Banner(ctx)

# %% [markdown]
# ## 1. The participants
#
# The paper's two tables (clinical characteristics; dates of inclusion, job start and
# end of support) are not part of the text we work from, so the pilot's people are known
# only through sentences: how many of each sex, the youngest and oldest ages and that
# most were in their thirties, a list of pain conditions, the shortest and longest
# durations of pain and of absence from work, one early drop-out, and who was followed
# for how long. `data/pilot/participants.csv` holds one row per interview code (P1,
# P2, ...) whose values satisfy all of those sentences together. The table below
# summarises it. Each line is computed from our table; where the paper gives a number
# the line must equal it, where it gives only a word (most were in their thirties) the
# line shows the count we chose within what the word allows.

# %%
participants = pilot.load_participants(pilot_csv)
basis = pilot.cell_basis(participants)
captioned(pilot.characteristics(participants), "The pilot's participants")

# %% [markdown]
# **How much of the table is the paper's?** A cell is *stated* when the text says it of
# that participant (the drop-out is P1; P4 and P7 are referred to as he), *bounded* when
# the text gives a range for that person (P2 speaks of being in the late thirties),
# *inferred* when it follows from what the paper says of that person (the drop-out, P1,
# left a few weeks in and so was not extended), and *conflicting* when the paper says
# two things (P2 is "she" in one paragraph and "he" in another). P2's arm and
# employment are reconstructed: P2's complaint about the short support was voiced at
# the interview about three months in, before anyone was offered the extension.
# Everything else is
# *reconstructed*: a value chosen to honour the aggregate statements, one of many that
# would. The count per column shows how thin the participant-level evidence is.

# %%
captioned(pilot.basis_counts(basis), "How each column of the pilot's participant data was obtained")

# %% [markdown]
# *Teaching note.* Structuring a qualitative paper's sample is useful (it forces every
# statement to be consistent with every other), but a reconstructed row is not a
# person. Any figure drawn from it must say which parts are invented; below, lanes whose
# arm or employment is reconstructed carry an asterisk.

# %% [markdown]
# ## 2. Follow-up and employment over the year
#
# Every participant was to receive a short, fixed period of job support from an
# employment specialist alongside usual pain treatment. Because an opportunity arose,
# support was prolonged for those judged to need it most, while the others continued
# with clinical follow-up only. Employment was registered at a few fixed follow-ups, so
# a job is dated by the first registration that found it, not by its start date.

# %%
follow_up_figure(participants, basis)

# %% [markdown]
# *Figure 1. Job support and employment per pilot participant (left) and the number
# employed at each registration (right).* Dark bars: months of job support from the
# employment specialist; pale bars: clinical follow-up only; cross: where the drop-out
# left; star: the registration at which a job was first recorded. An asterisk after a
# code means that the participant's arm or employment is our reconstruction, since the
# paper does not link outcomes to interview codes. The right panel does not depend on
# that linkage: it is the cumulative count the paper reports.

# %%
employment = pilot.employment_by_month(participants)
captioned(employment, "Employment per month of the pilot's follow-up")

# %% [markdown]
# ### Where the paper disagrees with itself
#
# The Methods section says how many participants were given the extension, and that
# the rest stayed with clinicians only. The Discussion, explaining the modest employment
# rate, gives a smaller number of participants with extended support, and says how many
# of them were in work (one by the 6-month and one by the 12-month registration). The
# counts, set side by side in the table below, cannot both be right. Our table follows
# the Methods; the Discussion's count is carried into the ledger as `source_inconsistent`
# rather than forced. One reading that would reconcile them (not stated by the authors):
# a participant whose support was curtailed (by a holiday abroad or by waiting for
# surgery) may have sat in the extended arm without being counted as having received the
# extension. The text does not force this: the drop-out and the three curtailed
# participants could make up the short arm between them. Our table puts one curtailed
# participant in the extended arm only because we placed P2 in the short arm.

# %%
captioned(pilot.extended_followup_statements(participants),
          "The pilot paper's statements about extended follow-up, side by side")

# %% [markdown]
# ## 3. The 12-month employment rate in context
#
# The pilot reports the share of all participants, the drop-out included, who had
# gained competitive employment by 12 months, and compares it with two ranges from
# earlier studies of people with mental disorders: regular return-to-work programmes and
# IPS programmes. The trial later measured the same outcome in both of its arms. With
# so few participants the estimate is very uncertain, so we add an exact
# (Clopper-Pearson) interval to each rate.
#
# *Teaching note: why an exact interval.* The usual Wald interval (rate ± 1.96 standard
# errors) behaves badly when n is small or the rate is near 0 or 1; it can even extend
# below zero. The Clopper-Pearson interval {cite:p}`clopper1934` inverts two one-sided binomial tests, using
# beta-distribution quantiles, and guarantees at least the nominal coverage; with a
# sample this small it is wide, which is the honest message.

# %%
rates = pilot.rate_comparison(participants, alpha=alpha)
shown = rates.drop(columns="kind").assign(ci_low=100 * rates["ci_low"], ci_high=100 * rates["ci_high"])
captioned(publication_table(shown.round({"pct": 1, "ci_low": 1, "ci_high": 1}),
                            labels={"pct": "%", "ci_low": "CI low (%)", "ci_high": "CI high (%)", "level": "level"}),
          "The pilot's 12-month employment rate beside the trial's arms and earlier studies, with exact intervals")

# %%
rate_comparison_figure(rates)

# %% [markdown]
# *Figure 2. Employment within 12 months with exact confidence intervals.* Points and
# whiskers: the pilot (all participants in the denominator) and the trial's IPS and
# usual-care arms at 12 months (Sveinsdottir et al. 2022, Table 2; denominators
# recovered from the printed counts and percentages). Grey bars: the ranges of earlier
# studies that the pilot's Discussion cites (each bar spans the lowest to the highest
# rate, not a confidence interval). The pilot's interval overlaps every other row, so the
# pilot alone cannot place IPS for chronic pain above or below any of them.

# %%
pilot_row, trial_row = rates.iloc[0], rates.iloc[1]
Markdown(
    f"The pilot's interval runs from {100 * pilot_row['ci_low']:.0f}% to {100 * pilot_row['ci_high']:.0f}%, "
    f"{100 * (pilot_row['ci_high'] - pilot_row['ci_low']):.0f} percentage points wide; the trial's IPS arm, "
    f"with {trial_row['n']:.0f} respondents, narrows it to "
    f"{100 * (trial_row['ci_high'] - trial_row['ci_low']):.0f} points."
)

# %% [markdown]
# ## 4. Are the interview lengths possible?
#
# The Methods give the range, mean and standard deviation of the interview lengths, all
# in whole minutes. Granularity tests ask whether such summaries can come from the
# stated number of whole-number observations:
#
# - **GRIM** (Brown and Heathers 2017): the mean of n whole numbers is a total divided
#   by n, so only certain means exist;
# - **GRIMMER** (Anaya 2016): the same for the SD, through the sum of squares, whose
#   parity must match the total's;
# - **enumeration**: every multiset of whole-minute lengths containing both printed
#   extremes, kept when it rounds to both printed statistics (the exhaustive version of
#   SPRITE's search, feasible for a sample this small).
#
# With statistics printed to whole minutes, GRIM has little power even for a small n
# (possible means are 1/n of a minute apart, finer than the printed precision); the
# enumeration is the real test.

# %%
checks, samples = pilot.interview_length_check(n_interviews)
captioned(checks, "Checks that the printed interview lengths can exist")

# %%
sample_ranks = pilot.interview_sample_summary(samples)
interview_samples_figure(sample_ranks, len(samples))

# %% [markdown]
# *Figure 3. Interview lengths in every whole-minute sample consistent with the printed
# range, mean and SD.* For each interview, ordered from shortest to longest, the bar
# spans the lengths it takes across all fitting samples and the dot marks the median.
# The shortest and longest are fixed by the printed range. The fitting samples share a
# shape: several interviews near the minimum and a cluster near the maximum, which is
# what an SD this large relative to the range requires.

# %% [markdown]
# ## 5. The pilot's setting, its drop-out and its stated limitations
#
# **Context.** The pilot's Background and Methods, in our words: the burden of chronic
# pain that motivated it and the Norwegian benefits its participants lived on. These
# figures are printed once and checked by nothing else; they are in the ledger below
# without a status. Then how the eight were recruited (eight consecutive patients
# invited, none declining; the counts are the published rows `pilot.recruitment_invited`
# and `pilot.recruitment_declined`), how eligibility was judged, the approval the pilot
# names, how it adapted IPS (the third principle changed, weekly team meetings) against
# the train-then-place care usual in Norway, its questionnaires and its interview guide.

# %%
Markdown(claims.statements_markdown(["P01", "P02", "P03", "P04", "P05", "P20", "P21", "P22", "P23", "P24", "P25",
                                     "P26", "P27"]))

# %% [markdown]
# **The drop-out.** The one participant who left did so, the Results say, because her
# symptoms deteriorated; the Discussion adds that a physiotherapist outside the clinic
# advised her to go. Her experience of the job support is the pilot's only negative one
# (notebook 05), and the Discussion draws from the episode its case for running
# treatment and job support in parallel, with everyone involved pulling the same way:

# %%
Markdown(claims.statements_markdown(["P28", "P07", "P08", "P29"]))

# %% [markdown]
# **What the authors say limits the pilot.** They chose depth over numbers, question
# whether more interviews would have added experiences, collected no self-report
# measures after IPS, and hold two views of the three months of support: too short to
# find a job match, long enough to judge whether IPS is feasible in a pain clinic. Their
# reasons for the modest employment rate come first below.

# %%
Markdown(claims.statements_markdown(["P30", "P14", "P15", "P16", "P17", "P18", "P19"]))

# %% [markdown]
# ## 6. Ledger
#
# Rows for every printed pilot number used above. The participant-table rows confirm
# that the reconstruction encodes the paper's statements (they are reproduced because
# the table was written to honour them, and the tests in `tests/test_pilot.py` check the same statements
# independently); the percentage row checks the paper's rounding. The interview rows
# carry the median over the whole-minute samples that fit the printed range, mean and
# SD: they check printed numbers against each other, so their status is `consistent`
# (or `inconsistent` if no sample fitted). The Discussion's count of extended
# participants is marked `source_inconsistent`. The context figures and the number of
# invited patients who declined close the ledger as printed facts without a status.

# %%
values = pilot.summary_values(participants)
interviews = pilot.interview_ledger_values(samples)
notes = {
    "pilot.extended_followup_discussion": "the Methods give a different count; the table follows the Methods",
    "pilot.employed_12m_pct": "employed by 12 months over all participants, drop-out included",
    "pilot.interview_minutes_mean": f"median over {len(samples)} whole-minute samples fitting range, mean and SD",
    "pilot.interview_minutes_sd": f"median over {len(samples)} whole-minute samples fitting range, mean and SD",
}
rows = ledger.compare(values, bundled=ctx.comparison, notes=notes,
                      status={"pilot.extended_followup_discussion": "source_inconsistent"})
ledger.emit(rows, ledger.compare(interviews, bundled=ctx.comparison, notes=notes, check=True),
            claims.printed_only_ledger(pilot.CONTEXT_KEYS + ("pilot.recruitment_declined",), bundled=ctx.comparison))

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("05_pilot", "alpha", "0.10"))

# %% [markdown]
# What to try:
#
# - Set `n_interviews` to one less than the number of participants (as if the drop-out
#   had not been interviewed) and rerun: do the whole-minute interviews still fit the
#   printed statistics, and how many samples remain?
# - Set `alpha = 0.10` and watch how little the intervals in Figure 2 shrink: with so
#   few people the width comes from the sample size, not the confidence level.
# - Copy `data/pilot/participants.csv`, move the 6-month job to a participant in the
#   3-month arm, and point `pilot_csv` at the copy: which ledger row notices, and which
#   statement of the Discussion does the change contradict?

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-04-exact
#
# A pilot reports 4 of 8 participants in work after a year. Give the exact
# (Clopper-Pearson) 95% interval for the rate, roughly, and say which of these
# statements it allows: "IPS gets most people into work"; "the rate is compatible with
# the 39% of the trial's control group".
# ```
#
# ```{solution} ex-04-exact
# :class: dropdown
#
# The exact interval for 4/8 runs from about 16% to 84%
# (`scipy.stats.binomtest(4, 8).proportion_ci()`). It includes rates well below half, so
# "most people" is not shown, and it includes 39%, so the pilot cannot tell IPS from
# usual care: an uncontrolled handful of participants bounds the rate only loosely.
# ```
#
# ```{exercise}
# :label: ex-04-possible
#
# Eight interviews are reported with lengths from 40 to 90 minutes and a mean of 95
# minutes. Without any other number, what is wrong?
# ```
#
# ```{solution} ex-04-possible
# :class: dropdown
#
# A mean cannot exceed the largest value: with every interview at most 90 minutes, the
# mean is at most 90. Checks like this (and the finer one this page makes with the SD)
# need only the printed summaries.
# ```
