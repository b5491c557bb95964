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
# # What participants said: the pilot's interview themes and the trial's process measures
#
# Numbers tell us whether IPS changed employment; interviews and process questions tell
# us how the support was lived. This notebook puts two such sources into structured,
# checkable form:
#
# - the **pilot interviews** (Rødevand et al. 2017), analysed by the authors with
#   systematic text condensation into four themes, here turned into a codebook that
#   records for each statement how many participants it covers and who they are, as far
#   as the paper says;
# - the **process measures** of the randomised trial's IPS arm at 6 months (reported in
#   Norwegian by Reme 2022): satisfaction, usefulness, and what hindered or helped,
#   printed as percentages without a denominator, which we recover.
#
# It ends by setting the two side by side where they address the same question.

# %% [markdown]
# ```{admonition} Learning objectives
# :class: tip
#
# After this page you can:
#
# - describe the steps of systematic text condensation;
# - read words such as "several" and "most" as ranges of counts;
# - set qualitative themes beside the trial's process measures without over-reading either.
# ```

# %% tags=["parameters"]
data_path = "data/reconstructed/ips_in_pain.csv"
alpha = 0.05
# a codebook of your own, e.g. with a different reading of "some" or "most"
codebook_csv = "data/qualitative/codebook.csv"
# largest number of process respondents considered; None means the IPS arm's size
n_max_respondents = None

# %%
from IPython.display import Markdown

from ipsrep.analyses import claims, qualitative
from ipsrep.plots.qualitative import counts_figure, matrix_figure, process_figure
from ipsrep.report import ledger, teaching
from ipsrep.report.context import Banner, setup
from ipsrep.report.tables import captioned

ctx = setup(data_path)
Banner(ctx)

# %% [markdown]
# ## 1. How the themes were made: systematic text condensation
#
# Systematic text condensation (STC) is the method of Malterud and colleagues, which
# the pilot cites (its ref. 28; Malterud's own account of it is Malterud 2012, in the
# references). Three of the pilot's investigators read the transcripts separately and worked
# inductively, letting themes come from the material rather than from a theory. The
# four steps, as the pilot describes them:
#
# 1. **Overall impression.** Read all transcripts for an overall impression and note
#    preliminary themes.
# 2. **Meaning units and code groups.** Find the passages that bear on the themes
#    (meaning units) and sort them into code groups.
# 3. **Condensation.** Split each code group into subgroups and rewrite the meaning units
#    of each subgroup into one condensate: an artificial quotation, in the participants'
#    own vocabulary, that carries the shared content.
# 4. **Synthesis.** Write an analytic text of the most salient content from the
#    condensates, developing descriptions and concepts.
#
# The pilot adds that the analysts reflected on how their own reading could shape the
# result.
#
# One consequence matters for anyone quoting the paper: its quotations are condensates
# from step 3, not verbatim speech. Below, any words attributed to a participant are
# marked as quotations, with the code and the section of the paper, and should be read
# as the authors' condensation.

# %%
themes = qualitative.load_themes()
captioned(themes, "The themes of the qualitative study, as systematic text condensation made them")

# %% [markdown]
# ## 2. The codebook
#
# Each row of `data/qualitative/codebook.csv` is one statement the paper makes within a
# theme: an experience, a helpful element of IPS, or a challenge, summarised in our own
# words. The paper says how many participants a statement applies to in one of three
# ways: a number out of the whole group, an exception ("all except the drop-out"), or a
# word ("some", "several", "most"). It also often names participants through the codes
# attached to quotations. We record the wording exactly and read each word as a range
# of counts:

# %%
captioned(qualitative.quantifier_table(),
          "The words the qualitative paper uses for how many participants said something")

# %% [markdown]
# *Reading note.* These ranges are our convention, not the authors'. "Some" could be
# read as two to four, and "most" as anything above half; the [Try it](#Try-it) section
# shows how to change the reading. What the ranges may not do is contradict the paper,
# and the loader checks that: no code may name more participants than its word allows,
# and nobody may be both named and excluded.

# %%
codebook = qualitative.load_codebook(codebook_csv)
captioned(qualitative.theme_overview(codebook, themes), "The codebook: themes and their codes")

# %% [markdown]
# ## 3. Who expressed what
#
# From the range and the names, each participant's relation to each code follows:
# *named* by the paper; *implied yes* when the count covers everyone not excluded;
# *implied no* when the named participants already use up the count; *stated no* when
# the paper excludes the person; otherwise *unknown*. Unknown cells are left unknown: the
# matrix is a map of what the paper lets us know, not of what participants felt.

# %%
matrix = qualitative.participant_matrix(codebook)
matrix_figure(matrix, codebook)

# %% [markdown]
# *Figure 1. Theme-by-participant matrix.* One row per code, grouped by theme (black
# lines separate themes 1-4; the number before each summary is the theme); one column
# per interview code. Dark blue: the paper names the participant; light blue: included
# because the count leaves no alternative; red: excluded by the paper; pink: excluded by
# the count; grey: not knowable from the text. Most cells are grey; the coloured rows are
# statements that cover all, none or exactly one participant.

# %%
coverage = qualitative.participant_coverage(matrix)
captioned(coverage, "Who expressed what: participants per theme")

# %%
silent = coverage.loc[coverage["named"] == 0, "participant"].tolist()
Markdown(
    f"Participants never named in any code: **{', '.join(silent) or 'none'}**. "
    "A participant who is never quoted cannot be placed in any statement that relies on names, "
    "so their view reaches the reader only through the counts."
)

# %%
counts_figure(codebook)

# %% [markdown]
# *Figure 2. Participants per code.* Squares: an exact count (printed, or forced by
# wording such as "all except one" or "one participant"); bars: the range a word such
# as "some" or "most" allows under our reading; open circles: how many participants the
# paper names for the code. Colour gives the kind of code. The gap between a circle and
# its bar is the part of a statement that rests on the authors' summary alone.

# %% [markdown]
# ### Quotations
#
# A few short condensed quotations, each attributed to its participant code and to the
# section of the pilot paper where it stands:

# %%
captioned(qualitative.load_quotes(codebook=codebook), "The quoted participants and the themes they illustrate")

# %% [markdown]
# ## 4. The trial's process measures
#
# At 6 months the trial asked its IPS participants how satisfied they were with the job
# support, how useful it was, and which factors had hindered or helped their search.
# The summary article prints one percentage per item and no denominator. If every item was
# answered by the same people, the denominator must make each percentage a whole number
# of respondents when rounded; GRIM with a step of 100 per person (Brown and Heathers
# 2017) lists the candidates. Only IPS participants were asked, so the search stops at
# the IPS arm's size.

# %%
candidates = qualitative.implied_respondents(n_max=n_max_respondents)
captioned(candidates, "Candidate denominators for the trial's process measures")

# %% [markdown]
# The trial paper itself gives two different numbers of IPS respondents at 6 months:
# the employment table's denominator (which can be recovered from its count and
# percentage) and the per-measure n of the health questionnaires.

# %%
respondents = qualitative.trial_respondents_6m()
captioned(respondents, "Respondents behind the process measures, as the sources bound them")

# %%
n_implied = int(candidates["n"].iloc[0])
matches = respondents[(respondents["n_low"] <= n_implied) & (n_implied <= respondents["n_high"])]
Markdown(
    f"Candidates up to the arm's size: **{', '.join(map(str, candidates['n']))}**. "
    f"The smallest, {n_implied}, lies within: "
    f"{'; '.join(matches['what']) if len(matches) else 'neither trial count'}. "
    + ("So the process questions were most likely answered by the people who returned the "
       "6-month questionnaire, not by everyone whose employment status was known."
       if len(matches) == 1 else "")
)

# %%
process = qualitative.process_counts(n_implied, alpha=alpha)
captioned(process.round(1), "The trial's process measures with their implied counts")

# %%
process_figure(process)

# %% [markdown]
# *Figure 3. Process measures of the trial's IPS arm at 6 months.* Bars: the share of
# respondents (count over the implied number of respondents beside each bar) who were
# satisfied, found the support useful, or named a factor as hindering (red) or helping
# (blue); whiskers: exact Clopper-Pearson intervals at the notebook's `alpha`. Almost
# everyone valued the specialist's availability, while a minority found cooperation with
# the specialist a hindrance: both can be true of the same person.

# %% [markdown]
# ## 5. Where the pilot's themes meet the trial's results
#
# **Length of support.** The pilot's most counted challenges included a support period
# that felt too short; its authors extended it for some participants; they judge three
# months too short to find a job match, though long enough to show that IPS is feasible
# in a pain clinic. The trial offered support for far longer:

# %%
captioned(qualitative.support_duration(), "Duration of follow-up support, in the qualitative and the trial papers")

# %% [markdown]
# **The same topics in both sources.** The table pairs pilot codes with process items.
# Pilot counts are ranges out of eight under our reading of the wording; process shares
# are counts over the implied number of respondents.

# %%
captioned(qualitative.theme_links(codebook, process), "Where the pilot's themes meet the trial's results")

# %% [markdown]
# Three observations, each bounded by what the sources allow:
#
# - **Satisfaction agrees.** In the pilot all but the drop-out described a good overall
#   experience; in the trial most respondents were satisfied and found the support
#   useful. The pilot's one dissatisfied participant left early, before much support was
#   given, so neither source says much about those who tried IPS and found it wanting.
#   The pilot's Results give deteriorating symptoms as her reason; its Discussion adds
#   that a physiotherapist outside the clinic advised her to leave (statement P07
#   below).
# - **Pain leads the trial's reported hindrances; the pilot does not rank it.** Of the
#   two hindrances the summary reports, pain is the more common. In the pilot, education
#   (all but one) and short support (six) carry exact counts, while pain is named by
#   "several" participants as the *main* challenge of their search -- between three and
#   seven under our reading, so possibly as many. The pilot's wording does not allow a
#   ranking, and the summary does not say how its questions were put, so the two sources
#   cannot be compared on which barrier came first.
# - **The specialist is central in both.** Pilot participants singled out regular
#   contact and encouragement; trial respondents almost all named the specialist's
#   availability as helpful. A minority of trial respondents found the cooperation with
#   the specialist a hindrance. The pilot has two related remarks: P1 was worn out by the
#   conversations with the specialist before leaving, and P2 found it embarrassing to
#   disclose the illness to the specialist. Neither source says what the trial
#   respondents' difficulty was.

# %%
Markdown(claims.statements_markdown(["P07", "P08", "P09", "P11"]))

# %% [markdown]
# ## 6. Ledger
#
# The process rows give each printed percentage as a whole count over the implied
# number of respondents. The summary prints no denominator and we have no participant
# data for these items, so this is a check of printed numbers against each other: the
# rows are `consistent` exactly when one common denominator fits every item.

# %%
rows = ledger.compare(dict(zip(process["key"], process["pct"], strict=True)), bundled=ctx.comparison, check=True,
                      notes={k: f"count over {n_implied} implied respondents" for k in process["key"]})
ledger.emit(rows)

# %% [markdown]
# ## Try it

# %%
Markdown(teaching.try_it("06_qualitative", "n_max_respondents", "100"))

# %% [markdown]
# What to try:
#
# - Set `n_max_respondents = 100`: which other denominators would fit all the
#   percentages, and why does the IPS arm's size rule them out?
# - Copy `data/qualitative/codebook.csv`, change the quantifier of `c_pain` from
#   `several` to `most`, and point `codebook_csv` at the copy: how do Figure 2 and the
#   link table change, and does the pilot then support "pain was the most named
#   barrier"?
# - Find the widest bar in Figure 2, look up its wording in the pilot paper, and decide
#   whether a stricter reading is defensible; record it in your copy of the codebook as
#   a printed `count` and see which cells of Figure 1 stop being unknown.

# %% [markdown]
# ## Exercises
#
# Solutions are folded under each exercise; try first.
#
# ```{exercise}
# :label: ex-05-most
#
# A paper on 12 interviews says "most participants" named a barrier. What counts does
# that allow, and would the statement still hold if a re-reading of the transcripts
# found 6 who named it?
# ```
#
# ```{solution} ex-05-most
# :class: dropdown
#
# "Most" means more than half: 7 to 12 of 12. Six is exactly half, so the statement
# would no longer hold; a codebook that records such words as ranges of counts keeps
# the reading explicit (this page reads "most" as anything above half).
# ```
#
# ```{exercise}
# :label: ex-05-stc
#
# Name the four steps of systematic text condensation in order, and say at which step
# the meaning units are coded.
# ```
#
# ```{solution} ex-05-stc
# :class: dropdown
#
# (1) Reading the material for a total impression and preliminary themes; (2)
# identifying meaning units and coding them; (3) condensing the meaning within each code
# group; (4) synthesising the condensates into descriptions and concepts. Coding happens
# at step 2 (Malterud 2012).
# ```
